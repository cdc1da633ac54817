"""One mapping of the knowledge base's errors (kb/errors.py) to every front door: the HTTP
status and problem title (api/problems.py), the `kb` command's exit code (api/cli.py), whether
MCP reports a missing resource (api/mcp.py), and what Slack adds for the user (api/slack/bot.py).

The message itself is always the error's own: it already says what is wrong and what to do.
kb/client.py maps a problem's status and title back to the error, so RemoteKB raises what the
server's KnowledgeBase raised (tests/test_parity.py)."""

from __future__ import annotations

from dataclasses import dataclass

from kb.errors import (
    ActNotHeld,
    BadQuery,
    IndexIncompatible,
    IndexMissing,
    KBError,
    ServerUnavailable,
    UnknownDocument,
    UnknownUnit,
)

# Exit codes of `kb`, one meaning each (the README lists them).
EXIT_ABSTAINED = 1  # `kb ask`: the acts do not answer; `kb check`: a citation does not hold
EXIT_USAGE = 2  # bad input: the message says what to change
EXIT_NO_INDEX = 3  # no index, or one this version cannot read: run `kb ingest`
EXIT_SERVER = 4  # --api: the server cannot be reached or refused the request
EXIT_FAILED = 5  # ingest failed (the previous index is kept), or an unexpected error
EXIT_PORT = 6  # `kb serve`: the port is taken or the address is not this machine's
EXIT_IN_PART = 7  # `kb ask`: answered in part, the rest is left to the Member States or the Commission


@dataclass(frozen=True)
class Mapped:
    """How one kind of error shows: `status` and `title` of its problem+json (RFC 9457),
    `exit_code` of the command line, and `advice` a chat user gets after the message."""

    status: int
    title: str
    exit_code: int
    advice: str


_REPHRASE = "Try rephrasing the question."
_LATER = "Please try again in a moment."

# Most specific first; an error matches the first class it is an instance of.
MAPPING: list[tuple[type[KBError], Mapped]] = [
    (BadQuery, Mapped(422, "Invalid query", EXIT_USAGE, _REPHRASE)),
    (ActNotHeld, Mapped(404, "Act not held", EXIT_USAGE, _REPHRASE)),
    (UnknownDocument, Mapped(404, "Unknown act", EXIT_USAGE, _REPHRASE)),
    (UnknownUnit, Mapped(404, "Unknown provision", EXIT_USAGE, _REPHRASE)),
    (IndexMissing, Mapped(503, "No index loaded", EXIT_NO_INDEX, _LATER)),
    (IndexIncompatible, Mapped(503, "Index cannot be used", EXIT_NO_INDEX, _LATER)),
    (ServerUnavailable, Mapped(502, "Server unavailable", EXIT_SERVER, _LATER)),
]
OTHER = Mapped(400, "Bad request", EXIT_FAILED, _REPHRASE)


def mapped(exc: KBError) -> Mapped:
    """How `exc` shows on every front door."""
    for cls, found in MAPPING:
        if isinstance(exc, cls):
            return found
    return OTHER


def not_found(exc: KBError) -> bool:
    """The error names an act or provision that is not there (HTTP 404, MCP's resource not found)."""
    return mapped(exc).status == 404

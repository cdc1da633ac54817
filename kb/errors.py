"""Errors the knowledge base raises, each with a message a person can act on."""

from __future__ import annotations


class KBError(Exception):
    """Base class for every error regkb reports to a user."""


class IndexMissing(KBError):
    def __init__(self, path: object, detail: str | None = None) -> None:
        super().__init__(
            detail
            or f"No index at {path} (KB_INDEX_DIR). Build one with: kb ingest, or set KB_INDEX_DIR "
            "to the folder of an index"
        )


class IndexIncompatible(KBError):
    def __init__(self, path: object, problem: str, detail: str | None = None) -> None:
        super().__init__(
            detail or f"The index at {path} cannot be used: {problem}. Rebuild it with: kb ingest --force"
        )


class UnknownDocument(KBError):
    pass


class ActNotHeld(UnknownDocument):
    """A reference to an act the knowledge base does not hold ("GDPR Article 30"): refused on every
    path (search, ask, `kb show`, the units route, MCP), never answered from another act."""


class UnknownUnit(KBError):
    pass


class BadQuery(KBError):
    pass


class ServerUnavailable(KBError):
    """The server a RemoteKB asks could not be reached, or refused the request."""

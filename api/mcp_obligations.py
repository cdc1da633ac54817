"""The MCP tool `list_obligations`: who must do what, from when (kb/obligations), as the HTTP
API's GET /v1/obligations gives it. api/mcp.py registers it with `register`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from api.schemas import VERSION_PATTERN

if TYPE_CHECKING:
    from api.mcp import RegkbServer
    from kb.knowledge import KnowledgeBase


class ObligationList(BaseModel):
    """The obligations found, each with doc, unit, pinpoint, label, citation, the operative
    sentence verbatim, role, system, conditions, points_to, applies_from (date, provision), limits
    and url; and how many."""

    obligations: list[dict[str, Any]]
    count: int


def text(result: ObligationList) -> str:
    """The list as the CLI prints it: grouped by role and date, one cited line each."""
    from kb.obligations.render import grouped

    return "\n".join(grouped(result.obligations)) or "No obligation of that role and system in the acts held."


def register(server: RegkbServer, annotations: ToolAnnotations) -> None:
    """Add `list_obligations` to `server`."""

    def list_obligations(
        role: Annotated[
            str | None,
            Field(
                max_length=120,
                description='The act\'s term: "deployer", "provider", "data holder", "controller".',
            ),
        ] = None,
        system: Annotated[
            str | None,
            Field(
                max_length=120,
                description='"high-risk", "high-risk (Annex III)", "general-purpose AI model" …',
            ),
        ] = None,
        act: Annotated[
            str | None, Field(max_length=64, description="Only this act, by id (see list_acts).")
        ] = None,
        version: Annotated[
            str | None,
            Field(pattern=VERSION_PATTERN, description="current (default), original or YYYY-MM-DD."),
        ] = None,
    ) -> Annotated[CallToolResult, ObligationList]:
        """The obligations the EU acts impose on a role (provider, deployer, importer, data holder,
        provider of data processing services, controller …), about a kind of system where given,
        each with the operative sentence verbatim, its citation and EUR-Lex link, its conditions,
        and the date it applies from with the provision of the final provisions that sets it, in
        the version asked. An unknown role, system or act is an error naming the valid ones."""

        def work(kb: KnowledgeBase) -> ObligationList:
            from kb.obligations.lookup import find
            from kb.obligations.store import load

            found = find(load(kb.files), kb.acts, act, role, system, version)
            return ObligationList(obligations=found, count=len(found))

        return server._call(work, text)

    server.tool(title="List obligations", annotations=annotations)(list_obligations)

"""regkb as a Model Context Protocol server, for AI assistants (Claude Desktop, VS Code, agents).

Built on the official `mcp` SDK's MCPServer (called FastMCP before mcp 2). Two transports:

- stdio: `kb mcp`, spawned by the assistant (`serve_stdio`);
- streamable HTTP at `/mcp` inside `kb serve` (`mount`), behind the API keys like `/v1/*`.

Tools: `search_provisions`, `ask`, `get_provision`, `list_acts`. Each returns the knowledge base's
own result model (kb.results) as structured content, with its JSON schema as the tool's output
schema, and the same result as readable text (api/mcp_text.py). A knowledge-base error (unknown
act, provision that does not exist, no index) is a tool error whose text is the `detail` the
HTTP API gives for it (api/errors.py). Resources: every provision at `regkb://ACT/UNIT` (e.g.
`regkb://ai-act/art_5`, `?version=original` or a date for another text), and the list of an
act's provisions at `regkb://ACT`.

Every call goes to the same `KnowledgeBase` methods as the HTTP API, through the same `Holder`,
so a newly ingested index reaches MCP clients the way it reaches the API.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, CallToolResult, TextContent, ToolAnnotations
from mcp_types import Resource as MCPResource
from pydantic import BaseModel, Field

from api import mcp_obligations
from api.errors import not_found
from api.holder import Holder
from api.mcp_text import answer_text, check_text, documents_text, provision_text, search_text
from api.schemas import VERSION_PATTERN, Kind
from api.startup import leave_now
from kb import __version__
from kb.citecheck.models import MAX_CHECK_CHARS, CheckReport
from kb.config import Settings
from kb.errors import BadQuery, KBError, UnknownDocument
from kb.knowledge import KnowledgeBase
from kb.results import Answer, Documents, Provision, SearchResult, Turn
from kb.vocabulary import MAX_QUERY_CHARS

SCHEME = "regkb"
PATH = "/mcp"
# How long a call made while the index is still loading waits for it. Loading the index and the
# model takes about 10 s on the two-core CI machine; an assistant starts `kb mcp` and may call a
# tool at once, so the first call waits rather than fail with "still loading".
FIRST_LOAD_WAIT_S = 120.0

INSTRUCTIONS = (
    "regkb answers questions about EU regulation (the AI Act, Regulation (EU) 2024/1689 as amended, "
    "and the Data Act, Regulation (EU) 2023/2854) from the official texts. Cite provisions with the "
    "label and EUR-Lex link the tools return, and quote the verbatim text rather than paraphrasing "
    "from memory. Use search_provisions to find provisions, ask for a short answer with citations, "
    "get_provision for one provision in full, and list_acts for the acts and their versions."
)

_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
VersionArg = Annotated[
    str | None,
    Field(
        pattern=VERSION_PATTERN,
        description="Which text of each act: `current` (in force today, the default), `original` "
        "(as first published) or a date YYYY-MM-DD (the law in force that day).",
    ),
]
ActsArg = Annotated[
    list[str] | None,
    Field(max_length=10, description='Only these acts, by id (see list_acts), e.g. ["ai-act"].'),
]
QueryArg = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        pattern=r"\S",
        description='What to look for: words ("switching charges"), a defined term, or a '
        'reference ("Annex III point 4", "AI Act Art. 5(1)(f)").',
    ),
]
QuestionArg = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        pattern=r"\S",
        description='The question, e.g. "Can we use emotion recognition on our staff?"',
    ),
]
HistoryArg = Annotated[
    list[Turn] | None,
    Field(
        max_length=20,
        description="Earlier turns of the conversation, oldest first, so that a follow-up "
        '("and for deployers?") is read with the question it follows.',
    ),
]
ReferenceArg = Annotated[
    str | None,
    Field(
        max_length=200,
        description='The provision as people write it: "AI Act Art. 5(1)(f)", "Article 2(13) '
        'Data Act", "Annex III point 4", or an id: "data-act art_25".',
    ),
]

M = TypeVar("M", bound=BaseModel)


class RegkbServer(MCPServer):
    """The MCP server over one `Holder`: six tools and the provision resources. Adds every
    provision of the loaded index to `resources/list`, which a resource template alone cannot
    enumerate."""

    def __init__(self, holder: Holder, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.holder = holder
        # Resource listings per loaded index: labelling all 534 provisions takes about 0.3 s
        # (measured with the SDK client over stdio), and the index changes only when `kb ingest`
        # publishes a new one, which is a new KnowledgeBase.
        self._listings: weakref.WeakKeyDictionary[KnowledgeBase, list[MCPResource]] = (
            weakref.WeakKeyDictionary()
        )
        # The SDK reads each tool's name, description and schemas from the method's signature.
        self.tool(title="Search provisions", annotations=_READ_ONLY)(self.search_provisions)
        self.tool(title="Answer a question", annotations=_READ_ONLY)(self.ask)
        self.tool(title="Get a provision", annotations=_READ_ONLY)(self.get_provision)
        self.tool(title="List the acts", annotations=_READ_ONLY)(self.list_acts)
        self.tool(title="Verify citations", annotations=_READ_ONLY)(self.verify_citations)
        mcp_obligations.register(self, _READ_ONLY)  # list_obligations (kb/obligations)
        self.resource(
            f"{SCHEME}://{{act}}/{{unit}}{{?version}}",
            name="provision",
            title="A provision",
            description="One provision in full, as Markdown: regkb://ai-act/art_5, regkb://data-act/rct_27, "
            "regkb://ai-act/anx_III; add ?version=original or ?version=YYYY-MM-DD for another text.",
            mime_type="text/markdown",
        )(self.provision_resource)
        self.resource(
            f"{SCHEME}://{{act}}",
            name="act",
            title="The provisions of an act",
            description="Every provision of one act (regkb://ai-act, regkb://data-act) with its resource "
            "URI, label and title, one a line.",
            mime_type="text/markdown",
        )(self.act_resource)

    def kb(self) -> KnowledgeBase:
        """The loaded knowledge base, waiting for the first load; raises IndexMissing without one."""
        self.holder.wait(FIRST_LOAD_WAIT_S)
        return self.holder.kb

    async def list_resources(self) -> list[MCPResource]:
        """Every provision of every act in the current version, after any static resources."""
        own = await super().list_resources()
        try:
            provisions = await anyio.to_thread.run_sync(self.provision_resources)
        except KBError as exc:
            raise MCPError(code=INTERNAL_ERROR, message=str(exc)) from None
        return own + provisions

    def provision_resources(self) -> list[MCPResource]:
        """One resource per provision in the default version, `regkb://ACT/UNIT`, named by its
        citation label; raises KBError (IndexMissing) without an index."""
        kb = self.kb()
        found = self._listings.get(kb)
        if found is None:
            found = self._listings[kb] = [
                MCPResource(
                    uri=f"{SCHEME}://{doc}/{unit}",
                    name=p.label,
                    title=f"{p.label}: {p.title}" if p.title else p.label,
                    description=p.heading,
                    mime_type="text/markdown",
                )
                for doc, unit in kb.view().units
                for p in [kb.provision_of(doc, unit)]
            ]
        return found

    def _call(self, work: Callable[[KnowledgeBase], M], text: Callable[[M], str]) -> CallToolResult:
        """Run one knowledge-base call; its result as structured content and text, or its
        error as a tool error with the message the HTTP API gives as `detail`."""
        try:
            result = work(self.kb())
        except KBError as exc:
            return CallToolResult(content=[TextContent(type="text", text=str(exc))], is_error=True)
        return CallToolResult(
            content=[TextContent(type="text", text=text(result))],
            structured_content=result.model_dump(mode="json"),
        )

    def search_provisions(
        self,
        query: QueryArg,
        k: Annotated[int, Field(ge=1, le=50, description="How many provisions to return.")] = 10,
        acts: ActsArg = None,
        kinds: Annotated[
            list[Kind] | None, Field(max_length=3, description="Only these kinds of unit.")
        ] = None,
        version: VersionArg = None,
    ) -> Annotated[CallToolResult, SearchResult]:
        """Ranked provisions of the EU AI Act and Data Act for a query, references and defined terms
        first. Each hit has its citation label (e.g. "AI Act, Article 5(1)(f)"), the verbatim text,
        the EUR-Lex link and the version of the act it is from."""
        only = list(kinds or []) or None
        return self._call(
            lambda kb: kb.search(query, k=k, docs=acts, kinds=only, version=version), search_text
        )

    def ask(
        self,
        question: QuestionArg,
        history: HistoryArg = None,
        k: Annotated[int, Field(ge=1, le=20, description="How many provisions to cite.")] = 5,
        acts: ActsArg = None,
        version: VersionArg = None,
    ) -> Annotated[CallToolResult, Answer]:
        """A short answer to a question about the EU AI Act or Data Act, composed only of sentences
        quoted from the provisions it cites ([n] markers), with each citation's label, verbatim text
        and EUR-Lex link, and the version of each act. When the acts do not answer the question,
        `abstained` is true (`outcome` "declined"), `reason` says why, and the nearest provisions are
        listed anyway. When they answer only part and leave the rest to the Member States or the
        Commission, `outcome` is "in_part" and the first sentence cites the provision that does."""
        return self._call(
            lambda kb: kb.ask(question, k=k, docs=acts, history=history, version=version), answer_text
        )

    def get_provision(
        self,
        reference: ReferenceArg = None,
        act: Annotated[
            str | None,
            Field(
                max_length=64,
                description="The act's id (see list_acts), with `unit`, or to "
                "say which act a `reference` without one means.",
            ),
        ] = None,
        unit: Annotated[
            str | None,
            Field(
                max_length=64,
                pattern=r"^(art|rct|anx)_\w+$",
                description="The unit id, with `act`: art_5, rct_27, anx_III.",
            ),
        ] = None,
        version: VersionArg = None,
    ) -> Annotated[CallToolResult, Provision]:
        """One provision of the EU AI Act or Data Act in full: citation label, title, verbatim text,
        its structure, the EUR-Lex link, the version and how amendments changed it, what it refers to
        and what refers to it. With a pinpoint (Art. 5(1)(f)), `pinpoint_text` is that part. Give
        `reference`, or `act` and `unit`."""

        def work(kb: KnowledgeBase) -> Provision:
            if reference and reference.strip():
                return kb.provision(reference, doc=act, version=version)
            if act and unit:
                return kb.provision_of(act, unit, version=version)
            raise BadQuery(
                'Name the provision: reference="AI Act Art. 5(1)(f)", or act="ai-act" with unit="art_5".'
            )

        return self._call(work, provision_text)

    def verify_citations(
        self,
        text: Annotated[
            str,
            Field(
                min_length=1,
                max_length=MAX_CHECK_CHARS,
                pattern=r"\S",
                description="A text that cites the acts (a paragraph, a page, an answer you wrote): "
                '"Under Article 26(6) of the AI Act, deployers keep logs for six months."',
            ),
        ],
        acts: ActsArg = None,
        version: VersionArg = None,
    ) -> Annotated[CallToolResult, CheckReport]:
        """Check every citation of the EU AI Act or Data Act in a text: whether the provision
        exists (`not_found` with what the act has instead; `outside` for an act not held, with its
        EUR-Lex link) and whether it says what the sentence citing it claims: `supported` (with its
        words), `not_supported` (with the provisions that do say it, where found) or `unverified`
        when the check cannot decide. Use it on your own answer before you give it."""
        return self._call(lambda kb: kb.check_citations(text, docs=acts, version=version), check_text)

    def list_acts(self) -> Annotated[CallToolResult, Documents]:
        """The acts in the knowledge base: id (for the `acts` and `act` arguments), short name, title,
        CELEX number, EUR-Lex link, every version with the date it entered into force, and the
        version answered from by default."""
        return self._call(lambda kb: kb.documents(), documents_text)

    def provision_resource(self, act: str, unit: str, version: str | None = None) -> str:
        """One provision in full, as Markdown (regkb://ACT/UNIT)."""
        with _resource_errors():
            return provision_text(self.kb().provision_of(act, unit, version=version))

    def act_resource(self, act: str) -> str:
        """Every provision of one act, one a line (regkb://ACT)."""
        with _resource_errors():
            documents = self.kb().documents()
            found = next((d for d in documents.documents if d.id == act), None)
            if found is None:
                known = ", ".join(d.id for d in documents.documents)
                raise UnknownDocument(f"Unknown act {act!r}; the index holds: {known}.")
            lines = [f"# {found.short_name}: {found.title}", "", f"Version: {found.version}", ""]
            for r in self.provision_resources():
                if r.uri.startswith(f"{SCHEME}://{act}/"):
                    lines.append(f"- {r.uri}: {r.title}")
            return "\n".join(lines)


@contextmanager
def _resource_errors() -> Iterator[None]:
    """A knowledge-base error as the resource error MCP clients expect: not found for an act or
    provision that is not there (api/errors.py), else a plain resource error."""
    try:
        yield
    except KBError as exc:
        raise (ResourceNotFoundError if not_found(exc) else ResourceError)(str(exc)) from None


def build(holder: Holder, own_holder: bool = False) -> RegkbServer:
    """The MCP server: six tools and the provision resources, over `holder`'s knowledge base.

    own_holder: start the holder when a session starts and stop it at the end (stdio, where
    nothing else does); under `kb serve` the FastAPI app owns it.
    """

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[None]:
        holder.start()
        try:
            yield
        finally:
            holder.stop()

    return RegkbServer(
        holder,
        name="regkb",
        title="regkb: EU AI Act and Data Act",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan if own_holder else None,
    )


def serve_stdio(config: Settings) -> None:
    """Serve MCP over standard input and output until the client closes them (`kb mcp`).

    The index loads in the background as the session starts; a call made before it is loaded
    waits for it (FIRST_LOAD_WAIT_S). The SDK points fd 1 at stderr while serving, so stray
    output from libraries cannot corrupt the protocol.
    """
    build(Holder(config), own_holder=True).run("stdio")
    leave_now()  # the client has gone: no abort while the index may still be loading


def mount(app: FastAPI, holder: Holder, config: Settings) -> RegkbServer:
    """Serve MCP over streamable HTTP at `/mcp` in `app`; the caller runs the returned server's
    `session_manager.run()` in the app's lifespan.

    Stateless: each request stands alone, so `kb serve --workers N` can answer any request in any
    worker (the tools keep no state between calls). When bound to a loopback address the SDK's
    DNS-rebinding protection admits only loopback Host and Origin headers.
    """
    server = build(holder)
    routes = server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        host=config.host,
        max_request_body_size=config.max_body_bytes,
    ).routes
    app.router.routes.extend(routes)
    return server

"""The HTTP API: questions, search and provisions under /v1, health checks, offline docs.

Start it with `kb serve` (or `uvicorn --factory api.app:create_app`)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.concurrency import iterate_in_threadpool

from api import mcp, problems
from api.holder import Holder
from api.middleware import BodyLimit, guard
from api.schemas import VERSION_PATTERN, AskRequest, Documents, Health, Ready, SearchRequest, documents_of
from kb import __version__
from kb.config import Settings, settings
from kb.errors import KBError
from kb.results import Answer, Provision, SearchResult, Sentence

log = logging.getLogger("regkb.api")

_ERRORS = {
    status: {"model": problems.Problem, "description": text, "content": {problems.MEDIA_TYPE: {}}}
    for status, text in [
        (401, "Missing or wrong API key"),
        (403, "Refused: an admin route from another machine without API keys"),
        (404, "Unknown act or provision"),
        (413, "Request body too large"),
        (422, "Invalid request"),
        (409, "The new index did not load; the one before is kept"),
        (429, "Rate limit exceeded"),
        (503, "No index loaded yet"),
    ]
}


def create_app(config: Settings | None = None) -> FastAPI:
    config = config or settings()
    holder = Holder(config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        holder.start()
        async with mcp_server.session_manager.run():
            yield
        holder.stop()

    app = FastAPI(
        title="regkb",
        version=__version__,
        summary="Answers about the EU AI Act and Data Act, with the provisions that give them.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.holder = holder
    problems.install(app)
    app.middleware("http")(guard(config))
    if config.origin_list():
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.origin_list(),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    if config.host_list():
        # Outermost: a request for another Host (DNS rebinding, a stray vhost) is refused first.
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=config.host_list())
    _mount_docs(app)
    _mount_page(app)
    if config.slack_signing_secret and config.slack_bot_token:
        _mount_slack(app, holder, config)
    mcp_server = mcp.mount(app, holder, config)  # Model Context Protocol at /mcp

    @app.get("/healthz", response_model=Health, tags=["health"], summary="The process is alive")
    def healthz() -> Health:
        return Health()

    @app.get(
        "/readyz",
        response_model=Ready,
        tags=["health"],
        summary="The index is loaded",
        responses={503: _ERRORS[503]},
    )
    def readyz() -> Ready:
        kb = holder.kb
        m = kb.manifest
        return Ready(model=m.model.name, built_at=m.built_at, counts=m.counts, acts=[a.id for a in m.acts])

    @app.post(
        "/v1/ask",
        response_model=Answer,
        tags=["questions"],
        summary="Answer a question with cited provisions",
        responses={k: _ERRORS[k] for k in (401, 404, 413, 422, 429, 503)},
    )
    def ask(body: AskRequest, request: Request) -> Response:
        request.state.query = body.question
        answer = holder.kb.ask(
            body.question, k=body.k, docs=body.docs, history=body.history, version=body.version
        )
        return _json(answer)

    @app.post(
        "/v1/ask/stream",
        tags=["questions"],
        summary="The same answer as Server-Sent Events",
        description=(
            "Events: `citations` (the hits, versions and whether it abstains), then one `sentence` "
            "per sentence of the answer (a generated sentence once it passed the checks), then `done` "
            "with the whole answer. `restart` withdraws the sentences sent so far, when the language "
            "model fails part-way and the quoted answer follows. A failure arrives as an `error` event "
            "carrying a problem object, never as a broken stream."
        ),
        responses={
            200: {"content": {"text/event-stream": {}}},
            **{k: _ERRORS[k] for k in (401, 413, 422, 429)},
        },
    )
    def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
        request.state.query = body.question
        events = iterate_in_threadpool(_answer_events(holder, body))
        return StreamingResponse(
            events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    @app.post(
        "/v1/search",
        response_model=SearchResult,
        tags=["search"],
        summary="Ranked provisions for a query",
        responses={k: _ERRORS[k] for k in (401, 404, 413, 422, 429, 503)},
    )
    def search(body: SearchRequest, request: Request) -> Response:
        request.state.query = body.query
        result = holder.kb.search(
            body.query, k=body.k, docs=body.docs, kinds=list(body.kinds or []) or None, version=body.version
        )
        return _json(result)

    @app.get(
        "/v1/documents",
        response_model=Documents,
        tags=["documents"],
        summary="The acts in the index",
        responses={k: _ERRORS[k] for k in (401, 429, 503)},
    )
    def documents() -> Documents:
        return documents_of(holder.kb)

    @app.get(
        "/v1/documents/{doc}/units/{unit}",
        response_model=Provision,
        tags=["documents"],
        summary="One provision in full, with its cross-references both ways",
        responses={k: _ERRORS[k] for k in (401, 404, 429, 503)},
    )
    def provision(
        doc: str,
        unit: str,
        pinpoint: Annotated[str | None, Query(max_length=40, examples=["5(1)(f)"])] = None,
        version: Annotated[
            str | None,
            Query(pattern=VERSION_PATTERN, description="current (default), original or YYYY-MM-DD"),
        ] = None,
    ) -> Provision:
        return holder.kb.provision_of(doc, unit, pinpoint, version)

    @app.post(
        "/v1/admin/reload",
        tags=["admin"],
        summary="Load the index published last, now",
        responses={k: _ERRORS[k] for k in (401, 403, 409, 429, 503)},
    )
    def reload() -> JSONResponse:
        if not holder.reload():
            reason = holder.error or "The index did not load."
            if holder.loaded:  # the index loaded before is still served
                detail = f"{reason} The index loaded before is kept."
                return problems.problem(409, "Index not reloaded", detail)
            return problems.problem(503, "Index cannot be used", reason)
        return JSONResponse({"status": "reloaded", "built_at": holder.kb.manifest.built_at})

    return app


def _json(model: BaseModel) -> Response:
    """The model as JSON, serialised once by pydantic's Rust core. Returning the model instead
    makes FastAPI validate it again against `response_model` and walk it through
    `jsonable_encoder`: about 1 ms of a search's 20 KB (bench/http_load.py, docs/benchmarks.md).
    The `response_model` of the route still documents the shape."""
    return Response(model.model_dump_json(), media_type="application/json")


def _answer_events(holder: Holder, body: AskRequest) -> Iterator[str]:
    try:
        kb = holder.kb
        retrieval = kb.retrieve(
            body.question, k=body.k, docs=body.docs, history=body.history, version=body.version
        )
        hits = retrieval.result.hits
        yield _event(
            "citations",
            {
                "citations": [h.model_dump() for h in hits],
                "versions": [v.model_dump() for v in kb.versions(hits, retrieval.view)],
                "abstained": retrieval.verdict.abstain,
                "reason": retrieval.verdict.reason,
            },
        )
        # A generated sentence comes once it passed the checks; `restart` withdraws those sent
        # when the model fails part-way and the quoted answer follows instead.
        for item in kb.finish_stream(retrieval, body.history):
            if isinstance(item, Answer):
                yield _event("done", item.model_dump())
            elif isinstance(item, Sentence):
                yield _event("sentence", item.model_dump())
            else:
                yield _event("restart", {})
    except KBError as exc:
        status, title = problems.status_of(exc)
        yield _event("error", problems.Problem(title=title, status=status, detail=str(exc)).model_dump())
    except Exception:  # a stream must end with an event, not a cut connection
        log.exception("unhandled error in /v1/ask/stream")
        yield _event(
            "error",
            problems.Problem(
                title="Internal error",
                status=500,
                detail="Something went wrong on our side; it has been logged.",
            ).model_dump(),
        )


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI from the swagger-ui-bundle package, so the docs work offline."""
    import swagger_ui_bundle

    app.mount(
        "/static/swagger", StaticFiles(directory=Path(swagger_ui_bundle.swagger_ui_path)), name="swagger"
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="regkb API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )


def _mount_page(app: FastAPI) -> None:
    """The chat page: plain files beside this module, no build step and no CDN."""
    web = Path(__file__).parent / "web"
    app.mount("/web", StaticFiles(directory=web), name="web")

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((web / "index.html").read_text(encoding="utf-8"))


def _mount_slack(app: FastAPI, holder: Holder, config: Settings) -> None:
    """Slack's Events API, slash command and interactivity, all at /slack/events."""
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.concurrency import run_in_threadpool

    from api.slack.bot import build, timestamp_problem
    from api.slack.identity import shared

    bolt = build(holder, config, shared(config))

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> object:
        if reason := timestamp_problem(dict(request.headers)):
            return problems.problem(401, "Unauthorised", reason)
        bolt_request = to_bolt_request(request, await request.body())
        # bolt's App is synchronous: dispatch in a worker thread, never on the event loop.
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, bolt_request))

"""The HTTP API: questions, search and provisions under /v1, health checks, offline docs, the
chat page, and, when configured, Slack at /slack/events and MCP at /mcp.

The routes are in api/routes/, one router per capability; this module assembles them with the
guards (api/middleware.py) and the problem details (api/problems.py). Start it with `kb serve`
(or `uvicorn --factory api.app:create_app`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api import mcp, problems
from api.holder import Holder
from api.middleware import BodyLimit, guard
from api.routes import ROUTERS
from kb import __version__
from kb.config import Settings, settings


def create_app(config: Settings | None = None) -> FastAPI:
    """The app over a Holder of the configured index (loaded in the background at start-up)."""
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
    for router in ROUTERS:
        app.include_router(router)
    return app


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
    """The chat page and the page that checks a text's citations: plain files beside this
    module, no build step and no CDN."""
    web = Path(__file__).parent / "web"
    app.mount("/web", StaticFiles(directory=web), name="web")

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((web / "index.html").read_text(encoding="utf-8"))

    @app.get("/check", include_in_schema=False)
    def check_page() -> HTMLResponse:
        return HTMLResponse((web / "check.html").read_text(encoding="utf-8"))

    @app.get("/timeline", include_in_schema=False)
    def timeline_page() -> HTMLResponse:  # what starts applying when (kb/obligations)
        return HTMLResponse((web / "timeline.html").read_text(encoding="utf-8"))


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

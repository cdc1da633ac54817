"""The `kb` commands that serve the front doors: `kb serve` (the HTTP API, with Slack and MCP
mounted), `kb mcp` (MCP over standard input and output) and `kb slack --socket`. api/cli.py
registers them; heavy modules are imported inside, so that `kb --help` answers at once."""

from __future__ import annotations

from typing import Annotated

import typer

from api.errors import EXIT_NO_INDEX, EXIT_PORT, EXIT_SERVER, EXIT_USAGE


def fail(message: str, code: int) -> typer.Exit:
    """The command line's one-line error (api/cli.py's), imported when needed: api/cli.py
    imports this module."""
    from api.cli import _fail

    return _fail(message, code)


def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on (default KB_HOST, 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default KB_PORT, 8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes, each with its own model.")] = 1,
    llm: Annotated[
        str | None,
        typer.Option(
            help="`local`: start the packaged instruction model (KB_LLM_LOCAL_MODEL) with llama.cpp "
            "on loopback and write answers with it (needs `make llm`)."
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (and its docs at /docs); it picks up a newly ingested index by itself.

    Example: kb serve --port 8000
    Example: kb serve --llm local
    """
    import logging
    import os

    from kb.config import settings

    config = settings()
    if host:
        # The app reads where it listens from the settings (the MCP endpoint's DNS-rebinding
        # protection depends on it), in this process and in the workers.
        import os

        os.environ["KB_HOST"] = host
        settings.cache_clear()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if config.slack_signing_secret and config.slack_bot_token:
        _check_slack(config)
    if workers > 1 and not config.onnx_threads:
        # The workers share the cores: each encodes with its share of them (bench/http_load.py).
        os.environ["KB_ONNX_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    from api.startup import PortTaken, check_port

    try:
        check_port(host or config.host, port or config.port)
    except PortTaken as exc:
        raise fail(str(exc), EXIT_PORT) from None
    if llm is not None and llm != "local":
        raise fail(f"Unknown --llm {llm!r}: the only profile is `local` (or set KB_LLM_URL).", EXIT_USAGE)
    model_server = _start_local_llm(config) if llm == "local" else None
    try:
        _run_uvicorn(config, host, port, workers)
    finally:
        if model_server is not None:
            model_server.stop()


def _start_local_llm(config):  # type: ignore[no-untyped-def]
    """The local model server (api.local_llm.LocalModelServer) for `kb serve --llm local`,
    started, with KB_LLM_* pointing at it; a one-line error and exit code when it cannot start."""
    from api.local_llm import LocalLLMFailed, start_for_settings
    from api.startup import PortTaken
    from kb.config import settings
    from kb.local_models import LocalModelMissing

    typer.echo(f"Starting the local model {config.llm_local_model} (llama.cpp)…", err=True)
    try:
        server = start_for_settings(config, config.index_dir.parent / "llama_server.log")
    except PortTaken as exc:
        raise fail(f"The local model's port: {exc}", EXIT_PORT) from None
    except LocalModelMissing as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except LocalLLMFailed as exc:
        raise fail(str(exc), EXIT_SERVER) from None
    settings.cache_clear()
    typer.echo(f"The local model answers at {server.url} ({server.threads} threads).", err=True)
    return server


def _run_uvicorn(config, host: str | None, port: int | None, workers: int) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or config.host,
        port=port or config.port,
        workers=workers,
        access_log=False,
        log_level="info",
        # X-Forwarded-For is believed only from the proxies named; uvicorn's default believes
        # any client on 127.0.0.1, which would let a local client pick its own rate-limit key.
        proxy_headers=bool(config.proxy_list()),
        forwarded_allow_ips=config.proxy_list() or None,
    )


def mcp() -> None:
    """Serve the Model Context Protocol over standard input and output, for AI assistants.

    An assistant (Claude Desktop, VS Code) starts this command itself; see the README. Over HTTP,
    `kb serve` answers MCP at /mcp.

    Example: kb mcp
    """
    from api.mcp import serve_stdio
    from kb.config import settings

    serve_stdio(settings())


def slack(
    socket: Annotated[
        bool, typer.Option("--socket", help="Connect out through Socket Mode (needs SLACK_APP_TOKEN).")
    ] = False,
) -> None:
    """Run the Slack bot through Socket Mode, for workspaces that cannot reach a public URL.

    Over HTTP the bot needs no command: `kb serve` answers at /slack/events when SLACK_SIGNING_SECRET
    and SLACK_BOT_TOKEN are set.

    Example: SLACK_APP_TOKEN=xapp-… SLACK_BOT_TOKEN=xoxb-… kb slack --socket
    """
    from kb.config import settings

    config = settings()
    if not socket:
        raise fail("Over HTTP the bot runs inside `kb serve`; use --socket for Socket Mode.", EXIT_USAGE)
    if not (config.slack_app_token and config.slack_bot_token):
        raise fail("Socket Mode needs SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN (xoxb-…).", EXIT_USAGE)
    import logging

    from api.holder import Holder
    from api.slack import socket_mode
    from api.slack.identity import TokenRefused

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    identity = _check_slack(config)
    holder = Holder(config)
    if not holder.reload():
        raise fail(holder.error or "No index.", EXIT_NO_INDEX)
    try:
        socket_mode.run(holder, config, identity)
    except TokenRefused as exc:
        raise fail(str(exc), EXIT_USAGE) from None


def _check_slack(config):  # type: ignore[no-untyped-def]
    """Slack's auth.test once at start-up (config: Settings; returns api.slack.identity.BotIdentity).
    A refused SLACK_BOT_TOKEN is a one-line error; an unreachable Web API is checked again later."""
    from api.slack.identity import TokenRefused, verify

    try:
        return verify(config)
    except TokenRefused as exc:
        raise fail(str(exc), EXIT_USAGE) from None

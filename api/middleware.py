"""Request guards and the access log: body size, API keys, a per-client rate limit, one JSON
line per request."""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from kb.config import Settings

access_log = logging.getLogger("regkb.access")

# What the API keys and the rate limit guard: the HTTP API and the MCP endpoint (api/mcp.py).
GUARDED = ("/v1/", "/mcp")


class BodyLimit:
    """Refuse a body over the limit with 413, whether or not it declares its length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        refused = started = False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                refused = True
                if not started:
                    await self._refuse(scope, receive, send)
                # The app is told the client left: an exception raised here would reach FastAPI's
                # body parsing, which turns any exception into 400 "error parsing the body".
                return {"type": "http.disconnect"}
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; what the app answers to a cut body is dropped
            started = True
            await send(message)

        await self.app(scope, counted, sending)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, "Request too large", f"The request body is over {self.max_bytes} bytes.")
        await response(scope, receive, send)


class RateLimiter:
    """A token bucket per client: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                return 0.0
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate


Handler = Callable[[Request], Awaitable[Response]]


def guard(config: Settings) -> Callable[[Request, Handler], Awaitable[Response]]:
    keys = config.key_list()
    limiter = RateLimiter(config.rate_limit) if config.rate_limit else None

    async def middleware(request: Request, call_next: Handler) -> Response:
        started = time.perf_counter()
        path = request.url.path
        client = request.client.host if request.client else "-"
        response: Response
        guarded = path.startswith(GUARDED)
        if guarded and keys and not _authorised(request, keys):
            response = problem(
                401,
                "Unauthorised",
                "This server needs an API key: send the header 'Authorization: Bearer <key>'.",
            )
        elif guarded and limiter and (wait := limiter.allow(_client_key(request, client))):
            response = problem(429, "Too many requests", f"Slow down: try again in {wait:.1f} s.")
            response.headers["Retry-After"] = str(max(1, round(wait)))
        else:
            response = await call_next(request)
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "client": client,
        }
        if config.log_queries and getattr(request.state, "query", None):
            entry["query"] = request.state.query
        access_log.info(json.dumps(entry))
        return response

    return middleware


def _authorised(request: Request, keys: list[str]) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return any(hmac.compare_digest(token.strip().encode(), key.encode()) for key in keys)


def _client_key(request: Request, host: str) -> str:
    return request.headers.get("authorization") or host

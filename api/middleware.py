"""Request guards and the access log: body size, API keys, a per-client rate limit, the admin
route kept to keys or loopback, one JSON line per request."""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import time
from collections.abc import Awaitable, Callable

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from kb.config import Settings

access_log = logging.getLogger("regkb.access")

# What the API keys and the rate limit guard: the HTTP API and the MCP endpoint (api/mcp.py).
GUARDED = ("/v1/", "/mcp")
# Routes that change the server's state: with no keys set, only a client on this machine may call them.
ADMIN = ("/v1/admin/",)


class BodyLimit:
    """Refuse a body over the limit with 413, however it is sent (a declared Content-Length, or
    chunks with none): the body is read, up to the limit, before the app sees the request, then
    handed on as it came. A route (a Slack event, a JSON parser) never meets a cut-off body."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                break
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay() -> Message:
            # The body once, then whatever comes next (a disconnect, for a streamed answer).
            return body.pop() if body else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "Request too large",
            f"The request body is over {self.max_bytes} bytes (KB_MAX_BODY_BYTES).",
        )
        await response(scope, receive, send)


class RateLimiter:
    """`per_minute` requests per client in any minute (`seconds` in tests), by the `limits`
    library's sliding-window counter: two counters a client, each dropped by its memory storage
    once expired, so the state stays bounded by the clients of the last two windows. (Its
    moving window keeps an empty list per client ever seen, so it is not used.)"""

    def __init__(self, per_minute: int, seconds: int = 60) -> None:
        self.item = RateLimitItemPerSecond(per_minute, seconds)
        self.storage = MemoryStorage()
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)

    def allow(self, client: str) -> float:
        """0 when allowed, else the seconds to wait."""
        if self.limiter.hit(self.item, client):
            return 0.0
        reset = self.limiter.get_window_stats(self.item, client).reset_time
        return max(0.1, reset - time.time())

    def clients(self) -> int:
        """Counters held now (two a client at most): what the limit costs in memory."""
        return len(self.storage.storage)


Handler = Callable[[Request], Awaitable[Response]]


def guard(config: Settings) -> Callable[[Request, Handler], Awaitable[Response]]:
    keys = config.key_list()
    limiter = RateLimiter(config.rate_limit) if config.rate_limit else None

    async def middleware(request: Request, call_next: Handler) -> Response:
        started = time.perf_counter()
        path = request.url.path
        # The connecting address; uvicorn replaces it by X-Forwarded-For only from the proxies
        # KB_TRUSTED_PROXIES names (api/cli.py), so a client cannot choose its own.
        client = request.client.host if request.client else "-"
        response: Response
        guarded = path.startswith(GUARDED)
        identity = _key_identity(request, keys) if keys else None
        if guarded and keys and identity is None:
            response = problem(
                401,
                "Unauthorised",
                "This server needs an API key: send the header 'Authorization: Bearer <key>'.",
            )
        elif path.startswith(ADMIN) and not keys and not _loopback(client):
            response = problem(
                403,
                "Forbidden",
                "Admin routes answer only this machine while no API keys are set (KB_API_KEYS).",
            )
        elif guarded and limiter and (wait := limiter.allow(identity or f"address:{client}")):
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


def _key_identity(request: Request, keys: list[str]) -> str | None:
    """Which key the request carries ("key:2", the third of KB_API_KEYS), or None: the limit
    counts a key's requests together however the header is spelled."""
    header = request.headers.get("authorization", "")
    parts = header.split(None, 1)  # any run of spaces or tabs, as RFC 9110 allows
    if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].strip():
        return None
    token = parts[1]
    given = token.strip().encode()
    found = None
    for n, key in enumerate(keys):
        if hmac.compare_digest(given, key.encode()):  # every key compared: no early exit to time
            found = f"key:{n}"
    return found


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

"""Errors as RFC 9457 problem details (application/problem+json), each with a message a
person can act on. Nothing ever answers with a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import mapped
from kb.errors import KBError

log = logging.getLogger("regkb.api")

MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    type: str = Field("about:blank", description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = Field(None, description="Each invalid field, for 422")


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, **extra).model_dump(exclude_none=True)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def status_of(exc: KBError) -> tuple[int, str]:
    """The status and title of the problem `exc` is (the one mapping, api/errors.py)."""
    found = mapped(exc)
    return found.status, found.title


def problem_of(exc: KBError) -> Problem:
    """`exc` as a problem object, for a response or a streamed `error` event."""
    status, title = status_of(exc)
    return Problem(title=title, status=status, detail=str(exc))


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "")} for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        detail = f"{first['field']}: {first['message']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(KBError)
    async def kb_error(_request: Request, exc: KBError) -> JSONResponse:
        status, title = status_of(exc)
        return problem(status, title, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
        detail = exc.detail if isinstance(exc.detail, str) else "The request cannot be served."
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), detail)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return problem(500, "Internal error", "Something went wrong on our side; the error has been logged.")

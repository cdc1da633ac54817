"""POST /v1/admin/reload: load the index published last without waiting for the watcher."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api import problems
from api.routes.common import errors, holder

router = APIRouter(tags=["admin"])


@router.post(
    "/v1/admin/reload",
    summary="Load the index published last, now",
    responses=errors(401, 403, 409, 429, 503),
)
def reload(request: Request) -> JSONResponse:
    held = holder(request)
    if not held.reload():
        reason = held.error or "The index did not load."
        if held.loaded:  # the index loaded before is still served
            return problems.problem(409, "Index not reloaded", f"{reason} The index loaded before is kept.")
        return problems.problem(503, "Index cannot be used", reason)
    return JSONResponse({"status": "reloaded", "built_at": held.kb.manifest.built_at})

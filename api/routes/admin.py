"""POST /v1/admin/reload: load the index published last without waiting for the watcher."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api import problems
from api.routes.common import errors, holder

router = APIRouter(tags=["admin"])


@router.post(
    "/v1/admin/reload", summary="Load the index published last, now", responses=errors(401, 429, 503)
)
def reload(request: Request) -> JSONResponse:
    held = holder(request)
    if not held.reload():
        return problems.problem(503, "Index cannot be used", held.error or "The index did not load.")
    return JSONResponse({"status": "reloaded", "built_at": held.kb.manifest.built_at})

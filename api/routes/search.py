"""POST /v1/search: ranked provisions for a query."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.routes.common import as_json, errors, loaded
from api.schemas import SearchRequest
from kb.results import SearchResult

router = APIRouter(tags=["search"])


@router.post(
    "/v1/search",
    response_model=SearchResult,
    summary="Ranked provisions for a query",
    responses=errors(401, 404, 413, 422, 429, 503),
)
def search(body: SearchRequest, request: Request) -> Response:
    request.state.query = body.query
    kinds = list(body.kinds or []) or None
    result = loaded(request).search(body.query, k=body.k, docs=body.docs, kinds=kinds, version=body.version)
    return as_json(result)

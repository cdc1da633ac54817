"""What every router shares: the loaded knowledge base, the documented error responses, and
results serialised once."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from api import problems
from api.holder import Holder
from kb.knowledge import KnowledgeBase

_ERROR_TEXT = {
    401: "Missing or wrong API key",
    403: "Refused: an admin route from another machine without API keys",
    404: "Unknown act or provision",
    409: "The new index did not load; the one before is kept",
    413: "Request body too large",
    422: "Invalid request",
    429: "Rate limit exceeded",
    503: "No index loaded yet",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route that may answer with these problem statuses."""
    return {
        status: {
            "model": problems.Problem,
            "description": _ERROR_TEXT[status],
            "content": {problems.MEDIA_TYPE: {}},
        }
        for status in statuses
    }


def holder(request: Request) -> Holder:
    """The app's Holder (api/holder.py), set by create_app."""
    found: Holder = request.app.state.holder
    return found


def loaded(request: Request) -> KnowledgeBase:
    """The knowledge base loaded now; raises IndexMissing (a 503) while there is none."""
    return holder(request).kb


def as_json(model: BaseModel) -> Response:
    """The model as JSON, serialised once by pydantic's Rust core. Returning the model instead
    makes FastAPI validate it again against `response_model` and walk it through
    `jsonable_encoder`: about 1 ms of a search's 20 KB (bench/http_load.py, docs/benchmarks.md).
    The `response_model` of the route still documents the shape."""
    return Response(model.model_dump_json(), media_type="application/json")

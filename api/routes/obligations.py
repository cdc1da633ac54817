"""Who must do what, from when: GET /v1/obligations and GET /v1/timeline (kb/obligations).
A look-up in the loaded index's obligations table, not a search."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.routes.common import errors, loaded
from api.schemas import VERSION_PATTERN

router = APIRouter(tags=["obligations"])


@router.get(
    "/v1/obligations",
    summary="The obligations of a role, with the date each applies from",
    description="Each item: doc, unit, pinpoint, label, the operative sentence verbatim, role, "
    "system, conditions, points_to, applies_from (date and the provision that sets it), limits "
    "(derogations and transitional provisions), url (EUR-Lex). An unknown doc, role or system is "
    "a 422 naming the valid ones.",
    responses=errors(401, 422, 429, 503),
)
def obligations(
    request: Request,
    doc: Annotated[str | None, Query(max_length=64, examples=["ai-act"])] = None,
    role: Annotated[str | None, Query(max_length=120, examples=["deployer"])] = None,
    system: Annotated[str | None, Query(max_length=120, examples=["high-risk (Annex III)"])] = None,
    version: Annotated[str | None, Query(pattern=VERSION_PATTERN)] = None,
    on: Annotated[str | None, Query(max_length=10, examples=["2027-01-01"])] = None,
) -> Any:
    from kb.obligations.lookup import find
    from kb.obligations.store import load

    files = loaded(request).files
    found = find(load(files), files.manifest.acts, doc, role, system, version, on)
    # Serialised once, as api/routes/common.py `as_json` does for models: FastAPI's encoder
    # walks every nested dict again (about 10 ms for a role's 30 items under load).
    return Response(json.dumps({"obligations": found, "count": len(found)}), media_type="application/json")


@router.get(
    "/v1/timeline",
    summary="What starts applying when, per act",
    responses=errors(401, 422, 429, 503),
)
def timeline(
    request: Request,
    doc: Annotated[str | None, Query(max_length=64)] = None,
    version: Annotated[str | None, Query(pattern=VERSION_PATTERN)] = None,
) -> dict[str, Any]:
    from kb.obligations.lookup import timeline as entries
    from kb.obligations.store import load

    files = loaded(request).files
    return {"timeline": entries(load(files), files.manifest.acts, doc, version)}

"""The acts and their provisions: GET /v1/documents, one provision by its id
(/v1/documents/{doc}/units/{unit}) or as people write it (/v1/provisions?reference=…)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.routes.common import errors, loaded
from api.schemas import VERSION_PATTERN
from kb.results import Documents, Provision

router = APIRouter(tags=["documents"])

VersionQuery = Annotated[
    str | None,
    Query(pattern=VERSION_PATTERN, description="current (default), original or YYYY-MM-DD"),
]


@router.get(
    "/v1/documents",
    response_model=Documents,
    summary="The acts in the index",
    responses=errors(401, 429, 503),
)
def documents(request: Request) -> Documents:
    return loaded(request).documents()


@router.get(
    "/v1/documents/{doc}/units/{unit}",
    response_model=Provision,
    summary="One provision in full, with its cross-references both ways",
    responses=errors(401, 404, 429, 503),
)
def provision(
    request: Request,
    doc: str,
    unit: str,
    pinpoint: Annotated[str | None, Query(max_length=40, examples=["5(1)(f)"])] = None,
    version: VersionQuery = None,
) -> Provision:
    return loaded(request).provision_of(doc, unit, pinpoint, version)


@router.get(
    "/v1/provisions",
    response_model=Provision,
    summary="One provision named as people write it",
    description='"AI Act Art. 5(1)(f)", "Article 2(13) Data Act", "Annex III point 4" or "data-act '
    'art_25": the provision in full, read as `kb show` reads it (a pinpoint marks the part named). '
    "A reference that names no act and fits several is refused with the acts to choose from.",
    responses=errors(401, 404, 422, 429, 503),
)
def provision_by_reference(
    request: Request,
    reference: Annotated[str, Query(min_length=1, max_length=200, examples=["AI Act Art. 5(1)(f)"])],
    doc: Annotated[
        str | None, Query(max_length=64, description="The act a reference without one means")
    ] = None,
    version: VersionQuery = None,
) -> Provision:
    return loaded(request).provision(reference, doc=doc, version=version)

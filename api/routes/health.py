"""Is the process alive (/healthz), and is an index loaded (/readyz)? Both open without a key."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.routes.common import errors, loaded
from api.schemas import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Ready, summary="The index is loaded", responses=errors(503))
def readyz(request: Request) -> Ready:
    m = loaded(request).manifest
    return Ready(model=m.model.name, built_at=m.built_at, counts=m.counts, acts=[a.id for a in m.acts])

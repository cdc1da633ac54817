"""POST /v1/check: the citations in a text, each resolved and its claim judged."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.routes.common import as_json, errors, loaded
from api.schemas import CheckRequest
from kb.citecheck.models import CheckReport

router = APIRouter(tags=["citations"])


@router.post(
    "/v1/check",
    response_model=CheckReport,
    summary="Check the citations in a text",
    description=(
        "Every citation of the acts in the text (any form `kb show` reads, and EUR-Lex links): "
        "`resolved`, `not_found` (with what the act has instead), `outside` (an act the index "
        "does not hold, with its EUR-Lex link) or `ambiguous`; and whether the cited provision "
        "says what the sentence claims: `supported` (with its words), `not_supported` (with the "
        "provisions that do say it, where found) or `unverified`."
    ),
    responses=errors(401, 404, 413, 422, 429, 503),
)
def check(body: CheckRequest, request: Request) -> Response:
    request.state.query = body.text
    return as_json(loaded(request).check_citations(body.text, docs=body.docs, version=body.version))

"""Questions: POST /v1/ask (the answer as one JSON object) and POST /v1/ask/stream (the same
answer as Server-Sent Events, sentence by sentence)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from api import problems
from api.holder import Holder
from api.routes.common import as_json, errors, holder, loaded
from api.schemas import AskRequest
from kb.errors import KBError
from kb.results import Answer, Sentence

log = logging.getLogger("regkb.api")
router = APIRouter(tags=["questions"])

STREAM_EVENTS = (
    "Events: for a question not in English that is translated, first `progress` (step "
    "`translating`, its language and the local model, a message in the question's language) before "
    "the translation runs, and `progress` again (step `translated`, with the translation searched) "
    "when it is used; then `citations` (the hits, versions and whether it abstains), then one `sentence` "
    "per sentence of the answer (a generated sentence once it passed the checks), then `done` "
    "with the whole answer. `restart` withdraws the sentences sent so far, when the language "
    "model fails part-way and the quoted answer follows. A failure arrives as an `error` event "
    "carrying a problem object, never as a broken stream."
)


@router.post(
    "/v1/ask",
    response_model=Answer,
    summary="Answer a question with cited provisions",
    responses=errors(401, 404, 413, 422, 429, 503),
)
def ask(body: AskRequest, request: Request) -> Response:
    request.state.query = body.question
    answer = loaded(request).ask(
        body.question, k=body.k, docs=body.docs, history=body.history, version=body.version
    )
    return as_json(answer)


@router.post(
    "/v1/ask/stream",
    summary="The same answer as Server-Sent Events",
    description=STREAM_EVENTS,
    responses={200: {"content": {"text/event-stream": {}}}, **errors(401, 413, 422, 429)},
)
def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
    request.state.query = body.question
    events = iterate_in_threadpool(answer_events(holder(request), body))
    return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def answer_events(held: Holder, body: AskRequest) -> Iterator[str]:
    """The answer to `body` as SSE events; never raises, a failure is the last event."""
    try:
        kb = held.kb
        steps = kb.retrieve_steps(
            body.question, k=body.k, docs=body.docs, history=body.history, version=body.version
        )
        # A question not in English is told at once that it is being translated (seconds), then
        # what it is searched as; an English one goes straight to its citations.
        while True:
            try:
                yield event("progress", next(steps).model_dump())
            except StopIteration as stop:
                retrieval = stop.value
                break
        yield event("citations", kb.sources(retrieval).model_dump())
        # A generated sentence comes once it passed the checks; `restart` withdraws those sent
        # when the model fails part-way and the quoted answer follows instead.
        for item in kb.finish_stream(retrieval, body.history):
            if isinstance(item, Answer):
                yield event("done", item.model_dump())
            elif isinstance(item, Sentence):
                yield event("sentence", item.model_dump())
            else:
                yield event("restart", {})
    except KBError as exc:
        yield event("error", problems.problem_of(exc).model_dump())
    except Exception:  # a stream must end with an event, not a cut connection
        log.exception("unhandled error in /v1/ask/stream")
        failed = problems.Problem(
            title="Internal error", status=500, detail="Something went wrong on our side; it has been logged."
        )
        yield event("error", failed.model_dump())


def event(name: str, data: object) -> str:
    """One Server-Sent Event carrying `data` as JSON."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

"""One contract, two sources: the same calls against a KnowledgeBase loaded here and a RemoteKB
talking to a real `kb serve` on loopback over the same index give the same results and raise
the same errors (as simonw/llm's test_async_parity.py holds its sync and async models to one
behaviour). A call added to the KnowledgeSource protocol belongs in CALLS."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from kb.client import RemoteKB
from kb.errors import BadQuery, KBError, UnknownDocument, UnknownUnit
from kb.knowledge import KnowledgeBase
from kb.results import Turn
from kb.source import KnowledgeSource
from tests.helpers import settings_env
from tests.process import Server

ANNEX_III = "When do the obligations for high-risk AI systems in Annex III apply?"
PROVIDERS = [Turn(question="What are the obligations of providers of high-risk AI systems?")]

# (call, args, keyword arguments): every method of the protocol, with each parameter used.
CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("search", ("switching charges",), {}),
    ("search", ("recital 15 of the Data Act",), {"k": 3}),
    ("search", ("cloud switching",), {"docs": ["data-act"], "kinds": ["recital"]}),
    ("search", ("AI literacy",), {"docs": ["AI Act"], "version": "original"}),
    ("search", ("Was ist ein Anbieter?",), {"k": 4}),
    ("ask", ("Can we use emotion recognition on our staff?",), {}),
    ("ask", ("What is the maximum GDPR fine?",), {}),
    ("ask", ("and for deployers?",), {"history": PROVIDERS}),
    ("ask", (ANNEX_III,), {"k": 3, "version": "original"}),
    ("ask", (ANNEX_III,), {"docs": ["data-act"], "version": "2026-08-01"}),
    ("provision", ("AI Act Art. 5(1)(f)",), {}),
    ("provision", ("Article 25",), {"doc": "data-act"}),
    ("provision", ("AI Act Art. 113",), {"version": "original"}),
    ("provision", ("data-act art_2",), {}),
    ("provision_of", ("data-act", "art_25"), {}),
    ("provision_of", ("ai-act", "art_5"), {"pinpoint": "5(1)(f)", "version": "2026-07-27"}),
    ("documents", (), {}),
    ("check_citations", ("Deployers keep logs for six months (Article 26(6) of the AI Act).",), {}),
    ("check_citations", ("Article 12(4) AIA seals the logs. Art. 30 GDPR too.",), {"version": "original"}),
]

# The same calls with bad input: the same error, with the same message.
FAILING: list[tuple[str, tuple[Any, ...], dict[str, Any], type[KBError]]] = [
    ("search", ("fines",), {"docs": ["gdpr"]}, UnknownDocument),
    ("ask", ("fines",), {"version": "1999-01-01"}, BadQuery),
    ("ask", ("fines",), {"docs": ["ai-act-amendment-2026-1744"], "version": "2025-01-01"}, BadQuery),
    ("provision", ("AI Act Art. 120",), {}, UnknownUnit),
    ("provision", ("Article 2",), {}, BadQuery),
    ("provision", ("the colour of the sky",), {}, BadQuery),
    ("provision", ("AI Act Art. 4a",), {"version": "original"}, UnknownUnit),
    ("provision_of", ("ai-act", "art_999"), {}, UnknownUnit),
    ("provision_of", ("gdpr", "art_5"), {}, UnknownDocument),
    ("check_citations", ("Article 5 AIA",), {"docs": ["gdpr"]}, UnknownDocument),
]

# Bad input the server's request schema refuses before the knowledge base reads it: the same
# error, each side with its own words.
REFUSED: list[tuple[str, tuple[Any, ...], dict[str, Any], type[KBError]]] = [
    ("ask", ("   ",), {}, BadQuery),
    ("search", ("fines",), {"kinds": ["footnote"]}, BadQuery),
    ("search", ("fines",), {"version": "last year"}, BadQuery),
    ("check_citations", ("  ",), {}, BadQuery),
]


@pytest.fixture(scope="module")
def server(index_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(settings_env(index_settings), tmp_path_factory.mktemp("parity") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def remote(server: Server) -> RemoteKB:
    return RemoteKB(server.url, timeout=120)


def _same(value: Any) -> Any:
    """A result as compared: its JSON shape, without the time it took, floats to 6 digits (the
    encoder's arithmetic may differ in the last bits between two processes)."""
    if isinstance(value, BaseModel):
        return _same(value.model_dump(mode="json"))
    if isinstance(value, dict):
        # Time taken, and when the index was built (a test of hot reload publishes a newer one
        # under the same link: the server may hold that one), are no behaviour of the contract.
        return {k: _same(v) for k, v in value.items() if k not in ("took_ms", "built_at")}
    if isinstance(value, list):
        return [_same(v) for v in value]
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else value
    return value


def _id(call: tuple[Any, ...]) -> str:
    return f"{call[0]}{call[1]}{call[2] or ''}"[:80]


def test_both_are_knowledge_sources(knowledge: KnowledgeBase, remote: RemoteKB) -> None:
    assert isinstance(knowledge, KnowledgeSource) and isinstance(remote, KnowledgeSource)


@pytest.mark.parametrize(("name", "args", "kwargs"), CALLS, ids=[_id(c) for c in CALLS])
def test_the_same_call_gives_the_same_result(
    knowledge: KnowledgeBase, remote: RemoteKB, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    local = getattr(knowledge, name)(*args, **kwargs)
    over_http = getattr(remote, name)(*args, **kwargs)
    assert type(over_http) is type(local)
    assert _same(over_http) == _same(local)


@pytest.mark.parametrize(("name", "args", "kwargs", "error"), FAILING, ids=[_id(c) for c in FAILING])
def test_the_same_bad_input_raises_the_same_error(
    knowledge: KnowledgeBase,
    remote: RemoteKB,
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: type[KBError],
) -> None:
    with pytest.raises(error) as local:
        getattr(knowledge, name)(*args, **kwargs)
    with pytest.raises(error) as over_http:
        getattr(remote, name)(*args, **kwargs)
    assert type(over_http.value) is type(local.value)
    assert str(over_http.value) == str(local.value)


@pytest.mark.parametrize(("name", "args", "kwargs", "error"), REFUSED, ids=[_id(c) for c in REFUSED])
def test_input_the_schema_refuses_raises_the_same_kind_of_error(
    knowledge: KnowledgeBase,
    remote: RemoteKB,
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: type[KBError],
) -> None:
    with pytest.raises(error) as local:
        getattr(knowledge, name)(*args, **kwargs)
    with pytest.raises(error) as over_http:
        getattr(remote, name)(*args, **kwargs)
    assert type(over_http.value) is type(local.value)
    assert str(local.value) and str(over_http.value)

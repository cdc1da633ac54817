"""The contract of the front doors, without an index: KnowledgeBase and RemoteKB offer every
call of the KnowledgeSource protocol with the same parameters, and an error crosses HTTP as the
same error (api/errors.py maps it to a problem, kb/client.py maps the problem back).

tests/test_parity.py holds the two to the same results over a real index and server."""

from __future__ import annotations

import inspect

import httpx
import pytest

from api.errors import MAPPING, mapped
from api.problems import problem_of
from kb.client import RemoteKB
from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.source import KnowledgeSource

CALLS = ["ask", "check_citations", "documents", "provision", "provision_of", "search"]


def _shape(func: object) -> list[tuple[str, object, object, object]]:
    """Each parameter after self: name, kind, default and annotation (as written)."""
    params = list(inspect.signature(func).parameters.values())[1:]  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default, p.annotation) for p in params]


def test_the_protocol_is_the_calls_it_names() -> None:
    own = sorted(n for n, v in vars(KnowledgeSource).items() if callable(v) and not n.startswith("_"))
    assert own == CALLS


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("source", [KnowledgeBase, RemoteKB], ids=["local", "remote"])
def test_both_sources_take_the_same_parameters(source: type, name: str) -> None:
    expected = getattr(KnowledgeSource, name)
    found = getattr(source, name)
    assert _shape(found) == _shape(expected)
    assert inspect.signature(found).return_annotation == inspect.signature(expected).return_annotation


def _remote(response: httpx.Response) -> RemoteKB:
    remote = RemoteKB("http://regkb.test")
    remote.http = httpx.Client(base_url=remote.url, transport=httpx.MockTransport(lambda _request: response))
    return remote


@pytest.mark.parametrize("cls", [cls for cls, _ in MAPPING], ids=lambda c: c.__name__)
def test_an_error_crosses_http_as_the_same_error(cls: type[KBError]) -> None:
    error = cls("/tmp/index", "it went wrong") if "Index" in cls.__name__ else cls("it went wrong")
    problem = problem_of(error)
    assert problem.status == mapped(error).status
    body = problem.model_dump(exclude_none=True)
    response = httpx.Response(problem.status, json=body, headers={"content-type": "application/problem+json"})
    with pytest.raises(cls) as raised:
        _remote(response).search("fines")
    assert str(error) in str(raised.value)


def test_a_404_that_is_no_act_or_provision_is_the_server_failing() -> None:
    """An older server without a route answers 404 "Not found": not an unknown provision."""
    from kb.errors import ServerUnavailable

    response = httpx.Response(404, json={"title": "Not found", "status": 404, "detail": "Not Found"})
    with pytest.raises(ServerUnavailable, match="failed \\(404\\)"):
        _remote(response).provision("AI Act Art. 5")


def test_the_core_presents_nothing() -> None:
    """How a medium shows results (Rich for the terminal, Block Kit, problem+json) lives in
    api/; the core returns result models (issue 28 moved kb/render.py to api/render.py)."""
    from pathlib import Path

    import kb

    core = Path(kb.__file__).parent
    presenting = ("from rich", "import rich", "from fastapi", "import fastapi", "from slack", "import slack")
    offenders = [
        f"{path.relative_to(core.parent)}: {line.strip()}"
        for path in core.rglob("*.py")
        for line in path.read_text().splitlines()
        if line.strip().startswith(presenting)
    ]
    assert offenders == []

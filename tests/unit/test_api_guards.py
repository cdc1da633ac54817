"""The HTTP API's guards, in-process through the ASGI interface: body limit, API keys, rate limit.

The app is the real one (`api.app.create_app`) with no index loaded: a request the guards let
through reaches its route and is answered there (422 for a body the route cannot read, 503 for
"no index loaded"), so a status of 401, 413 or 429 can only come from a guard.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kb.config import Settings

LIMIT = 2048  # bytes; KB_MAX_BODY_BYTES accepts 1024 and up
QUESTION = {"question": "What is a provider?"}


def app_client(tmp_path: Path, **settings: object) -> TestClient:
    from api.app import create_app

    config = Settings(index_dir=tmp_path / "index", reload_interval=0, **settings)  # type: ignore[arg-type]
    # Not entered as a context manager: the lifespan (which loads the index) does not run.
    return TestClient(create_app(config))


@pytest.fixture
def limited(tmp_path: Path) -> TestClient:
    return app_client(tmp_path, max_body_bytes=LIMIT)


def test_a_body_within_the_limit_reaches_the_route(limited: TestClient) -> None:
    response = limited.post("/v1/ask", content=b'{"question": ' + b" " * (LIMIT - 20) + b"}")
    assert response.status_code == 422  # the route read it: not JSON it can use


def test_a_declared_body_over_the_limit_is_refused_with_413(limited: TestClient) -> None:
    response = limited.post("/v1/ask", json={"question": "x" * LIMIT})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"The request body is over {LIMIT} bytes (KB_MAX_BODY_BYTES)."


def test_a_streamed_body_without_a_length_is_counted_and_refused(limited: TestClient) -> None:
    def body() -> Iterator[bytes]:
        for _ in range(8):
            yield b"x" * 512

    response = limited.post("/v1/ask", content=body(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_without_a_key_the_api_and_mcp_answer_401_and_health_stays_open(tmp_path: Path) -> None:
    client = app_client(tmp_path, api_keys="k1,k2")
    for path in ("/v1/ask", "/mcp"):
        response = client.post(path, json=QUESTION)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.post("/v1/ask", json=QUESTION, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/healthz").status_code == 200
    # A good key passes the guard: the route answers that no index is loaded.
    assert client.post("/v1/ask", json=QUESTION, headers={"Authorization": "Bearer k2"}).status_code == 503


def test_past_the_rate_limit_a_client_gets_429_with_retry_after(tmp_path: Path) -> None:
    client = app_client(tmp_path, rate_limit=3)
    statuses = [client.post("/v1/ask", json=QUESTION).status_code for _ in range(5)]
    assert statuses == [503, 503, 503, 429, 429]
    refused = client.post("/v1/ask", json=QUESTION)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    # 3 a minute: the next request is allowed about 20 s later.
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # The health checks are not counted against anyone.
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5


def test_each_key_has_its_own_allowance(tmp_path: Path) -> None:
    client = app_client(tmp_path, rate_limit=2, api_keys="alice,bob")

    def status(key: str) -> int:
        return client.post("/v1/ask", json=QUESTION, headers={"Authorization": f"Bearer {key}"}).status_code

    assert [status("alice") for _ in range(3)] == [503, 503, 429]
    assert [status("bob") for _ in range(2)] == [503, 503]


def test_without_a_rate_limit_nobody_is_refused(tmp_path: Path) -> None:
    client = app_client(tmp_path)
    assert {client.post("/v1/ask", json=QUESTION).status_code for _ in range(30)} == {503}

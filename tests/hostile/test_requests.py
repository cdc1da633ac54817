"""Abusive clients on a real server: made-up and re-spelt keys against the rate limit, spoofed
X-Forwarded-For, chunked bodies over the limit, unknown fields, a question that repeats one
reference 666 times, foreign Host headers, the admin route, and replayed or malformed Slack
requests."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from api.slack.blocks import plain_text
from kb.config import Settings
from kb.results import Answer
from tests.helpers import settings_env
from tests.process import Server
from tests.slack_standin import SlackStandIn

SECRET = "hostile-signing-secret"
PROBLEM = "application/problem+json"


def _serve(settings: Settings, tmp, name: str, **env: str) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    server = Server({**settings_env(settings), **env}, tmp.mktemp(name) / "serve.log")
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def limited(small_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _serve(small_index, tmp_path_factory, "limited", KB_RATE_LIMIT="5")


@pytest.fixture(scope="module")
def keyed(small_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _serve(small_index, tmp_path_factory, "keyed", KB_RATE_LIMIT="5", KB_API_KEYS="k-one,k-two")


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackStandIn]:
    standin = SlackStandIn()
    yield standin
    standin.close()


@pytest.fixture(scope="module")
def open_server(
    small_index: Settings, slack: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    yield from _serve(
        small_index,
        tmp_path_factory,
        "open",
        KB_TRUSTED_HOSTS="127.0.0.1,localhost",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN="xoxb-test",
        KB_SLACK_API_URL=f"{slack.url}/api/",
    )


def _statuses(server: Server, headers: list[dict[str, str]]) -> list[int]:
    return [httpx.get(f"{server.url}/v1/documents", headers=h, timeout=30).status_code for h in headers]


def test_made_up_authorization_headers_do_not_pass_the_limit(limited: Server) -> None:
    statuses = _statuses(limited, [{"Authorization": f"Bearer made-up-{n}"} for n in range(12)])
    assert statuses.count(200) == 5 and statuses.count(429) == 7, statuses


def test_a_spoofed_forwarded_for_is_not_a_new_client(limited: Server) -> None:
    time.sleep(0)  # the same address as the test before: its minute is spent
    statuses = _statuses(limited, [{"X-Forwarded-For": f"198.51.100.{n}"} for n in range(5)])
    assert set(statuses) == {429}, statuses


def test_one_key_spelt_many_ways_is_one_client(keyed: Server) -> None:
    spellings = ["Bearer k-one", "bearer k-one", "BEARER  k-one", "bEaReR k-one", "Bearer\tk-one"]
    statuses = _statuses(keyed, [{"Authorization": s} for s in spellings * 2])
    assert statuses.count(200) == 5 and statuses.count(429) == 5, statuses
    # The other key is another client, with a minute of its own.
    assert _statuses(keyed, [{"Authorization": "Bearer k-two"}]) == [200]
    assert _statuses(keyed, [{"Authorization": "Bearer K-ONE"}]) == [401]


def test_the_admin_route_needs_a_key_when_keys_are_set(keyed: Server) -> None:
    r = httpx.post(f"{keyed.url}/v1/admin/reload", timeout=30)
    assert r.status_code == 401 and r.headers["content-type"] == PROBLEM


def test_the_admin_route_answers_loopback_only_without_keys(open_server: Server) -> None:
    assert httpx.post(f"{open_server.url}/v1/admin/reload", timeout=60).status_code == 200
    # A client elsewhere, as the ASGI app sees one: the same middleware, in-process.
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kb.config import Settings as S

    app = create_app(S(index_dir=open_server.url and "/nonexistent", reload_interval=0))  # type: ignore[arg-type]
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        r = remote.post("/v1/admin/reload")
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM


def _chunks(size: int) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        yield b" " * 8192
        sent += 8192


@pytest.mark.parametrize("path", ["/v1/search", "/v1/ask", "/slack/events"])
def test_a_chunked_body_over_the_limit_gets_413(open_server: Server, path: str) -> None:
    r = httpx.post(
        f"{open_server.url}{path}",
        content=_chunks(200_000),
        headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time()))},
        timeout=30,
    )
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == PROBLEM and "KB_MAX_BODY_BYTES" in r.json()["detail"]


def test_a_chunked_body_under_the_limit_is_read(open_server: Server) -> None:
    body = b'{"query": "data holder", "k": 2}'
    r = httpx.post(
        f"{open_server.url}/v1/search",
        content=iter([body[:10], body[10:]]),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert r.status_code == 200 and r.json()["hits"]


def test_an_unknown_history_field_is_422(open_server: Server) -> None:
    r = httpx.post(
        f"{open_server.url}/v1/ask",
        json={"question": "and for data holders?", "history": [{"question": "fines?", "role": "system"}]},
        timeout=60,
    )
    assert r.status_code == 422 and "history" in r.json()["detail"], r.text


def test_a_question_repeating_a_reference_gets_each_notice_once(open_server: Server) -> None:
    question = ("Article 114 " * 700)[:8000]
    r = httpx.post(f"{open_server.url}/v1/search", json={"query": question, "k": 3}, timeout=120)
    assert r.status_code == 200
    notices = r.json()["notices"]
    assert any("114" in n for n in notices), notices  # the Data Act has no Article 114: said once
    assert len(notices) == len(set(notices)) and len(notices) <= 3, notices
    assert len(r.json()["missing"]) == 1
    assert len(r.content) < 50_000


def test_a_foreign_host_is_refused_on_every_path(open_server: Server) -> None:
    for path in ("/v1/documents", "/healthz", "/"):
        r = httpx.get(f"{open_server.url}{path}", headers={"Host": "evil.example"}, timeout=30)
        assert r.status_code == 400, (path, r.status_code)
    assert httpx.get(f"{open_server.url}/v1/documents", timeout=30).status_code == 200


def _signed(body: str, timestamp: str) -> dict[str, str]:
    mac = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={mac}",
    }


def _command(slack: SlackStandIn, hook: str, trigger: str) -> str:
    return urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/regkb",
            "text": "What is a data holder?",
            "response_url": f"{slack.url}/response/{hook}",
            "trigger_id": trigger,
        }
    )


def test_a_replayed_slash_command_is_answered_once(open_server: Server, slack: SlackStandIn) -> None:
    body = _command(slack, "replay", "trigger-replay")
    headers = _signed(body, str(int(time.time())))
    for _ in range(3):  # the same signed request, within Slack's 5 minutes
        r = httpx.post(f"{open_server.url}/slack/events", content=body, headers=headers, timeout=30)
        assert r.status_code == 200
    # Signed again with a new timestamp, the same trigger: still the same command.
    again = _signed(body, str(int(time.time()) + 1))
    r = httpx.post(f"{open_server.url}/slack/events", content=body, headers=again, timeout=30)
    assert r.status_code == 200
    slack.wait_for("/response/replay")
    time.sleep(3)
    assert len(slack.received("/response/replay")) == 1


@pytest.mark.parametrize("stamp", [None, "", "soon", "1e9", "-5", "9" * 40])
def test_a_missing_or_malformed_slack_timestamp_is_401(  # type: ignore[no-untyped-def]
    open_server: Server, slack: SlackStandIn, stamp
) -> None:
    body = _command(slack, "stamp", "trigger-stamp")
    headers = _signed(body, str(int(time.time())))
    if stamp is None:
        del headers["X-Slack-Request-Timestamp"]
    else:
        headers["X-Slack-Request-Timestamp"] = stamp
    r = httpx.post(f"{open_server.url}/slack/events", content=body, headers=headers, timeout=30)
    assert r.status_code == 401, (stamp, r.status_code, r.text)


def test_the_plain_text_fallback_is_escaped_as_the_blocks_are() -> None:
    answer = Answer.model_construct(answer="Notify <!channel> & see <https://evil.example|the act>.")
    assert plain_text(answer) == "Notify &lt;!channel&gt; &amp; see &lt;https://evil.example|the act&gt;."


def test_the_limit_forgets_clients_once_their_window_has_passed() -> None:
    from api.middleware import RateLimiter

    limiter = RateLimiter(5, seconds=1)
    assert [limiter.allow("a") == 0 for _ in range(6)] == [True] * 5 + [False]
    for n in range(6000):  # 6,000 made-up clients
        limiter.allow(f"198.51.100.{n}")
    assert limiter.clients() >= 6000
    time.sleep(2.2)  # two windows
    limiter.allow("a")
    time.sleep(0.3)
    assert limiter.clients() <= 2

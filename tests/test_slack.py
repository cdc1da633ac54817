"""The Slack bot on the real server: requests signed as Slack signs them, answers arriving at a
stand-in for Slack's Web API and response_url, and the Block Kit they carry."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from api.process import Server
from kb.config import Settings
from tests.helpers import settings_env
from tests.slack_standin import SlackStandIn

SECRET = "test-signing-secret"


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackStandIn]:
    standin = SlackStandIn()
    yield standin
    standin.close()


@pytest.fixture(scope="module")
def server(
    index_settings: Settings, slack: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    env = {
        **settings_env(index_settings),
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "KB_SLACK_API_URL": f"{slack.url}/api/",
        "KB_PUBLIC_URL": "https://regkb.example.org",
    }
    srv = Server(env, tmp_path_factory.mktemp("slack") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def post(
    server: Server,
    body: str,
    content_type: str,
    *,
    secret: str = SECRET,
    age: int = 0,
    headers: dict[str, str] | None = None,
    sign: bool = True,
) -> tuple[httpx.Response, float]:
    timestamp = str(int(time.time()) - age)
    signature = (
        "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    )
    h = {"Content-Type": content_type, **(headers or {})}
    if sign:
        h |= {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    started = time.monotonic()
    r = httpx.post(f"{server.url}/slack/events", content=body, headers=h, timeout=30)
    return r, time.monotonic() - started


def slash(server: Server, slack: SlackStandIn, text: str, hook: str) -> tuple[httpx.Response, float]:
    body = urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/regkb",
            "text": text,
            "response_url": f"{slack.url}/response/{hook}",
            "trigger_id": "1.2.3",
        }
    )
    return post(server, body, "application/x-www-form-urlencoded")


def event(
    server: Server, payload: dict, event_id: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": payload,
        }
    )
    return post(server, body, "application/json", headers=headers)[0]


def check_block_kit(blocks: list[dict]) -> None:
    assert 0 < len(blocks) <= 50
    for block in blocks:
        assert block["type"] in {"section", "context", "actions"}
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10


def links(blocks: list[dict]) -> list[str]:
    texts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    return [t for t in texts if "<https://eur-lex.europa.eu/" in t]


def test_a_slash_command_is_acknowledged_at_once_and_answered_through_response_url(
    server: Server, slack: SlackStandIn
) -> None:
    r, took = slash(server, slack, "How much notice must a cloud provider give before switching?", "cloud")
    assert r.status_code == 200 and took < 3.0
    print(f"slash command acknowledged in {took * 1000:.0f} ms")
    reply = slack.wait_for("/response/cloud")[0]["body"]
    assert reply["response_type"] == "ephemeral"
    check_block_kit(reply["blocks"])
    sources = links(reply["blocks"])
    assert any("#art_25|Data Act, Article 25" in s for s in sources), sources
    share = [b for b in reply["blocks"] if b["type"] == "actions"]
    assert share and share[0]["elements"][0]["action_id"] == "share_answer"
    assert any(
        "OJ L, 2023/2854" in e["text"]
        for b in reply["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
    )


def test_a_question_the_acts_do_not_answer_gets_a_plain_message(server: Server, slack: SlackStandIn) -> None:
    slash(server, slack, "What is the maximum GDPR fine?", "gdpr")
    blocks = slack.wait_for("/response/gdpr")[0]["body"]["blocks"]
    check_block_kit(blocks)
    text = json.dumps(blocks)
    assert "do not answer" in text and "low confidence" in text


def test_a_mention_is_answered_in_its_thread(server: Server, slack: SlackStandIn) -> None:
    r = event(
        server,
        {
            "type": "app_mention",
            "user": "U1",
            "channel": "CM",
            "ts": "1700.000100",
            "text": "<@UBOT> Can we use emotion recognition on our staff?",
        },
        "EvMention",
    )
    assert r.status_code == 200
    posted = slack.posted_to("CM")[0]
    assert posted["thread_ts"] == "1700.000100"
    check_block_kit(posted["blocks"])
    assert any("#art_5|AI Act, Article 5(1)" in s for s in links(posted["blocks"]))


def test_a_direct_message_is_answered(server: Server, slack: SlackStandIn) -> None:
    event(
        server,
        {
            "type": "message",
            "channel_type": "im",
            "user": "U1",
            "channel": "DM1",
            "ts": "1700.000200",
            "text": "What is a deployer under the AI Act?",
        },
        "EvDM",
    )
    posted = slack.posted_to("DM1")[0]
    assert any("#art_3|AI Act, Article 3, point (4)" in s for s in links(posted["blocks"]))


def test_a_follow_up_in_a_thread_uses_the_thread(server: Server, slack: SlackStandIn) -> None:
    slack.threads["1800.000100"] = [
        {
            "user": "U1",
            "ts": "1800.000100",
            "text": "<@UBOT> What are the obligations of providers of high-risk AI systems?",
        },
        {"bot_id": "BBOT", "ts": "1800.000200", "text": "Providers shall …"},
        {"user": "U1", "ts": "1800.000300", "text": "<@UBOT> and for deployers?"},
    ]
    event(
        server,
        {
            "type": "app_mention",
            "user": "U1",
            "channel": "CT",
            "ts": "1800.000300",
            "thread_ts": "1800.000100",
            "text": "<@UBOT> and for deployers?",
        },
        "EvThread",
    )
    posted = slack.posted_to("CT")[0]
    assert posted["thread_ts"] == "1800.000100"
    assert "#art_26|AI Act, Article 26" in links(posted["blocks"])[0]


@pytest.mark.parametrize("problem", ["bad signature", "old timestamp", "no headers"])
def test_unsigned_or_stale_requests_are_refused_and_nothing_is_posted(
    server: Server, slack: SlackStandIn, problem: str
) -> None:
    before = len(slack.calls)
    body = urlencode(
        {
            "command": "/regkb",
            "text": "fines",
            "response_url": f"{slack.url}/response/refused",
            "team_id": "T1",
            "user_id": "U1",
            "channel_id": "C1",
        }
    )
    kwargs: dict = {
        "bad signature": {"secret": "wrong"},
        "old timestamp": {"age": 600},
        "no headers": {"sign": False},
    }[problem]
    r, _ = post(server, body, "application/x-www-form-urlencoded", **kwargs)
    assert r.status_code == 401
    time.sleep(2)
    assert len(slack.calls) == before


def test_a_retried_event_is_answered_once(server: Server, slack: SlackStandIn) -> None:
    payload = {
        "type": "app_mention",
        "user": "U1",
        "channel": "CR",
        "ts": "1900.000100",
        "text": "<@UBOT> When did the Data Act start to apply?",
    }
    assert event(server, payload, "EvRetry").status_code == 200
    assert (
        event(
            server,
            payload,
            "EvRetry",
            headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        ).status_code
        == 200
    )
    assert event(server, payload, "EvRetry").status_code == 200
    slack.posted_to("CR")
    time.sleep(3)
    assert len(slack.posted_to("CR")) == 1


def test_a_long_answer_is_cut_cleanly_within_slacks_limits(server: Server) -> None:
    from api.slack.blocks import answer_blocks
    from kb.results import Answer

    body = httpx.post(
        f"{server.url}/v1/ask",
        json={"question": "What must providers of high-risk AI systems do?", "k": 20},
        timeout=60,
    ).json()
    answer = Answer.model_validate(body)
    # Far more than fits: every sentence fifty times over, and some longer than a section.
    answer.sentences = [s.model_copy(update={"text": s.text * 3}) for s in answer.sentences] * 50
    blocks = answer_blocks(answer, "https://regkb.example.org/", share=True)
    check_block_kit(blocks)
    text = json.dumps(blocks)
    assert "Read the whole answer on the web" in text and "https://regkb.example.org/?q=" in text
    assert len(links(blocks)) == 10  # the sources survive the cut
    assert blocks[-1]["type"] == "actions"


def test_text_from_users_and_acts_is_escaped_for_mrkdwn(server: Server, slack: SlackStandIn) -> None:
    slash(server, slack, "<!channel> & <https://evil.example|click> What are switching charges?", "escape")
    blocks = slack.wait_for("/response/escape")[0]["body"]["blocks"]
    question = blocks[0]["elements"][0]["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in question

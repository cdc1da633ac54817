"""The Slack bot on the real server: requests signed as Slack signs them, answers arriving at a
stand-in for Slack's Web API and response_url, and the Block Kit they carry; acknowledgements
in time while that Web API is slow, hung or unreachable; a refused token at start-up; and
Socket Mode through `kb slack --socket` against a WebSocket stand-in."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from kb.config import Settings
from tests.helpers import kb, settings_env
from tests.process import KB, Server, free_port
from tests.slack_standin import SlackStandIn

SECRET = "test-signing-secret"
# Slack's acknowledgement window: https://api.slack.com/interactivity/slash-commands#responding_basic_receipt
ACK_WINDOW_S = 3.0


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackStandIn]:
    standin = SlackStandIn()
    yield standin
    standin.close()


@pytest.fixture(scope="module")
def server(
    index_settings: Settings, slack: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    # 8 s: longer than the stand-in's 5-second slow answers, short enough for the hung ones.
    env = {**slack_env(index_settings, slack), "KB_SLACK_API_TIMEOUT": "8"}
    srv = Server(env, tmp_path_factory.mktemp("slack") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def slack_env(index_settings: Settings, slack: SlackStandIn) -> dict[str, str]:
    return {
        **settings_env(index_settings),
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "KB_SLACK_API_URL": f"{slack.url}/api/",
        "KB_PUBLIC_URL": "https://regkb.example.org",
    }


def wait_for_log(log: Path, text: str, timeout: float = 60) -> str:
    """The first line of a server's log that holds `text`, once it is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if text in line:
                return line
        time.sleep(0.2)
    raise TimeoutError(f"{text!r} not in the log: {log.read_text()[-3000:]}")


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
    """Send /regkb with `text`; its response_url is the stand-in's /response/{hook} and its
    trigger id (the request id in the logs) is trigger-{hook}."""
    body = urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/regkb",
            "text": text,
            "response_url": f"{slack.url}/response/{hook}",
            "trigger_id": f"trigger-{hook}",
        }
    )
    return post(server, body, "application/x-www-form-urlencoded")


def event(
    server: Server, payload: dict, event_id: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return timed_event(server, payload, event_id, headers)[0]


def timed_event(
    server: Server, payload: dict, event_id: str, headers: dict[str, str] | None = None
) -> tuple[httpx.Response, float]:
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
    return post(server, body, "application/json", headers=headers)


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
    assert "do not answer" in text and "they do not answer the question" in text


def test_a_provision_of_an_act_not_held_is_declined_with_its_eur_lex_link(
    server: Server, slack: SlackStandIn
) -> None:
    # Issue 31: "GDPR Article 30" is never answered from the AI Act or the Data Act.
    slash(server, slack, "GDPR Article 30", "gdpr-30")
    blocks = slack.wait_for("/response/gdpr-30")[0]["body"]["blocks"]
    check_block_kit(blocks)
    text = json.dumps(blocks, ensure_ascii=False)
    assert "GDPR (General Data Protection Regulation) is not in this knowledge base" in text
    assert "https://eur-lex.europa.eu/eli/reg/2016/679/oj" in text
    assert "ambiguous" not in text and "do not answer" in text
    # A declined answer cites nothing: no line of versions "cited" (issue 31).
    assert "OJ L, 2024/1689" not in text and "OJ L, 2023/2854" not in text


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


def mention(channel: str, ts: str, text: str) -> dict:
    return {"type": "app_mention", "user": "U1", "channel": channel, "ts": ts, "text": f"<@UBOT> {text}"}


# The Web API in trouble. These run after the tests above, on the same server: answers still
# in flight from here must not land in their counts.


def test_a_failed_response_url_is_logged_and_the_user_told(server: Server, slack: SlackStandIn) -> None:
    slack.fail_next["/response/flaky"] = 1
    r, _ = slash(server, slack, "What is a deployer under the AI Act?", "flaky")
    assert r.status_code == 200
    tries = slack.wait_for("/response/flaky", count=2)
    assert "blocks" in tries[0]["body"]  # the answer, refused with a 503
    assert "could not be delivered to Slack (request trigger-flaky)" in tries[1]["body"]["text"]
    line = wait_for_log(server.log, "Could not post the answer to request trigger-flaky")
    assert "HTTP 503" in line


def test_acknowledged_in_time_while_the_web_api_answers_after_5_s(
    server: Server, slack: SlackStandIn
) -> None:
    slack.delay = 5.0
    try:
        r, took = slash(server, slack, "What is a deployer under the AI Act?", "slow")
        assert r.status_code == 200 and took < ACK_WINDOW_S, took
        r, took_event = timed_event(server, mention("CSLOW", "2000.000100", "What is a deployer?"), "EvSlow")
        assert r.status_code == 200 and took_event < ACK_WINDOW_S, took_event
        print(
            f"with a 5 s Web API: slash command acknowledged in {took * 1000:.0f} ms, event in "
            f"{took_event * 1000:.0f} ms"
        )
        # The answers still arrive, once the slow API has taken them.
        reply = slack.wait_for("/response/slow")[0]["body"]
        assert any("#art_3|AI Act, Article 3, point (4)" in s for s in links(reply["blocks"]))
        posted = slack.posted_to("CSLOW")[0]
        assert posted["thread_ts"] == "2000.000100"
    finally:
        slack.delay = 0.0
    time.sleep(6)  # let the slow answers finish before the next test


def test_acknowledged_in_time_while_the_web_api_hangs(server: Server, slack: SlackStandIn) -> None:
    slack.hang()
    try:
        # More mentions than bolt has listener threads (5): none may hold up the command's ack.
        slowest = 0.0
        for n in range(6):
            r, took = timed_event(
                server, mention(f"CHANG{n}", f"2100.00010{n}", "What is a provider?"), f"EvHang{n}"
            )
            assert r.status_code == 200 and took < ACK_WINDOW_S, (n, took)
            slowest = max(slowest, took)
        r, took = slash(server, slack, "What is a deployer under the AI Act?", "hung")
        assert r.status_code == 200 and took < ACK_WINDOW_S, took
        print(
            f"with a hung Web API: 6 events acknowledged in at most {slowest * 1000:.0f} ms, "
            f"then the slash command in {took * 1000:.0f} ms"
        )
        r, took = slash(server, slack, "", "empty")
        assert r.status_code == 200 and "Ask a question" in r.text
        # Each answer was tried, given up after KB_SLACK_API_TIMEOUT and logged with its request id.
        assert slack.wait_for("/response/hung")
        assert slack.posted_to("CHANG0")
        wait_for_log(server.log, "Could not post the answer to event EvHang0 in CHANG0")
        wait_for_log(server.log, "Could not post the answer to request trigger-hung through its response_url")
    finally:
        slack.release()


def test_the_bot_starts_and_answers_while_the_web_api_is_unreachable(
    index_settings: Settings, tmp_path: Path
) -> None:
    slack = SlackStandIn()
    slack.hang("/api/")  # slack.com/api does not answer; the response_url host does
    env = {**slack_env(index_settings, slack), "KB_SLACK_API_TIMEOUT": "2"}
    server = Server(env, tmp_path / "server.log")
    try:
        server.wait_ready()
        wait_for_log(server.log, "did not answer auth.test within 2 s")
        r, took = slash(server, slack, "What is a deployer under the AI Act?", "down")
        assert r.status_code == 200 and took < ACK_WINDOW_S, took
        print(f"with the Web API unreachable since start-up: acknowledged in {took * 1000:.0f} ms")
        assert any("#art_3|" in s for s in links(slack.wait_for("/response/down")[0]["body"]["blocks"]))
        # Once Slack answers again, the bot learns who it is without a restart.
        slack.release()
        wait_for_log(server.log, "Slack: signed in as bot user UBOT", timeout=30)
        event(server, mention("CBACK", "2200.000100", "What is a deployer?"), "EvBack")
        assert slack.posted_to("CBACK")[0]["thread_ts"] == "2200.000100"
    finally:
        server.stop()
        slack.close()


@pytest.mark.parametrize(
    ("command", "token"),
    [("serve", "SLACK_BOT_TOKEN"), ("slack", "SLACK_BOT_TOKEN"), ("slack", "SLACK_APP_TOKEN")],
)
def test_a_refused_token_is_a_one_line_start_up_error(
    index_settings: Settings, command: str, token: str
) -> None:
    slack = SlackStandIn(socket_mode=True)
    if token == "SLACK_BOT_TOKEN":
        slack.refuse_bot_token = "invalid_auth"
    else:
        slack.refuse_app_token = "invalid_auth"
    env = {**slack_env(index_settings, slack), "SLACK_APP_TOKEN": "xapp-test"}
    args = ["serve", "--port", str(free_port())] if command == "serve" else ["slack", "--socket"]
    try:
        started = time.monotonic()
        result = kb(*args, env=env, timeout=120)
        took = time.monotonic() - started
    finally:
        slack.close()
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0] == result.stderr.strip().splitlines()[-1], result.stderr
    assert f"Slack refused {token} (invalid_auth)" in errors[0]
    if token == "SLACK_BOT_TOKEN":  # checked before anything else, so the only line
        assert result.stderr.strip() == errors[0]
        assert not slack.received("apps.connections.open")
    print(f"kb {command} stopped on a refused {token} in {took:.1f} s")


# Socket Mode, through `kb slack --socket` as a user runs it.


@pytest.fixture(scope="module")
def socket_bot(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackStandIn]:
    slack = SlackStandIn(socket_mode=True)
    log = tmp_path_factory.mktemp("socket") / "bot.log"
    env = {**slack_env(index_settings, slack), "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "xapp-test"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [KB, "slack", "--socket"],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        assert slack.socket
        slack.socket.wait_for_connection(1)
        yield slack
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        slack.close()


def envelope(kind: str, envelope_id: str, payload: dict) -> dict:
    """A Socket Mode envelope as Slack sends one."""
    message = {"envelope_id": envelope_id, "type": kind, "payload": payload}
    if kind == "events_api":
        message |= {"accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""}
    else:
        message |= {"accepts_response_payload": True}
    return message


def socket_mention(envelope_id: str, event_id: str, event: dict) -> dict:
    return envelope(
        "events_api",
        envelope_id,
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        },
    )


def test_socket_mode_answers_a_mention(socket_bot: SlackStandIn) -> None:
    socket = socket_bot.socket
    assert socket and socket.paths[0].startswith("/link/?ticket=ticket-1")
    sent = socket.send(
        socket_mention("env-mention", "EvSocket1", mention("CSOCK", "2300.000100", "What is a deployer?"))
    )
    number, ack, at = socket.wait_for_ack("env-mention")
    assert number == 1 and ack == {"envelope_id": "env-mention"}
    assert at - sent < ACK_WINDOW_S
    print(f"Socket Mode: mention acknowledged in {(at - sent) * 1000:.0f} ms")
    posted = socket_bot.posted_to("CSOCK")[0]
    assert posted["thread_ts"] == "2300.000100"
    assert any("#art_3|AI Act, Article 3, point (4)" in s for s in links(posted["blocks"]))
    assert socket_bot.received("chat.postMessage")[-1]["auth"] == "Bearer xoxb-test"


def test_socket_mode_answers_a_slash_command(socket_bot: SlackStandIn) -> None:
    socket = socket_bot.socket
    assert socket
    sent = socket.send(
        envelope(
            "slash_commands",
            "env-slash",
            {
                "token": "legacy",
                "team_id": "T1",
                "channel_id": "C1",
                "user_id": "U1",
                "command": "/regkb",
                "text": "How much notice must a cloud provider give before switching?",
                "api_app_id": "A1",
                "response_url": f"{socket_bot.url}/response/socket-slash",
                "trigger_id": "trigger-socket",
            },
        )
    )
    _, ack, at = socket.wait_for_ack("env-slash")
    assert at - sent < ACK_WINDOW_S
    print(f"Socket Mode: slash command acknowledged in {(at - sent) * 1000:.0f} ms")
    assert ack["payload"]["response_type"] == "ephemeral"
    assert ack["payload"]["text"].startswith("Looking it up: How much notice")
    reply = socket_bot.wait_for("/response/socket-slash")[0]["body"]
    check_block_kit(reply["blocks"])
    assert any("#art_25|Data Act, Article 25" in s for s in links(reply["blocks"]))


def test_socket_mode_reconnects_when_slack_says_disconnect(socket_bot: SlackStandIn) -> None:
    socket = socket_bot.socket
    assert socket
    opened = len(socket_bot.received("apps.connections.open"))
    asked = socket.send(
        {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "applink-standin"}}
    )
    socket.wait_for_connection(2, timeout=30)
    print(f"Socket Mode: reconnected {time.monotonic() - asked:.2f} s after `disconnect`")
    assert len(socket_bot.received("apps.connections.open")) == opened + 1
    assert socket.paths[1].startswith("/link/?ticket=ticket-2")  # the new URL, not the old one
    # The new connection answers. slack_sdk's built-in client lets go of the old connection only
    # when that one's 3-second socket read times out, so an envelope sent at once can wait that
    # long; it is acknowledged on the new connection all the same.
    sent = socket.send(
        socket_mention("env-after", "EvSocket2", mention("CSOCK2", "2400.000100", "What is a provider?"))
    )
    number, _, at = socket.wait_for_ack("env-after")
    assert number == 2
    print(f"Socket Mode: first envelope after the reconnect acknowledged in {(at - sent) * 1000:.0f} ms")
    assert socket_bot.posted_to("CSOCK2")[0]["thread_ts"] == "2400.000100"
    deadline = time.monotonic() + 10
    while socket.connections[0].state.name != "CLOSED" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert socket.connections[0].state.name == "CLOSED"
    # Once the old connection is gone, acknowledgements are prompt again, and no third
    # connection was opened along the way.
    sent = socket.send(
        socket_mention("env-later", "EvSocket3", mention("CSOCK3", "2500.000100", "What is a deployer?"))
    )
    number, _, at = socket.wait_for_ack("env-later")
    assert number == 2 and at - sent < ACK_WINDOW_S
    assert len(socket.connections) == 2
    assert socket_bot.posted_to("CSOCK3")[0]["thread_ts"] == "2500.000100"


@pytest.fixture(scope="module")
def translating_server(
    index_settings: Settings, slack: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The server with questions not in English translated by the packaged 0.5B model."""
    pytest.importorskip("llama_cpp", reason="the translation step needs the `llm` extra")
    env = {**slack_env(index_settings, slack), "KB_TRANSLATE": "qwen2.5-coder-0.5b-instruct"}
    srv = Server(env, tmp_path_factory.mktemp("slack-translating") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def test_a_german_follow_up_to_an_english_question_shows_its_translation(
    translating_server: Server, slack: SlackStandIn
) -> None:
    english = "What are the obligations of providers of high-risk AI systems?"
    german = "Und welche Pflichten haben die Betreiber?"
    slack.threads["1900.000100"] = [
        {"user": "U1", "ts": "1900.000100", "text": f"<@UBOT> {english}"},
        {"bot_id": "BBOT", "ts": "1900.000200", "text": "Providers shall …"},
        {"user": "U1", "ts": "1900.000300", "text": f"<@UBOT> {german}"},
    ]
    payload = {
        "type": "app_mention",
        "user": "U1",
        "channel": "CDE",
        "ts": "1900.000300",
        "thread_ts": "1900.000100",
        "text": f"<@UBOT> {german}",
    }
    event(translating_server, payload, "EvGerman")
    # The translation takes seconds to tens of seconds on a busy two-core machine.
    posted = slack.posted_to("CDE", timeout=300)[0]
    text = json.dumps(posted["blocks"], ensure_ascii=False)
    assert posted["thread_ts"] == "1900.000100"
    assert "ins Englische übersetzt" in text and "amtlichen englischen Wortlaut" in text
    assert links(posted["blocks"]) and "AI Act, Article" in links(posted["blocks"])[0]

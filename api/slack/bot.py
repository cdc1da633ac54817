"""The Slack bot: /regkb, @regkb mentions and direct messages, answered in Block Kit.

slack-bolt verifies each request's signature (signing secret, 5-minute window, constant-time
comparison). Nothing between a request's arrival and its acknowledgement calls Slack's Web API:
the bot's identity comes from `BotIdentity` (auth.test at start-up, never per request), and each
listener only acknowledges and hands the question to a pool of its own, so a slow or hung Web
API cannot hold the 3-second acknowledgement, nor tie up bolt's workers that run the next
acknowledgement. The answer follows through the command's response_url or in the message's
thread; a failure to post it is logged with the request id (the event id, or the command's
trigger id) and, for commands, reported to the user through response_url when that works.
Slack retries a request it thinks went unanswered; a retry is acknowledged and dropped, and
event ids are remembered, so no question is answered twice."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_token_skipped
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from api.errors import mapped
from api.holder import Holder
from api.slack.blocks import answer_blocks, error_blocks, escape, plain_text
from api.slack.identity import BotIdentity, web_client
from kb.config import Settings
from kb.errors import KBError
from kb.results import Answer, Turn
from kb.vocabulary import MAX_QUERY_CHARS

log = logging.getLogger("regkb.slack")

_MENTION = re.compile(r"<@[A-Z0-9]+>")
HISTORY_TURNS = 6
USAGE = "Ask a question after the command, e.g. `/regkb Can we use emotion recognition on our staff?`"
# Questions answered at once. A search already uses every core, so more would only queue for
# the CPU; four keep new questions moving while a few answers wait on a slow Web API to post.
ANSWER_WORKERS = 4
NOT_DELIVERED = "The answer could not be delivered to Slack (request {id}); please ask again in a moment."


class _Seen:
    """Event ids seen lately: Slack may deliver one event twice."""

    def __init__(self, size: int = 2048) -> None:
        self.ids: OrderedDict[str, float] = OrderedDict()
        self.lock = threading.Lock()
        self.size = size

    def first_time(self, event_id: str) -> bool:
        with self.lock:
            if event_id in self.ids:
                return False
            self.ids[event_id] = time.monotonic()
            while len(self.ids) > self.size:
                self.ids.popitem(last=False)
            return True


def build(holder: Holder, config: Settings, identity: BotIdentity | None = None) -> App:
    """The bolt App answering /regkb, mentions, direct messages and the share button.

    `identity` supplies the per-request authorization without calling Slack; without one, a
    new BotIdentity is made and asked in the background. Serve the App over HTTP (api.app) or
    Socket Mode (api.slack.socket_mode)."""
    if identity is None:
        identity = BotIdentity(config)
        identity.start()
    # bolt reads SLACK_BOT_TOKEN from the environment by itself, then warns that `authorize`
    # overrides it; our authorize returns that same token, so the warning would only mislead.
    logging.getLogger("slack_bolt.App").addFilter(_QUIET)

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # bolt passes the arguments a plain function names; a bound method's `self` confuses it.
        return identity.authorize(enterprise_id, team_id)

    app = App(
        signing_secret=config.slack_signing_secret,
        client=web_client(config),
        # Our authorize never calls Slack, unlike bolt's single-workspace one (auth.test on the
        # first request, a 500 when that fails).
        authorize=authorize,
        process_before_response=False,
    )
    pool = ThreadPoolExecutor(max_workers=ANSWER_WORKERS, thread_name_prefix="regkb-slack-answer")
    seen = _Seen()
    # A signed request is valid for 5 minutes (bolt's window); one seen before in that time is a
    # replay. 8,192 remembered is more than Slack sends a busy workspace's bot in 5 minutes.
    signed = _Seen(size=8192)
    web_url = config.public_url.rstrip("/") + "/" if config.public_url else None

    @app.middleware
    def drop_retries(req: Any, resp: BoltResponse, next: Any) -> BoltResponse | None:
        return _repeated(req, seen, signed) or next()

    answers = _Answers(holder, config, web_url)

    @app.command("/regkb")
    def slash(ack: Any, command: dict) -> None:
        question = (command.get("text") or "").strip()
        if not question:
            ack(response_type="ephemeral", text=USAGE)
            return
        ack(response_type="ephemeral", text=f"Looking it up: {escape(question[:200])}")
        pool.submit(answers.command, question, command)

    @app.action("share_answer")
    def share(ack: Any, body: dict) -> None:
        ack()
        pool.submit(answers.share, body)

    def on_message(event: dict, body: dict, client: WebClient, context: dict) -> None:
        pool.submit(answers.in_thread, event, client, context.get("bot_user_id"), body.get("event_id") or "?")

    @app.event("app_mention")
    def mention(event: dict, body: dict, client: WebClient, context: dict) -> None:
        on_message(event, body, client, context)

    @app.event("message")
    def direct(event: dict, body: dict, client: WebClient, context: dict) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        on_message(event, body, client, context)

    return app


class _Answers:
    """The work after the acknowledgement, in the bot's own pool: answer the question from the
    Holder's knowledge base and post the answer, or what went wrong, back to Slack."""

    def __init__(self, holder: Holder, config: Settings, web_url: str | None) -> None:
        self.holder = holder
        self.config = config
        self.web_url = web_url

    def answer(self, question: str, history: list[Turn] | None = None) -> Answer:
        return self.holder.kb.ask(question, k=5, history=history)

    def respond(self, url: str | None, payload: dict, request_id: str) -> None:
        """Post to a response_url; when that fails, log it and try to tell the user there."""
        if not url:
            log.error("No response_url to answer request %s.", request_id)
            return
        hook = WebhookClient(url, timeout=self.config.slack_api_timeout)
        problem = _post(hook, payload)
        if problem is None:
            return
        log.error("Could not post the answer to request %s through its response_url: %s", request_id, problem)
        notice = NOT_DELIVERED.format(id=request_id)
        problem = _post(hook, {"response_type": "ephemeral", "text": notice, "blocks": error_blocks(notice)})
        if problem is None:
            log.info("Told the user of request %s that the answer could not be delivered.", request_id)
        else:
            log.error("Could not tell the user of request %s either: %s", request_id, problem)

    def command(self, question: str, command: dict) -> None:
        """Answer /regkb through the command's response_url, visible to its user only."""
        request_id = command.get("trigger_id") or "?"
        try:
            result = self.answer(question)
            payload = {
                "response_type": "ephemeral",
                "replace_original": True,
                "text": plain_text(result),
                "blocks": answer_blocks(result, self.web_url, share=True),
            }
        except KBError as exc:
            payload = {
                "response_type": "ephemeral",
                "text": escape(str(exc)),
                "blocks": error_blocks(f"{exc} {mapped(exc).advice}"),
            }
        except Exception:
            log.exception("Answering request %s failed", request_id)
            payload = {
                "response_type": "ephemeral",
                "text": "Something went wrong.",
                "blocks": error_blocks("Something went wrong on our side; please try again in a moment."),
            }
        self.respond(command.get("response_url"), payload, request_id)

    def share(self, body: dict) -> None:
        """The share button: the same answer again, posted in the channel for everyone."""
        request_id = body.get("trigger_id") or "?"
        question = body["actions"][0]["value"]
        try:
            result = self.answer(question)
        except Exception:
            log.exception("Answering request %s failed", request_id)
            return
        payload = {
            "response_type": "in_channel",
            "delete_original": True,
            "text": plain_text(result),
            "blocks": answer_blocks(result, self.web_url),
        }
        self.respond(body.get("response_url"), payload, request_id)

    def in_thread(self, event: dict, client: WebClient, bot_user: str | None, event_id: str) -> None:
        """Answer a mention or direct message in its thread, read with the thread before it."""
        question = _MENTION.sub("", event.get("text") or "").strip()
        channel = event["channel"]
        thread = event.get("thread_ts") or event["ts"]
        user = event.get("user", "")
        try:
            if not question:
                client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread,
                    text="Ask me a question about the AI Act or the Data Act.",
                )
                return
            try:
                result = self.answer(question, _thread_history(client, channel, event, bot_user))
            except KBError as exc:
                text = escape(f"{exc} {mapped(exc).advice}")
                client.chat_postEphemeral(channel=channel, user=user, text=text)
                return
            except Exception:
                log.exception("Answering event %s failed", event_id)
                client.chat_postEphemeral(
                    channel=channel,
                    user=user,
                    text="Something went wrong on our side; please try again in a moment.",
                )
                return
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread,
                text=plain_text(result),
                blocks=answer_blocks(result, self.web_url),
            )
        except Exception as exc:  # the Web API: timed out, unreachable, or an error answer
            log.error(
                "Could not post the answer to event %s in %s: %s: %s",
                event_id,
                channel,
                exc.__class__.__name__,
                exc,
            )


class _NoTokenSkippedWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_token_skipped()


_QUIET = _NoTokenSkippedWarning()


def _post(hook: WebhookClient, payload: dict) -> str | None:
    """Send to a response_url; None when Slack took it, else what went wrong."""
    try:
        response = hook.send_dict(payload)
    except Exception as exc:  # timed out or unreachable
        return f"{exc.__class__.__name__}: {exc}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {(response.body or '')[:200]}"
    return None


def _thread_history(client: WebClient, channel: str, event: dict, bot_user: str | None) -> list[Turn]:
    """The earlier questions of the thread, for follow-ups ("and for deployers?")."""
    thread = event.get("thread_ts")
    if not thread or thread == event.get("ts"):
        return []
    try:
        replies = client.conversations_replies(channel=channel, ts=thread, limit=50).get("messages", [])
    except Exception as exc:  # the Web API is down: answer the question on its own
        log.warning("Could not read thread %s in %s (%s); answering without it.", thread, channel, exc)
        return []
    turns = []
    for message in replies:
        if message.get("ts") == event.get("ts") or message.get("bot_id") or message.get("user") == bot_user:
            continue
        text = _MENTION.sub("", message.get("text") or "").strip()
        if text:
            turns.append(Turn(question=text[:MAX_QUERY_CHARS]))
    return turns[-HISTORY_TURNS:]


def _repeated(req: Any, seen: _Seen, signed: _Seen) -> BoltResponse | None:
    """An empty 200 for a delivery answered already (a retry, an event seen, a replayed signed
    request or trigger), else None."""
    # Over HTTP a retry carries X-Slack-Retry-Num: 1, 2, 3; Socket Mode envelopes carry
    # retry_attempt 0 on the first delivery, which bolt passes on as the same header.
    retry = (req.headers.get("x-slack-retry-num") or ["0"])[0]
    if retry not in ("", "0"):
        # The first delivery is being answered already.
        return BoltResponse(status=200, body="", headers={"X-Slack-No-Retry": "1"})
    body = req.body if isinstance(req.body, dict) else {}
    event_id = body.get("event_id")
    if event_id and not seen.first_time(event_id):
        return BoltResponse(status=200, body="")
    signature = (req.headers.get("x-slack-signature") or [""])[0]
    stamp = (req.headers.get("x-slack-request-timestamp") or [""])[0]
    trigger = body.get("trigger_id")
    if (signature and not signed.first_time(f"{stamp}:{signature}")) or (
        trigger and not signed.first_time(f"trigger:{trigger}")
    ):
        log.info("Dropped a replayed Slack request (trigger %s).", trigger or "-")
        return BoltResponse(status=200, body="")
    return None


def timestamp_problem(headers: dict[str, str]) -> str | None:
    """Why a request's X-Slack-Request-Timestamp cannot be checked (missing, not a number), or
    None. bolt would fail on it with a 500; it is the client's fault, so a 401."""
    stamp = headers.get("x-slack-request-timestamp", "")
    if not stamp:
        return "X-Slack-Request-Timestamp is missing; requests must come from Slack, signed."
    if not stamp.isdigit() or len(stamp) > 12:
        return "X-Slack-Request-Timestamp is not a Unix time in seconds."
    return None

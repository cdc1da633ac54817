"""The Slack bot: /regkb, @regkb mentions and direct messages, answered in Block Kit.

slack-bolt verifies each request's signature (signing secret, 5-minute window, constant-time
comparison) and acknowledges at once; the answer follows from a worker thread, through the
command's response_url or in the message's thread. Slack retries a request it thinks went
unanswered; a retry is acknowledged and dropped, and event ids are remembered, so no question
is answered twice."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from api.holder import Holder
from api.slack.blocks import answer_blocks, error_blocks, plain_text
from kb.config import Settings
from kb.errors import KBError
from kb.results import Turn
from kb.vocabulary import MAX_QUERY_CHARS

log = logging.getLogger("regkb.slack")

_MENTION = re.compile(r"<@[A-Z0-9]+>")
HISTORY_TURNS = 6
USAGE = "Ask a question after the command, e.g. `/regkb Can we use emotion recognition on our staff?`"


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


def build(holder: Holder, config: Settings) -> App:
    client = WebClient(token=config.slack_bot_token, base_url=config.slack_api_url)
    app = App(
        token=config.slack_bot_token,
        signing_secret=config.slack_signing_secret,
        client=client,
        token_verification_enabled=False,
        process_before_response=False,
    )
    seen = _Seen()
    web_url = config.public_url.rstrip("/") + "/" if config.public_url else None

    @app.middleware
    def drop_retries(req: Any, resp: BoltResponse, next: Any) -> BoltResponse | None:
        if req.headers.get("x-slack-retry-num"):
            # The first delivery is being answered already.
            return BoltResponse(status=200, body="", headers={"X-Slack-No-Retry": "1"})
        event_id = (req.body or {}).get("event_id") if isinstance(req.body, dict) else None
        if event_id and not seen.first_time(event_id):
            return BoltResponse(status=200, body="")
        return next()

    def answer(question: str, history: list[Turn] | None = None) -> Any:
        return holder.kb.ask(question, k=5, history=history)

    @app.command("/regkb")
    def slash(ack: Any, command: dict, respond: Any) -> None:
        question = (command.get("text") or "").strip()
        if not question:
            ack(response_type="ephemeral", text=USAGE)
            return
        ack(response_type="ephemeral", text=f"Looking it up: {question[:200]}")
        try:
            result = answer(question)
            respond(
                response_type="ephemeral",
                replace_original=True,
                text=plain_text(result),
                blocks=answer_blocks(result, web_url, share=True),
            )
        except KBError as exc:
            respond(
                response_type="ephemeral",
                text=str(exc),
                blocks=error_blocks(f"{exc} Try rephrasing the question."),
            )
        except Exception:
            log.exception("slash command failed")
            respond(
                response_type="ephemeral",
                text="Something went wrong.",
                blocks=error_blocks("Something went wrong on our side; please try again in a moment."),
            )

    @app.action("share_answer")
    def share(ack: Any, body: dict, respond: Any) -> None:
        ack()
        question = body["actions"][0]["value"]
        result = answer(question)
        respond(
            response_type="in_channel",
            delete_original=True,
            text=plain_text(result),
            blocks=answer_blocks(result, web_url),
        )

    def reply_in_thread(event: dict, client: WebClient, context: dict) -> None:
        question = _MENTION.sub("", event.get("text") or "").strip()
        channel = event["channel"]
        thread = event.get("thread_ts") or event["ts"]
        if not question:
            client.chat_postMessage(
                channel=channel, thread_ts=thread, text="Ask me a question about the AI Act or the Data Act."
            )
            return
        try:
            history = _thread_history(client, channel, event, context.get("bot_user_id"))
            result = answer(question, history)
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread,
                text=plain_text(result),
                blocks=answer_blocks(result, web_url),
            )
        except KBError as exc:
            client.chat_postEphemeral(
                channel=channel, user=event.get("user", ""), text=f"{exc} Try rephrasing."
            )
        except Exception:
            log.exception("answering a message failed")
            client.chat_postEphemeral(
                channel=channel,
                user=event.get("user", ""),
                text="Something went wrong on our side; please try again in a moment.",
            )

    @app.event("app_mention")
    def mention(event: dict, client: WebClient, context: dict) -> None:
        reply_in_thread(event, client, context)

    @app.event("message")
    def direct(event: dict, client: WebClient, context: dict) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        reply_in_thread(event, client, context)

    return app


def _thread_history(client: WebClient, channel: str, event: dict, bot_user: str | None) -> list[Turn]:
    """The earlier questions of the thread, for follow-ups ("and for deployers?")."""
    thread = event.get("thread_ts")
    if not thread or thread == event.get("ts"):
        return []
    replies = client.conversations_replies(channel=channel, ts=thread, limit=50).get("messages", [])
    turns = []
    for message in replies:
        if message.get("ts") == event.get("ts") or message.get("bot_id") or message.get("user") == bot_user:
            continue
        text = _MENTION.sub("", message.get("text") or "").strip()
        if text:
            turns.append(Turn(question=text[:MAX_QUERY_CHARS]))
    return turns[-HISTORY_TURNS:]

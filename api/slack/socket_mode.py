"""The bot over Socket Mode: it connects out to Slack, so no public URL is needed.

`kb slack --socket` runs `run`. It uses bolt's built-in Socket Mode client (slack_sdk's own
WebSocket code, no further dependency), which acknowledges each envelope with its envelope_id,
answers Slack's `disconnect` message by asking `apps.connections.open` for a new URL and
connecting there, and reconnects the same way when a connection drops. The first connection
is retried here too, so a Web API that is down at start-up delays the bot rather than stopping
it; a refused app token stops it with a one-line error."""

from __future__ import annotations

import logging
import threading

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from api.holder import Holder
from api.slack.bot import build
from api.slack.identity import FIRST_RETRY_S, LONGEST_RETRY_S, REFUSED, BotIdentity, TokenRefused
from kb.config import Settings

log = logging.getLogger("regkb.slack")


def connect(holder: Holder, config: Settings, identity: BotIdentity) -> SocketModeHandler:
    """Open the first Socket Mode connection, retrying until Slack answers.

    Returns the connected handler (its client keeps the connection up from then on). Raises
    TokenRefused when Slack refuses SLACK_APP_TOKEN."""
    handler = SocketModeHandler(build(holder, config, identity), config.slack_app_token)
    wait = FIRST_RETRY_S
    while True:
        try:
            handler.connect()
            log.info("Connected to Slack through Socket Mode.")
            return handler
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            if error in REFUSED:
                raise TokenRefused(error, "SLACK_APP_TOKEN") from None
            problem = error
        except Exception as exc:  # timed out or unreachable
            problem = f"{exc.__class__.__name__}: {exc}"
        handler.client.wss_uri = None  # a Socket Mode URL is good for one connection only
        log.warning("Could not open a Socket Mode connection (%s); trying again in %.0f s.", problem, wait)
        threading.Event().wait(wait)
        wait = min(wait * 2, LONGEST_RETRY_S)


def run(holder: Holder, config: Settings, identity: BotIdentity) -> None:
    """Connect and answer until the process is stopped."""
    connect(holder, config, identity)
    threading.Event().wait()

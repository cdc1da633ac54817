"""Who the bot is in Slack, learned once with `auth.test` and never on a request's path.

Slack gives an app 3 seconds to acknowledge a request. Bolt's single-workspace authorization
calls `auth.test` on the first request and answers 500 when that call fails, so a slow or
unreachable Web API turned into a late acknowledgement or an error. Here the bot asks once at
start-up, with a timeout: a token Slack refuses stops start-up (`TokenRefused`, naming
SLACK_BOT_TOKEN); an API that does not answer is logged and asked again in the background; and
every request is authorized from what is known by then, the token alone until `auth.test` has
answered (the listeners need only the token; the bot's user id only helps to skip its own
messages, which the listeners skip by `bot_id` anyway)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from kb.config import Settings
from kb.errors import KBError

log = logging.getLogger("regkb.slack")

# The auth.test errors that mean the token itself is wrong, not that Slack is having a bad
# moment; from https://api.slack.com/methods/auth.test#errors.
REFUSED = {
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "no_permission",
    "not_allowed_token_type",
    "org_login_required",
    "ekm_access_denied",
    "team_added_to_org",
}
# Background retries: 1 s, 2 s, 4 s … up to 5 minutes between tries, so an outage of any
# length ends in a check within a few minutes of Slack coming back.
FIRST_RETRY_S = 1.0
LONGEST_RETRY_S = 300.0


class TokenRefused(KBError):
    """Slack answered with an error that means a token is wrong (`variable` names which)."""

    def __init__(self, error: str, variable: str = "SLACK_BOT_TOKEN") -> None:
        where = {
            "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page",
            "SLACK_APP_TOKEN": (
                "an app-level token (xapp-…) with connections:write, from your app's Basic Information page"
            ),
        }[variable]
        super().__init__(
            f"Slack refused {variable} ({error}). Set it to {where}; reinstall the app if it was revoked."
        )
        self.error = error


def web_client(config: Settings, token: str | None = None) -> WebClient:
    """The Web API client every part of the bot uses: Slack's (or the stand-in's) base URL and a
    timeout of KB_SLACK_API_TIMEOUT seconds per call instead of slack_sdk's 30."""
    return WebClient(
        token=token if token is not None else config.slack_bot_token,
        base_url=config.slack_api_url,
        timeout=config.slack_api_timeout,
    )


class BotIdentity:
    """The bot's Slack identity (`auth.test`: user id, bot id, team), fetched outside requests.

    `check()` asks once and says whether Slack answered; `start()` keeps asking in a daemon
    thread until it has. `authorize` is the function bolt calls for each request (its keyword
    arguments are bolt's); it never calls Slack.
    """

    def __init__(self, config: Settings) -> None:
        self.token = config.slack_bot_token
        self.client = web_client(config)
        self.timeout_s = config.slack_api_timeout
        self.result: dict[str, Any] | None = None
        self.refused: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def known(self) -> bool:
        return self.result is not None

    def check(self) -> bool:
        """Call `auth.test` once. True when Slack answered; False (and logged) when it did not
        answer in time or answered with a transient error. Raises TokenRefused for a wrong token."""
        try:
            response = self.client.auth_test()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            if error in REFUSED:
                self.refused = error
                raise TokenRefused(error) from None
            log.warning("Slack's auth.test failed (%s); the bot answers anyway and asks again later.", error)
            return False
        except Exception as exc:  # timeouts, refused connections, proxies: all "not reachable now"
            log.warning(
                "Slack's Web API (%s) did not answer auth.test within %d s (%s: %s); the bot answers "
                "anyway and asks again in the background.",
                self.client.base_url,
                self.timeout_s,
                exc.__class__.__name__,
                exc,
            )
            return False
        self.result = dict(response.data) if isinstance(response.data, dict) else {}
        log.info(
            "Slack: signed in as bot user %s (bot %s) in team %s.",
            self.result.get("user_id"),
            self.result.get("bot_id"),
            self.result.get("team_id"),
        )
        return True

    def start(self) -> None:
        """Ask in the background until Slack has answered (or refused the token)."""
        if self.known or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._retry, name="regkb-slack-identity", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _retry(self) -> None:
        wait = 0.0
        while not self._stop.wait(wait):
            try:
                if self.check():
                    return
            except TokenRefused as exc:
                log.error("%s", exc)
                return
            wait = min(max(wait * 2, FIRST_RETRY_S), LONGEST_RETRY_S)

    def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        """Bolt's `authorize` hook: the token, and the bot's ids once `auth.test` has given them."""
        known = self.result or {}
        return AuthorizeResult(
            enterprise_id=enterprise_id or known.get("enterprise_id"),
            team_id=team_id or known.get("team_id"),
            bot_token=self.token,
            bot_user_id=known.get("user_id"),
            bot_id=known.get("bot_id"),
        )


_verified: dict[tuple[str, str], BotIdentity] = {}
_verified_lock = threading.Lock()


def verify(config: Settings) -> BotIdentity:
    """The start-up check: `auth.test` once, within KB_SLACK_API_TIMEOUT seconds.

    Raises TokenRefused when Slack refuses the token. When Slack does not answer, the identity
    keeps asking in the background and the bot starts anyway. The result is kept for `shared`,
    so the server started next in this process does not ask again."""
    identity = BotIdentity(config)
    if not identity.check():
        identity.start()
    with _verified_lock:
        _verified[(config.slack_bot_token, config.slack_api_url)] = identity
    return identity


def shared(config: Settings) -> BotIdentity:
    """The identity `verify` made in this process for this token, or a new one asking in the
    background (a server started without `kb serve`, e.g. by uvicorn directly, or a worker)."""
    with _verified_lock:
        identity = _verified.get((config.slack_bot_token, config.slack_api_url))
        if identity is None:
            identity = BotIdentity(config)
            identity.start()
            _verified[(config.slack_bot_token, config.slack_api_url)] = identity
        return identity

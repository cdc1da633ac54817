"""Stand-ins for Slack: its Web API and response_url (a small HTTP server on loopback that
answers in Slack's wire format and records every request it receives), and its Socket Mode
WebSocket server (the `websockets` library), which speaks Slack's envelope protocol.

The Web API can be made slow (`delay`), hung (`hang`, until `release`), refuse the bot or app
token (`refuse_bot_token`, `refuse_app_token`) or fail a response_url (`fail_next`), as Slack
does during an incident or with a wrong token."""

from __future__ import annotations

import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class SlackStandIn:
    def __init__(self, socket_mode: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.threads: dict[str, list[dict[str, Any]]] = {}  # thread ts -> messages, for conversations.replies
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds before every answer
        self.hung: tuple[str, ...] = ()  # path prefixes that get no answer until release()
        self.released = threading.Event()
        self.refuse_bot_token = ""  # an auth.test error, e.g. "invalid_auth"
        self.refuse_app_token = ""  # an apps.connections.open error
        self.fail_next: dict[str, int] = {}  # path -> how many requests to answer with 503
        self.socket = SocketModeStandIn() if socket_mode else None
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, body: dict[str, Any]) -> None:
                path = urlparse(self.path).path
                body = {**{k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}, **body}
                with standin.lock:
                    standin.calls.append(
                        {
                            "path": path,
                            "body": body,
                            "at": time.monotonic(),
                            "auth": self.headers.get("Authorization"),
                        }
                    )
                    failing = standin.fail_next.get(path, 0)
                    if failing:
                        standin.fail_next[path] = failing - 1
                if any(path.startswith(p) for p in standin.hung):
                    standin.released.wait(timeout=300)
                    return  # the connection closes without an answer
                time.sleep(standin.delay)
                method = path.rsplit("/", 1)[-1]
                if failing:  # as hooks.slack.com answers during an incident
                    data = b"service_unavailable"
                    self.send_response(503)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                elif method == "auth.test" and standin.refuse_bot_token:
                    self._reply({"ok": False, "error": standin.refuse_bot_token})
                elif method == "apps.connections.open":
                    if standin.refuse_app_token or not standin.socket:
                        self._reply(
                            {"ok": False, "error": standin.refuse_app_token or "not_allowed_token_type"}
                        )
                    else:
                        self._reply({"ok": True, "url": standin.socket.new_url()})
                elif method == "auth.test":
                    self._reply(
                        {
                            "ok": True,
                            "user_id": "UBOT",
                            "bot_id": "BBOT",
                            "team_id": "T1",
                            "team": "Test",
                            "url": "https://test.slack.com/",
                        }
                    )
                elif method == "chat.postMessage":
                    self._reply(
                        {
                            "ok": True,
                            "channel": body.get("channel"),
                            "ts": f"{time.time():.6f}",
                            "message": {"text": body.get("text", "")},
                        }
                    )
                elif method == "chat.postEphemeral":
                    self._reply({"ok": True, "message_ts": f"{time.time():.6f}"})
                elif method == "conversations.replies":
                    self._reply({"ok": True, "messages": standin.threads.get(str(body.get("ts")), [])})
                else:  # a response_url
                    self._reply({"ok": True})

            def do_GET(self) -> None:
                self._handle({})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                self._handle(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, path: str, count: int = 1, timeout: float = 90) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.received(path)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise TimeoutError(f"nothing arrived at {path}; got {[c['path'] for c in self.calls]}")

    def posted_to(self, channel: str, timeout: float = 90) -> list[dict[str, Any]]:
        """The chat.postMessage bodies sent to a channel, once at least one has arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [
                c["body"] for c in self.received("chat.postMessage") if c["body"].get("channel") == channel
            ]
            if found:
                return found
            time.sleep(0.2)
        raise TimeoutError(f"nothing was posted to {channel}")

    def received(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["path"].endswith(path)]

    def hang(self, *prefixes: str) -> None:
        """Answer nothing on these paths (all by default) until release()."""
        self.released.clear()
        self.hung = prefixes or ("/",)

    def release(self) -> None:
        self.hung = ()
        self.released.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        if self.socket:
            self.socket.close()


class SocketModeStandIn:
    """Slack's Socket Mode server on loopback: each connection gets a `hello`; envelopes are sent
    with `send`, and everything the app sends back (its acknowledgements) is recorded with the
    connection it came on and the time it arrived.

    Wire format from https://api.slack.com/apis/socket-mode: a `hello` on connecting, envelopes
    `{"envelope_id", "type": "events_api" | "slash_commands" | "interactive", "payload", ...}`,
    acknowledged by `{"envelope_id", "payload"?}`, and `{"type": "disconnect", "reason"}` when
    the app is to reconnect through a fresh apps.connections.open URL."""

    def __init__(self) -> None:
        self.connections: list[ServerConnection] = []
        self.paths: list[str] = []
        self.acks: queue.Queue[tuple[int, dict[str, Any], float]] = queue.Queue()
        self.tickets = 0
        self.lock = threading.Lock()
        self.server = serve(self._session, "127.0.0.1", 0)
        self.port = self.server.socket.getsockname()[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def new_url(self) -> str:
        """What apps.connections.open returns: a fresh URL for one connection."""
        with self.lock:
            self.tickets += 1
            return f"ws://127.0.0.1:{self.port}/link/?ticket=ticket-{self.tickets}&app_id=A1"

    def _session(self, connection: ServerConnection) -> None:
        with self.lock:
            self.connections.append(connection)
            self.paths.append(connection.request.path if connection.request else "")
            number = len(self.connections)
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "applink-standin", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": "A1"},
                }
            )
        )
        try:
            for message in connection:
                self.acks.put((number, json.loads(message), time.monotonic()))
        except ConnectionClosed:  # slack_sdk's client drops a replaced connection without a close frame
            pass

    def wait_for_connection(self, count: int, timeout: float = 240) -> ServerConnection:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.connections) >= count:
                    return self.connections[count - 1]
            time.sleep(0.1)
        raise TimeoutError(f"the app opened {len(self.connections)} Socket Mode connections, not {count}")

    def send(self, message: dict[str, Any]) -> float:
        """Send on the newest connection; returns when it was sent (time.monotonic())."""
        with self.lock:
            connection = self.connections[-1]
        sent = time.monotonic()
        connection.send(json.dumps(message))
        return sent

    def wait_for_ack(self, envelope_id: str, timeout: float = 10) -> tuple[int, dict[str, Any], float]:
        """(connection number, the acknowledgement, when it arrived) for an envelope."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                number, message, at = self.acks.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"envelope {envelope_id} was not acknowledged") from None
            if message.get("envelope_id") == envelope_id:
                return number, message, at

    def close(self) -> None:
        self.server.shutdown()

"""A stand-in for Slack's Web API and for response_url: a small HTTP server on loopback that
answers in Slack's wire format and records every request it receives."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


class SlackStandIn:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.threads: dict[str, list[dict[str, Any]]] = {}  # thread ts -> messages, for conversations.replies
        self.lock = threading.Lock()
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
                method = path.rsplit("/", 1)[-1]
                if method == "auth.test":
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

    def close(self) -> None:
        self.server.shutdown()

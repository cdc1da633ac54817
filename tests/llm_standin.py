"""A scripted stand-in for an OpenAI-compatible chat-completions server, on loopback.

It speaks the real wire format: POST /v1/chat/completions with "stream": true answers
`text/event-stream` with `data: {chat.completion.chunk}` lines, a usage chunk and
`data: [DONE]`. Each request takes the next scripted reply: text (streamed a few characters
per chunk), an HTTP status, or a delay. Every request body is kept for the test to read.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before the first byte
    chunk_chars: int = 7  # characters per streamed chunk: a sentence spans many chunks
    cut_after: int | None = None  # close the connection after this many content chunks


class StandIn:
    def __init__(self, model: str = "standin-1") -> None:
        self.model = model
        self.replies: list[Reply] = []
        self.requests: list[dict] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                standin.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                reply = standin.replies.pop(0) if standin.replies else Reply("No reply was scripted. [1]")
                if reply.delay:
                    time.sleep(reply.delay)
                if self.path != "/v1/chat/completions" or reply.status != 200:
                    status = 404 if self.path != "/v1/chat/completions" else reply.status
                    payload = json.dumps({"error": {"message": "scripted failure", "code": status}}).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [
                    reply.text[i : i + reply.chunk_chars]
                    for i in range(0, len(reply.text), reply.chunk_chars)
                ]
                base = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": standin.model,
                }
                first = {
                    **base,
                    "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}],
                }
                self._send(first)
                for i, piece in enumerate(pieces):
                    if reply.cut_after is not None and i >= reply.cut_after:
                        self.close_connection = True
                        return
                    self._send(
                        {
                            **base,
                            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                        }
                    )
                self._send({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                usage = {
                    "prompt_tokens": 100,
                    "completion_tokens": len(pieces),
                    "total_tokens": 100 + len(pieces),
                }
                self._send({**base, "choices": [], "usage": usage})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _send(self, chunk: dict) -> None:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, *replies: Reply | str) -> None:
        self.replies = [r if isinstance(r, Reply) else Reply(r) for r in replies]
        self.requests.clear()

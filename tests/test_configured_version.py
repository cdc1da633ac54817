"""KB_VERSION reaches every front door: `KB_VERSION=original kb serve` answers from the text as
first published over HTTP, in Slack and in MCP, as `kb ask` does (issue 28: the server used to
build its knowledge base without the configured version).

Article 113 of the AI Act as first published says "It shall apply from 2 August 2026"; as
amended by Regulation (EU) 2026/1744 it puts Annex III systems off to 2 December 2027."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mcp import Client

from kb.config import Settings
from tests.helpers import kb, settings_env
from tests.process import Server
from tests.slack_standin import SlackStandIn
from tests.test_mcp import http_client, run, stdio_client
from tests.test_slack import slack_env, slash

QUESTION = "When do the obligations for high-risk AI systems in Annex III apply?"
ORIGINAL = {"KB_VERSION": "original"}
AS_PUBLISHED = "AI Act, Article 113"  # the label of the amended text adds "(as amended by …)"


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackStandIn]:
    standin = SlackStandIn()
    yield standin
    standin.close()


@pytest.fixture(scope="module")
def server(
    index_settings: Settings, slack: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`KB_VERSION=original kb serve`, with the Slack bot and MCP mounted."""
    env = {**slack_env(index_settings, slack), **ORIGINAL}
    srv = Server(env, tmp_path_factory.mktemp("original") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def test_kb_ask_answers_from_the_original_text(index_settings: Settings) -> None:
    """The CLI, which always honoured KB_VERSION: the baseline the server must agree with."""
    out = kb("ask", QUESTION, "--json", env={**settings_env(index_settings), **ORIGINAL})
    answer = json.loads(out.stdout)
    assert answer["citations"][0]["label"] == AS_PUBLISHED
    assert "2 December 2027" not in answer["answer"]


def test_http_answers_from_the_original_text(server: Server) -> None:
    answer = httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=120).json()
    first = answer["citations"][0]
    assert first["label"] == AS_PUBLISHED and first["amended_by"] == []
    assert "2 December 2027" not in answer["answer"]
    ai = next(v for v in answer["versions"] if v["doc"] == "ai-act")
    assert ai["in_force"] == "2024-08-01"
    unit = httpx.get(f"{server.url}/v1/documents/ai-act/units/art_113", timeout=60).json()
    assert "It shall apply from 2 August 2026." in unit["text"] and "2 December 2027" not in unit["text"]
    docs = httpx.get(f"{server.url}/v1/documents", timeout=60).json()["documents"]
    assert "original text" in next(d for d in docs if d["id"] == "ai-act")["version"]
    # A request can still ask for another text than the configured one.
    current = httpx.post(
        f"{server.url}/v1/ask", json={"question": QUESTION, "version": "current"}, timeout=120
    ).json()
    assert "2 December 2027" in current["answer"]


def test_slack_answers_from_the_original_text(server: Server, slack: SlackStandIn) -> None:
    r, _ = slash(server, slack, QUESTION, "original")
    assert r.status_code == 200
    reply = slack.wait_for("/response/original")[0]["body"]
    text = json.dumps(reply["blocks"])
    assert f"#art_113|{AS_PUBLISHED}>" in text and "as amended" not in text
    assert "2 December 2027" not in reply["text"]


async def _ask_and_read(client: Client) -> tuple[Any, str]:
    answer = await client.call_tool("ask", {"question": QUESTION})
    (art_113,) = (await client.read_resource("regkb://ai-act/art_113")).contents
    return answer, art_113.text  # type: ignore[union-attr]


def _check_mcp(answer: Any, art_113: str) -> None:
    assert not answer.is_error
    content = answer.structured_content
    assert content["citations"][0]["label"] == AS_PUBLISHED
    assert "2 December 2027" not in content["answer"]
    assert art_113.startswith(f"# {AS_PUBLISHED}:") and "It shall apply from 2 August 2026." in art_113


def test_mcp_over_stdio_answers_from_the_original_text(index_settings: Settings) -> None:
    """`KB_VERSION=original kb mcp`, as an assistant spawns it."""
    _check_mcp(*run(_ask_and_read, stdio_client({**settings_env(index_settings), **ORIGINAL})))


def test_mcp_over_http_answers_from_the_original_text(server: Server) -> None:
    _check_mcp(*run(_ask_and_read, http_client(server.url)))

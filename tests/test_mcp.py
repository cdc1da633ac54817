"""The MCP server (api/mcp.py), spoken to with the official SDK's own client: over stdio by
spawning `kb mcp`, and over streamable HTTP at /mcp of a real `kb serve` on loopback, both on
the session's real index."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextResourceContents

from kb.config import Settings
from tests.helpers import KB, settings_env
from tests.process import Server

T = TypeVar("T")
TOOLS = {"search_provisions", "ask", "get_provision", "list_acts", "verify_citations", "list_obligations"}
KEY = "mcp-test-key"


def run(scenario: Callable[[Client], Awaitable[T]], client: Client) -> T:
    """Open the client, run the scenario in it, close it; in a fresh event loop."""

    async def main() -> T:
        async with client:
            return await scenario(client)

    return anyio.run(main)


def stdio_client(env: dict[str, str]) -> Client:
    return Client(StdioServerParameters(command=KB, args=["mcp"], env={**os.environ, **env}))


def http_client(url: str, key: str | None = None) -> Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300))
    return Client(streamable_http_client(f"{url}/mcp", http_client=http))


def text(result: CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if c.type == "text")


async def everything(client: Client) -> dict[str, Any]:
    """One session that lists and calls everything the server offers."""
    out: dict[str, Any] = {}
    out["tools"] = {t.name: t for t in (await client.list_tools()).tools}
    out["search"] = await client.call_tool(
        "search_provisions", {"query": "emotion recognition in the workplace", "k": 3, "acts": ["ai-act"]}
    )
    out["ask"] = await client.call_tool("ask", {"question": "Can we use emotion recognition on our staff?"})
    out["provision"] = await client.call_tool("get_provision", {"reference": "AI Act Art. 5(1)(f)"})
    out["by_id"] = await client.call_tool("get_provision", {"act": "data-act", "unit": "art_25"})
    out["acts"] = await client.call_tool("list_acts", {})
    out["verify"] = await client.call_tool(
        "verify_citations", {"text": "Article 12(4) of the AI Act makes the logs tamper-proof."}
    )
    out["unknown_act"] = await client.call_tool("search_provisions", {"query": "fines", "acts": ["gdpr"]})
    out["no_such_unit"] = await client.call_tool("get_provision", {"act": "ai-act", "unit": "art_999"})
    out["not_held"] = await client.call_tool("get_provision", {"reference": "GDPR Article 100"})
    out["not_held_id"] = await client.call_tool("get_provision", {"act": "gdpr", "unit": "art_30"})
    out["bad_k"] = await client.call_tool("search_provisions", {"query": "fines", "k": 500})
    out["obligations"] = await client.call_tool(
        "list_obligations", {"role": "deployer", "system": "high-risk (Annex III)", "act": "ai-act"}
    )
    out["bad_role"] = await client.call_tool("list_obligations", {"role": "toaster"})
    out["templates"] = (await client.list_resource_templates()).resource_templates
    out["resources"] = (await client.list_resources()).resources
    out["art_5"] = (await client.read_resource("regkb://ai-act/art_5")).contents
    out["art_113_original"] = (await client.read_resource("regkb://ai-act/art_113?version=original")).contents
    out["data_act"] = (await client.read_resource("regkb://data-act")).contents
    try:
        await client.read_resource("regkb://ai-act/art_999")
    except MCPError as exc:
        out["missing_resource"] = exc
    return out


@pytest.fixture(scope="module")
def over_stdio(index_settings: Settings) -> dict[str, Any]:
    return run(everything, stdio_client(settings_env(index_settings)))


@pytest.fixture(scope="module")
def server(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {**settings_env(index_settings), "KB_API_KEYS": f"other-key,{KEY}"}
    srv = Server(env, tmp_path_factory.mktemp("mcp") / "server.log")
    srv.wait_up()
    try:
        # /readyz is open; wait for the index as the other server tests do.
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def over_http(server: Server) -> dict[str, Any]:
    return run(everything, http_client(server.url, KEY))


@pytest.fixture(params=["stdio", "http"])
def session(request: pytest.FixtureRequest) -> dict[str, Any]:
    return request.getfixturevalue(f"over_{request.param}")


def test_verify_citations_reports_each_citation(session: dict[str, Any]) -> None:
    result = session["verify"]
    assert not result.is_error
    (c,) = result.structured_content["citations"]
    assert (c["status"], c["verdict"]) == ("not_found", "not_supported")
    assert "paragraphs 1 to 3" in text(result)


def test_lists_the_tools_with_schemas_and_descriptions(session: dict[str, Any]) -> None:
    tools = session["tools"]
    assert set(tools) == TOOLS
    search = tools["search_provisions"]
    props = search.input_schema["properties"]
    assert search.input_schema["required"] == ["query"]
    assert {"query", "k", "acts", "version"} <= set(props)
    assert props["k"]["maximum"] == 50 and props["k"]["default"] == 10
    assert "EUR-Lex" in search.description and search.annotations.read_only_hint
    assert "history" in tools["ask"].input_schema["properties"]
    assert {"reference", "act", "unit", "version"} <= set(tools["get_provision"].input_schema["properties"])
    # Structured results come with their schema: the API's own models.
    assert {"hits", "notices"} <= set(search.output_schema["properties"])
    assert {"answer", "citations", "abstained", "versions"} <= set(tools["ask"].output_schema["properties"])
    assert {"label", "text", "url", "version"} <= set(tools["get_provision"].output_schema["properties"])
    assert "documents" in tools["list_acts"].output_schema["properties"]


def test_search_returns_labels_text_links_and_versions(session: dict[str, Any]) -> None:
    result = session["search"]
    assert not result.is_error
    hits = result.structured_content["hits"]
    assert len(hits) == 3 and {h["doc"] for h in hits} == {"ai-act"}
    assert any(h["unit"] == "art_5" for h in hits)
    first = hits[0]
    assert first["url"].startswith("https://eur-lex.europa.eu/") and first["version"].startswith("OJ L")
    # The readable text carries the same label, verbatim text and link.
    body = text(result)
    assert first["label"] in body and first["text"][:80] in body and first["url"] in body


def test_ask_answers_with_citations_and_versions(session: dict[str, Any]) -> None:
    result = session["ask"]
    answer = result.structured_content
    assert not result.is_error and not answer["abstained"]
    first = answer["citations"][answer["sentences"][0]["citation"] - 1]
    assert first["label"].startswith("AI Act, Article 5(1)")
    assert answer["versions"][0]["version"].startswith("OJ L, 2024/1689")
    body = text(result)
    assert body.startswith(answer["answer"]) and first["label"] in body and "Versions cited" in body


def test_get_provision_by_reference_and_by_id(session: dict[str, Any]) -> None:
    p = session["provision"].structured_content
    assert (p["doc"], p["unit"], p["pinpoint"]) == ("ai-act", "art_5", "5(1)(f)")
    assert "emotions of a natural person in the areas of workplace" in p["pinpoint_text"]
    assert p["url"].endswith("#art_5") and p["version"]
    assert p["pinpoint_text"] in text(session["provision"])
    by_id = session["by_id"].structured_content
    assert by_id["label"].startswith("Data Act, Article 25") and "switching" in by_id["title"].lower()


def test_list_acts(session: dict[str, Any]) -> None:
    docs = session["acts"].structured_content["documents"]
    assert [d["id"] for d in docs] == ["ai-act", "data-act", "ai-act-amendment-2026-1744"]
    assert docs[0]["celex"] == "32024R1689" and docs[0]["version"]
    assert "ai-act: AI Act" in text(session["acts"])


def test_errors_are_tool_errors_with_the_api_messages(session: dict[str, Any], server: Server) -> None:
    def api(method: str, path: str, **kw: Any) -> str:
        r = httpx.request(method, server.url + path, headers={"Authorization": f"Bearer {KEY}"}, **kw)
        assert r.status_code == 404
        return r.json()["detail"]

    unknown_act = session["unknown_act"]
    assert unknown_act.is_error and unknown_act.structured_content is None
    assert text(unknown_act) == api("POST", "/v1/search", json={"query": "fines", "docs": ["gdpr"]})
    assert "GDPR (General Data Protection Regulation) is not in this knowledge base" in text(unknown_act)
    missing = session["no_such_unit"]
    assert missing.is_error
    assert text(missing) == api("GET", "/v1/documents/ai-act/units/art_999")
    # A provision of an act not held is refused, never AI Act Article 100 (issue 31), and says so
    # as the units route does.
    for name in ("not_held", "not_held_id"):
        refused = session[name]
        assert refused.is_error and refused.structured_content is None, name
        assert "GDPR (General Data Protection Regulation) is not in this knowledge base" in text(refused)
        assert "https://eur-lex.europa.eu/eli/reg/2016/679/oj" in text(refused)
    assert text(session["not_held_id"]) == api("GET", "/v1/documents/gdpr/units/art_30")
    # Arguments outside the schema are refused before they reach the knowledge base.
    assert session["bad_k"].is_error and "less than or equal to 50" in text(session["bad_k"])


def test_provisions_as_resources(session: dict[str, Any]) -> None:
    templates = {t.uri_template for t in session["templates"]}
    assert templates == {"regkb://{act}/{unit}{?version}", "regkb://{act}"}
    listed = {str(r.uri): r for r in session["resources"]}
    assert listed["regkb://ai-act/art_5"].name.startswith("AI Act, Article 5 (as amended by")
    switching = listed["regkb://data-act/art_25"]
    assert switching.title == "Data Act, Article 25: Contractual terms concerning switching"
    assert "regkb://data-act/rct_27" in listed and "regkb://ai-act/anx_III" in listed
    (art_5,) = session["art_5"]
    assert isinstance(art_5, TextResourceContents) and art_5.mime_type == "text/markdown"
    assert art_5.text.startswith("# AI Act, Article 5 (as amended by Regulation (EU) 2026/1744): Prohibited")
    assert "https://eur-lex.europa.eu/" in art_5.text and "emotions of a natural person" in art_5.text
    (original,) = session["art_113_original"]
    assert (
        original.text.startswith("# AI Act, Article 113") and "(original text, in force from" in original.text
    )
    (data_act,) = session["data_act"]
    lines = data_act.text.splitlines()
    assert lines[0].startswith("# Data Act")
    provisions = [line for line in lines if line.startswith("- regkb://")]
    assert provisions and all(line.startswith("- regkb://data-act/") for line in provisions)
    assert len(provisions) == sum(1 for uri in listed if uri.startswith("regkb://data-act/"))
    missing = session["missing_resource"]
    assert "AI Act has no provision 'art_999'" in str(missing)


def test_http_endpoint_needs_the_api_key(server: Server) -> None:
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"},
        },
    }
    headers = {"Accept": "application/json, text/event-stream"}
    for auth in ({}, {"Authorization": "Bearer wrong"}):
        r = httpx.post(f"{server.url}/mcp", json=init, headers={**headers, **auth})
        assert r.status_code == 401 and "API key" in r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"
    r = httpx.post(f"{server.url}/mcp", json=init, headers={**headers, "Authorization": f"Bearer {KEY}"})
    assert r.status_code == 200 and r.json()["result"]["serverInfo"]["name"] == "regkb"

    # The SDK's own client without the key gets no further than its first request.
    listed: list[object] = []

    async def list_tools(client: Client) -> None:
        listed.append(await client.list_tools())

    with pytest.raises(Exception):  # noqa: B017 (the SDK reports the 401 as a generic error)
        run(list_tools, http_client(server.url))
    assert not listed


def test_no_index_is_a_tool_error(tmp_path: Path, index_settings: Settings) -> None:
    env = {**settings_env(index_settings), "KB_INDEX_DIR": str(tmp_path / "none")}

    async def scenario(client: Client) -> tuple[CallToolResult, CallToolResult]:
        return (
            await client.call_tool("list_acts", {}),
            await client.call_tool("get_provision", {"reference": "AI Act Art. 5"}),
        )

    for result in run(scenario, stdio_client(env)):
        assert result.is_error and text(result).startswith(f"No index at {tmp_path / 'none'}")
        assert "kb ingest" in text(result)


def test_list_obligations_gives_the_roles_obligations_with_dates(session: dict[str, Any]) -> None:
    result = session["obligations"]
    assert not result.is_error
    found = {o["pinpoint"]: o for o in result.structured_content["obligations"]}
    assert found["26(1)"]["applies_from"][0]["date"] == "2027-12-02"
    assert "AI Act, Article 26(1): Deployers of high-risk AI systems shall" in text(result)
    assert session["bad_role"].is_error and "Unknown role 'toaster'" in text(session["bad_role"])

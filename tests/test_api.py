"""The HTTP API: a real uvicorn process on loopback, spoken to with httpx, and the same app
in-process through ASGI (FastAPI's TestClient) for the settings that need an app of their own."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.config import Settings
from kb.index import MANIFEST, new_build_dir, publish
from tests.helpers import settings_env
from tests.process import Server

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def server(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {**settings_env(index_settings), "KB_RELOAD_INTERVAL": "0.5"}
    srv = Server(env, tmp_path_factory.mktemp("api") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["model"] == "all-MiniLM-L6-v2"
    assert ready["acts"] == ["ai-act", "data-act", "ai-act-amendment-2026-1744"]
    assert ready["counts"]["passages"] > 1000


def test_ask_answers_with_citations_and_versions(client: httpx.Client) -> None:
    r = client.post("/v1/ask", json={"question": "Can we use emotion recognition on our staff?"})
    assert r.status_code == 200
    body = r.json()
    assert not body["abstained"] and body["sentences"] and body["took_ms"] > 0
    first = body["citations"][body["sentences"][0]["citation"] - 1]
    assert first["label"].startswith("AI Act, Article 5(1)")
    assert body["versions"][0]["version"].startswith("OJ L, 2024/1689")


def test_ask_declines_what_the_acts_do_not_answer(client: httpx.Client) -> None:
    body = client.post("/v1/ask", json={"question": "What is the maximum GDPR fine?"}).json()
    assert body["abstained"] and body["reason"]
    assert all(c["low_confidence"] for c in body["citations"])


def test_ask_follows_the_conversation(client: httpx.Client) -> None:
    history = [{"question": "What are the obligations of providers of high-risk AI systems?"}]
    body = client.post("/v1/ask", json={"question": "and for deployers?", "history": history}).json()
    assert body["citations"][0]["unit"] == "art_26"


def _events(response: httpx.Response) -> list[tuple[str, dict]]:
    events = []
    for block in response.text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_sends_citations_then_sentences_then_the_answer(client: httpx.Client) -> None:
    r = client.post(
        "/v1/ask/stream", json={"question": "How much notice must a cloud provider give before switching?"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r)
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-1] == "done"
    assert set(names[1:-1]) == {"sentence"}
    done = events[-1][1]
    assert [e[1]["text"] for e in events[1:-1]] == [s["text"] for s in done["sentences"]]
    assert events[0][1]["citations"][0]["doc"] == "data-act"


def test_stream_reports_errors_as_an_event(client: httpx.Client) -> None:
    r = client.post("/v1/ask/stream", json={"question": "fines", "docs": ["gdpr"]})
    assert r.status_code == 200
    (name, data), *_ = _events(r)
    assert name == "error" and data["status"] == 404 and "GDPR" in data["detail"]


def test_search_returns_hits_in_the_hit_schema(client: httpx.Client) -> None:
    body = client.post("/v1/search", json={"query": "recital 15 of the Data Act", "k": 3}).json()
    hit = body["hits"][0]
    assert (hit["doc"], hit["unit"], hit["label"]) == ("data-act", "rct_15", "Data Act, Recital 15")
    assert hit["url"].endswith("#rct_16")
    for field in ("pinpoint", "title", "heading", "text", "score", "refs", "version", "page"):
        assert field in hit
    filtered = client.post(
        "/v1/search", json={"query": "cloud switching", "docs": ["data-act"], "kinds": ["recital"]}
    )
    assert all(h["doc"] == "data-act" and h["unit_kind"] == "recital" for h in filtered.json()["hits"])


def test_documents_and_provisions(client: httpx.Client) -> None:
    docs = client.get("/v1/documents").json()["documents"]
    ai = next(d for d in docs if d["id"] == "ai-act")
    assert ai["celex"] == "32024R1689" and ai["counts"]["articles"] == 113
    assert ai["version"].endswith("as amended by Regulation (EU) 2026/1744; in force from 27 July 2026")
    assert [(v["in_force"], v["amended_by"]) for v in ai["versions"]] == [
        ("2024-08-01", []),
        ("2026-07-27", ["Regulation (EU) 2026/1744"]),
    ]
    unit = client.get("/v1/documents/ai-act/units/art_6", params={"version": "original"}).json()
    assert unit["label"] == "AI Act, Article 6" and unit["blocks"][1]["num"] == "2"
    assert any(r["unit"] == "anx_III" for r in unit["refers_to"])
    assert any(r["unit"] == "art_49" for r in unit["referred_by"])
    amended = client.get("/v1/documents/ai-act/units/art_6").json()
    assert [b["num"] for b in amended["blocks"][:4]] == ["1", "1a", "1b", "1c"]
    assert amended["amended_by"][0]["citation"] == "Regulation (EU) 2026/1744, Article 1, point (8)"


def test_check_judges_each_citation_of_a_text(client: httpx.Client) -> None:
    text = (
        "Deployers of high-risk AI systems keep the logs for at least six months (Article 26(6) of the "
        "AI Act). Article 12(4) of the AI Act makes the logs tamper-proof. Article 35 GDPR requires an "
        "impact assessment."
    )
    body = client.post("/v1/check", json={"text": text}).json()
    got = [(c["reference"], c["status"], c["verdict"]) for c in body["citations"]]
    assert got == [
        ("Article 26(6)", "resolved", "supported"),
        ("Article 12(4)", "not_found", "not_supported"),
        ("Article 35", "outside", "unverified"),
    ]
    first = body["citations"][0]
    assert first["resolved"]["url"].endswith("#art_26") and "six months" in first["quote"]
    assert text[first["start"] : first["end"]] == "Article 26(6)"
    original = client.post("/v1/check", json={"text": text, "version": "original"}).json()
    assert original["version"] == "original"
    empty = client.post("/v1/check", json={"text": "  "})
    assert empty.status_code == 422 and empty.headers["content-type"].startswith("application/problem+json")
    assert client.post("/v1/check", json={"text": "x", "docs": ["gdpr"]}).status_code == 404


def test_the_version_parameter_picks_the_text(client: httpx.Client) -> None:
    question = "When do the obligations for high-risk AI systems in Annex III apply?"
    current = client.post("/v1/ask", json={"question": question}).json()
    assert "2 December 2027" in current["answer"]
    original = client.post("/v1/ask", json={"question": question, "version": "original"}).json()
    assert "2 December 2027" not in original["answer"]
    assert original["citations"][0]["label"] == "AI Act, Article 113"
    missing = client.get("/v1/documents/ai-act/units/art_4a", params={"version": "2026-01-01"})
    assert missing.status_code == 404 and "in force from 2024-08-01" in missing.json()["detail"]
    bad = client.post("/v1/search", json={"query": "AI literacy", "version": "last year"})
    assert bad.status_code == 422 and "version" in bad.text


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "needle"),
    [
        ("post", "/v1/ask", {"question": ""}, 422, "question"),
        ("post", "/v1/ask", {"question": "   "}, 422, "question"),
        ("post", "/v1/ask", {"question": "x" * 8001}, 422, "question"),
        ("post", "/v1/ask", {"question": "fines", "k": 21}, 422, "k"),
        ("post", "/v1/search", {"query": "fines", "k": 0}, 422, "k"),
        ("post", "/v1/search", {"query": "fines", "colour": "red"}, 422, "colour"),
        ("post", "/v1/search", {"query": "fines", "docs": ["gdpr"]}, 404, "GDPR (General"),
        ("get", "/v1/documents/gdpr/units/art_5", None, 404, "GDPR (General"),
        ("get", "/v1/documents/dma/units/art_5", None, 404, "is not in this knowledge base"),
        ("get", "/v1/documents/gpdr/units/art_5", None, 404, "Unknown act 'gpdr'"),
        ("get", "/v1/documents/ai-act/units/art_114", None, 404, "art_114"),
        ("get", "/v1/nothing-here", None, 404, "Not Found"),
    ],
)
def test_errors_are_problem_details(
    client: httpx.Client, method: str, path: str, body: dict | None, status: int, needle: str
) -> None:
    r = client.request(method.upper(), path, json=body)
    assert r.status_code == status
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["status"] == status and needle in json.dumps(problem)
    assert "Traceback" not in r.text


def test_a_provision_of_an_act_not_held_is_refused_with_its_eur_lex_link(client: httpx.Client) -> None:
    # Issue 31: the units route never answers for an act it does not hold.
    r = client.get("/v1/documents/gdpr/units/art_30")
    assert r.status_code == 404
    detail = r.json()["detail"]
    assert detail.startswith("GDPR (General Data Protection Regulation) is not in this knowledge base")
    assert "https://eur-lex.europa.eu/eli/reg/2016/679/oj" in detail and "kb ingest --source" in detail


def test_an_oversized_body_is_refused(client: httpx.Client) -> None:
    r = client.post(
        "/v1/search",
        content=b'{"query": "' + b"x" * 70_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM


def test_openapi_schema_and_offline_docs(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    for path in (
        "/v1/ask",
        "/v1/ask/stream",
        "/v1/search",
        "/v1/documents",
        "/v1/documents/{doc}/units/{unit}",
    ):
        assert path in schema["paths"]
    assert schema["components"]["schemas"]["AskRequest"]["examples"]
    page = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_access_log_is_json_without_queries(client: httpx.Client, server: Server) -> None:
    client.post("/v1/search", json={"query": "a very distinctive query about tractors"})
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    entry = next(e for e in reversed(lines) if e["path"] == "/v1/search")
    assert entry["status"] == 200 and entry["ms"] >= 0
    assert "tractors" not in server.log.read_text()


def test_a_new_index_is_picked_up_without_failing_a_request(
    client: httpx.Client, index_settings: Settings
) -> None:
    before = client.get("/readyz").json()["built_at"]
    failures: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            while not stop.is_set():
                r = c.post("/v1/search", json={"query": "switching charges", "k": 3})
                if r.status_code != 200 or not r.json()["hits"]:
                    failures.append(f"{r.status_code} {r.text[:200]}")

    workers = [threading.Thread(target=hammer) for _ in range(3)]
    for w in workers:
        w.start()
    # Publish a new build the way ingest does: a finished folder beside the old one, then the link.
    current = index_settings.index_dir.resolve()
    build = new_build_dir(index_settings.index_dir)
    shutil.copytree(current, build)
    manifest = json.loads((build / MANIFEST).read_text())
    manifest["built_at"] = "2099-01-01T00:00:00+00:00"
    (build / MANIFEST).write_text(json.dumps(manifest))
    publish(build, index_settings.index_dir)
    try:
        for _ in range(120):
            if client.get("/readyz").json()["built_at"] != before:
                break
            threading.Event().wait(0.5)
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert client.get("/readyz").json()["built_at"] == "2099-01-01T00:00:00+00:00"
    assert failures == []


@pytest.fixture(scope="module")
def guarded(index_settings: Settings) -> Iterator[TestClient]:
    """The app in-process (through ASGI), with keys and a rate limit."""
    config = index_settings.model_copy(update={"api_keys": "k-one,k-two", "rate_limit": 20})
    with TestClient(create_app(config)) as c:
        wait_ready(c)
        yield c


def wait_ready(c: TestClient, timeout: float = 120) -> None:
    for _ in range(int(timeout / 0.2)):
        if c.get("/readyz").status_code == 200:
            return
        threading.Event().wait(0.2)
    raise TimeoutError(c.get("/readyz").text)


def test_keys_guard_v1_but_not_health(guarded: TestClient) -> None:
    assert guarded.get("/healthz").status_code == 200 and guarded.get("/readyz").status_code == 200
    denied = guarded.get("/v1/documents")
    assert denied.status_code == 401 and denied.headers["content-type"] == PROBLEM
    assert guarded.get("/v1/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/v1/documents", headers={"Authorization": "Bearer k-two"}).status_code == 200


def test_the_rate_limit_answers_429_with_retry_after(guarded: TestClient) -> None:
    key = {"Authorization": "Bearer k-one"}
    statuses = [guarded.get("/v1/documents", headers=key).status_code for _ in range(30)]
    assert statuses[0] == 200 and 429 in statuses
    r = guarded.get("/v1/documents", headers=key)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_without_an_index_the_api_says_so(tmp_path: Path, index_settings: Settings) -> None:
    config = index_settings.model_copy(update={"index_dir": tmp_path / "none", "reload_interval": 0})
    with TestClient(create_app(config)) as c:
        for _ in range(50):
            if "No index" in c.get("/readyz").text:
                break
            threading.Event().wait(0.2)
        ready = c.get("/readyz")
        assert ready.status_code == 503 and "kb ingest" in ready.json()["detail"]
        r = c.post("/v1/search", json={"query": "fines"})
        assert r.status_code == 503 and r.headers["content-type"] == PROBLEM
        assert c.get("/healthz").status_code == 200


def test_schemathesis_finds_no_server_errors_or_schema_violations(server: Server, tmp_path: Path) -> None:
    import subprocess
    import sys

    st = str(Path(sys.executable).parent / "st")
    result = subprocess.run(
        [
            st,
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            "15",
            "--exclude-path",
            "/v1/admin/reload",
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]

"""Obligations on the real index: who must do what, about which system, from when, read from
the acts (kb/obligations) and shown on every interface: the look-up, `GET /v1/obligations`,
`kb obligations` / `kb timeline`, a "what must we do" question in `kb ask` and in the web page."""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.config import Settings
from kb.errors import BadQuery
from kb.index import STORE, IndexFiles
from kb.knowledge import KnowledgeBase
from kb.obligations.lookup import find, timeline
from kb.obligations.store import load
from tests.helpers import kb, settings_env


@pytest.fixture(scope="module")
def files(index_settings: Settings) -> IndexFiles:
    return IndexFiles(index_settings.index_dir)


def ask(files: IndexFiles, **filters: str | None) -> list[dict]:  # type: ignore[type-arg]
    return find(load(files), files.manifest.acts, **filters)  # type: ignore[arg-type]


def by_pinpoint(items: list[dict]) -> dict[str, dict]:  # type: ignore[type-arg]
    return {i["pinpoint"]: i for i in items}


def dates(item: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {a["scope"]: a["date"] for a in item["applies_from"]}


def test_ingest_writes_the_obligations_table_for_every_act_and_version(files: IndexFiles) -> None:
    con = sqlite3.connect(files.path / STORE)
    rows = dict(con.execute("SELECT doc || ' ' || version, count(*) FROM obligations GROUP BY 1").fetchall())
    con.close()
    ai = {v.id for a in files.manifest.acts if a.id == "ai-act" for v in a.versions}
    assert {f"ai-act {v}" for v in ai} | {"data-act 2024-01-11"} == set(rows)
    assert all(n > 100 for n in rows.values()), rows  # the amending act's instructions bind no one


def test_deployers_of_annex_iii_systems_in_both_versions(files: IndexFiles) -> None:
    current = by_pinpoint(ask(files, doc="ai-act", role="deployer", system="high-risk (Annex III)"))
    original = by_pinpoint(
        ask(files, doc="ai-act", role="deployer", system="high-risk (Annex III)", version="original")
    )
    item = current["26(1)"]
    assert item["sentence"].startswith("Deployers of high-risk AI systems shall take appropriate technical")
    assert (item["role"], item["role_source"], item["system"]) == (
        "deployer",
        "Article 3(4)",
        "high-risk AI system",
    )
    assert item["applies_from"] == [
        {
            "date": "2027-12-02",
            "provision": "Article 113, third paragraph, point (c)(i)",
            "pinpoint": "113(3)(c)(i)",
            "scope": "high-risk (Annex III)",
            "condition": "",
        }
    ]
    assert dates(original["26(1)"]) == {"high-risk (Annex III)": "2026-08-02"}
    assert item["url"].endswith("#art_26") and item["label"] == "Article 26(1)"
    assert {"27(1)(a)", "26(5)", "4(1)"} <= set(current)  # the FRIA, monitoring, AI literacy
    assert not [p for p in current if p.startswith(("16", "53"))], "a provider's duties are not a deployer's"


def test_providers_of_high_risk_systems_answer_for_articles_9_to_15_through_article_16(
    files: IndexFiles,
) -> None:
    items = ask(files, doc="ai-act", role="provider", system="high-risk")
    units = {i["unit"] for i in items}
    assert {f"art_{n}" for n in (9, 10, 11, 12, 13, 14, 15, 16, 17, 43, 47, 48, 49)} <= units
    art9 = by_pinpoint(items)["9(1)"]
    assert art9["role_source"].startswith("through Article ")
    sixteen = by_pinpoint(items)["16(a)"]
    assert "Chapter III, Section 2" in sixteen["points_to"]
    # Both annexes when the system kind does not say which: Annex III 2027, Annex I 2028.
    assert dates(sixteen) == {"high-risk (Annex III)": "2027-12-02", "high-risk (Annex I)": "2028-08-02"}
    annex_i = by_pinpoint(
        ask(files, doc="ai-act", role="provider", system="high-risk (Annex I)", version="original")
    )
    assert dates(annex_i["16(a)"]) == {
        "high-risk (Annex I)": "2027-08-02"
    }  # "Article 6(1) and the corresponding obligations"


def test_providers_of_general_purpose_ai_models(files: IndexFiles) -> None:
    plain = by_pinpoint(ask(files, doc="ai-act", role="provider of a general-purpose AI model"))
    systemic = by_pinpoint(
        ask(files, doc="ai-act", role="provider", system="general-purpose AI model with systemic risk")
    )
    assert {"53(1)(a)", "53(1)(b)", "54(1)"} <= set(plain)
    assert not [p for p in plain if p.startswith("55")], "Article 55 binds only models with systemic risk"
    assert "55(1)(a)" in systemic and "53(1)(a)" in systemic
    for version in ("current", "original"):
        item = by_pinpoint(
            ask(files, doc="ai-act", role="provider", system="general-purpose AI model", version=version)
        )
        assert dates(item["53(1)(a)"]) == {"": "2025-08-02"}, version
    assert not [p for p in plain if p.startswith("26")]


def test_data_holders_and_providers_of_data_processing_services(files: IndexFiles) -> None:
    holders = by_pinpoint(ask(files, doc="data-act", role="data holder"))
    assert {"4(1)", "5(1)"} <= set(holders)
    assert holders["4(1)"]["role_source"] == "Article 2(13)"
    assert dates(holders["5(1)"]) == {"": "2025-09-12"}
    cloud = ask(files, doc="data-act", role="provider of data processing services")
    units = {i["unit"] for i in cloud}
    assert {"art_23", "art_25", "art_29", "art_30"} <= units
    assert all(not i["role_defined"] for i in cloud), "the Data Act does not define the term: read as written"
    # The obligation of Article 3(1) applies to products placed on the market after 12 September 2026.
    whole = by_pinpoint(ask(files, doc="data-act"))
    assert dates(whole["3(1)"]) == {"": "2026-09-12"}
    assert whole["3(1)"]["role"] == "unknown"  # "Connected products shall be designed …": no one named


def test_on_a_date_lists_what_applies_by_then(files: IndexFiles) -> None:
    before = by_pinpoint(ask(files, doc="data-act", on="2026-01-01"))
    after = by_pinpoint(ask(files, doc="data-act", on="2026-10-01"))
    assert "4(1)" in before and "3(1)" not in before  # Article 3(1) applies from 12 September 2026
    assert "3(1)" in after
    with pytest.raises(BadQuery, match="not a date"):
        ask(files, on="soon")


def test_bad_values_get_one_line_naming_the_valid_ones(files: IndexFiles) -> None:
    with pytest.raises(BadQuery, match=r"Unknown role 'toaster'; the roles the acts bind are: .*deployer"):
        ask(files, role="toaster")
    with pytest.raises(BadQuery, match=r"Unknown system 'fridge'; the kinds .*high-risk \(Annex III\)"):
        ask(files, doc="ai-act", system="fridge")
    with pytest.raises(
        BadQuery, match=r"Unknown act 'gdpr'; the acts with obligations are: ai-act, data-act"
    ):
        ask(files, doc="gdpr")


def test_the_timeline_reads_each_acts_final_provisions(files: IndexFiles) -> None:
    entries = timeline(load(files), files.manifest.acts, "ai-act", "original")
    assert [(e["date"], e["provision"]) for e in entries][:2] == [
        ("2025-02-02", "Article 113, third paragraph, point (a)"),
        ("2025-08-02", "Article 113, third paragraph, point (b)"),
    ]
    assert ("2027-08-02", "high-risk (Annex I)") in {(e["date"], e["scope"]) for e in entries}
    current = timeline(load(files), files.manifest.acts, "ai-act", "current")
    assert {"2027-12-02", "2028-08-02"} <= {e["date"] for e in current}


@pytest.fixture(scope="module")
def client(index_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(index_settings)) as c:
        for _ in range(600):
            if c.get("/readyz").status_code == 200:
                break
            time.sleep(0.2)
        yield c


def test_the_route_is_a_lookup(client: TestClient) -> None:
    params = {"doc": "ai-act", "role": "deployer", "system": "high-risk (Annex III)", "version": "original"}
    body = client.get("/v1/obligations", params=params).json()
    first = by_pinpoint(body["obligations"])["26(1)"]
    assert first["applies_from"][0]["date"] == "2026-08-02" and first["citation"] == "AI Act, Article 26(1)"
    took = []
    for _ in range(30):
        started = time.perf_counter()
        assert client.get("/v1/obligations", params=params).status_code == 200
        took.append(time.perf_counter() - started)
    assert statistics.median(took) < 0.020, f"p50 {statistics.median(took) * 1000:.1f} ms"
    bad = client.get("/v1/obligations", params={"role": "toaster"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert "deployer" in bad.json()["detail"]
    assert (
        client.get("/v1/timeline", params={"doc": "data-act"}).json()["timeline"][0]["date"] == "2025-09-12"
    )


def test_the_cli_lists_and_exits_2_on_a_bad_role(index_settings: Settings) -> None:
    env = settings_env(index_settings)
    listed = kb("obligations", "--role", "deployer", "--system", "high-risk", "--doc", "ai-act", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "AI Act: deployer" in listed.stdout and "AI Act, Article 26(1):" in listed.stdout
    assert (
        "from 2 December 2027 (high-risk (Annex III)), Article 113, third paragraph, point (c)(i)"
        in listed.stdout
    )
    as_json = json.loads(kb("obligations", "--role", "data holder", "--json", env=env).stdout)
    assert as_json["count"] == len(as_json["obligations"]) > 10
    bad = kb("obligations", "--role", "toaster", env=env)
    assert bad.returncode == 2 and "Unknown role 'toaster'" in bad.stderr
    line = kb("timeline", "--doc", "ai-act", "--version", "original", env=env).stdout.splitlines()[0]
    assert line.startswith("2 February 2025  ai-act  Article 113, third paragraph, point (a)")


def test_what_must_we_do_is_answered_as_the_providers_list_with_dates(knowledge: KnowledgeBase) -> None:
    answer = knowledge.ask(
        "We run a SaaS HR tool that scores job applicants with ML. What do we have to do before putting "
        "it on the EU market?"
    )
    text = answer.answer
    assert text.startswith(
        "Read as the provider: 'placing on the market' is what the provider does (Article 3(3))"
    )
    assert "Annex III, point 4(a)" in text
    assert "From 2 December 2027 (Article 113, third paragraph, point (c)(i)):" in text
    for article in (
        "Article 9 ",
        "Article 15 ",
        "Article 16 ",
        "Article 43 ",
        "Article 47 ",
        "Article 48 ",
        "Article 49 ",
    ):
        assert f"\n{article}" in text, article
    assert all(s.citation >= 1 for s in answer.sentences) and answer.outcome == "answered"
    labels = [c.label for c in answer.citations]
    assert "AI Act, Article 3, point (3)" in labels[0] and any(
        lbl.startswith("AI Act, Annex III, point 4(a)") for lbl in labels
    )


def test_a_deployer_of_a_cv_screening_tool_gets_articles_26_and_27(knowledge: KnowledgeBase) -> None:
    text = knowledge.ask("what must we do if we deploy a CV-screening tool?").answer
    assert text.startswith("Read as the deployer: you name the deployer (Article 3(4)).")
    assert "Annex III, point" in text and "4(a)" in text
    assert "\nArticle 26 (1)" in text and "\nArticle 27 " in text
    assert "Article 16 " not in text


@pytest.fixture(scope="module")
def with_gdpr(with_others: tuple[dict, dict]) -> IndexFiles:  # type: ignore[type-arg]
    env, _ = with_others
    return IndexFiles(Path(env["KB_INDEX_DIR"]))


def test_controllers_of_an_act_added_with_source(with_gdpr: IndexFiles) -> None:
    controller = by_pinpoint(ask(with_gdpr, doc="gdpr", role="controller"))
    assert {"24(1)", "30(1)", "33(1)"} <= set(controller)
    assert controller["24(1)"]["role_source"] == "Article 4(7)"
    assert dates(controller["24(1)"]) == {"": "2018-05-25"}
    assert controller["24(1)"]["applies_from"][0]["provision"] == "Article 99(2)"
    processor = by_pinpoint(ask(with_gdpr, doc="gdpr", role="processor"))
    assert "28(2)" in processor and "24(1)" not in processor


@pytest.fixture(scope="module")
def web(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.process import Server

    srv = Server(settings_env(index_settings), tmp_path_factory.mktemp("web-obligations") / "server.log")
    srv.wait_ready()
    yield srv.url
    srv.stop()


def test_the_web_page_answers_what_must_we_do_as_the_grouped_list_and_shows_the_timeline(web: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.test_web import CHROMIUM, FLAGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(web)
        page.fill("#question", "what must we do if we deploy a CV-screening tool?")
        page.keyboard.press("Enter")
        answer = page.locator(".turn").last.locator(".answer")
        expect(page.locator(".turn").last.locator(".answer[data-done]")).to_have_count(1, timeout=60_000)
        expect(answer).to_contain_text("Read as the deployer")
        expect(answer).to_contain_text("Annex III, point")
        expect(answer).to_contain_text("From 2 December 2027 (Article 113, third paragraph, point (c)(i))")
        expect(answer).to_contain_text("Deployers of high-risk AI systems shall take appropriate")
        # Every line is cited: as many provision blocks as markers, the first citing Article 3(4).
        expect(page.locator(".source").first).to_contain_text("AI Act, Article 3, point (4)")
        assert answer.locator("a.marker").count() >= answer.locator(".sentence").count()
        # The timeline view: what starts applying when, in the version chosen.
        page.goto(f"{web}/timeline")
        deferred = page.locator('#timeline li[data-date="2027-12-02"]')
        expect(deferred.first).to_contain_text("2 December 2027 — ai-act")
        expect(deferred.first).to_contain_text(
            "Article 113, third paragraph, point (c)(i) [high-risk (Annex III)]"
        )
        page.select_option("#version", "original")
        expect(page.locator('#timeline li[data-date="2027-08-02"]').first).to_contain_text("point (c)")
        expect(page.locator('#timeline li[data-date="2027-12-02"]')).to_have_count(0)
        browser.close()

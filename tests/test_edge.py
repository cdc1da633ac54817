"""The edge of the law (issue 27) on the real index, over HTTP and in a real browser: a question
the acts leave to the Member States or to the Commission is answered in part with the provision
that leaves it; one about another field of law or a fact in the world is declined with the
nearest provisions labelled as not answering; an answerable one stays answered.

The questions are phrased apart from every item of the evaluation sets (dev, field, own, edge)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kb.config import Settings
from tests.helpers import settings_env
from tests.process import Server
from tests.test_web import CHROMIUM, FLAGS, ask

NATIONAL = "Has Austria already designated its market surveillance authority for AI systems?"
FUTURE = (
    "Will the Commission publish guidelines with practical examples of high-risk and non-high-risk "
    "AI systems?"
)
OTHER_LAW = "How much VAT is due when we sell an AI system to a customer in another Member State?"
WORLD = "Which AI start-ups have received funding from EU innovation programmes so far?"
ANSWERABLE = "What information must the instructions for use of a high-risk AI system contain?"


@pytest.fixture(scope="module")
def server(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(settings_env(index_settings), tmp_path_factory.mktemp("edge") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def _ask(client: httpx.Client, question: str) -> dict:
    r = client.post("/v1/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()


def _delegating(body: dict) -> tuple[dict, dict]:
    """The lead sentence of an answer in part and the provision it cites."""
    lead = body["sentences"][0]
    return lead, body["citations"][lead["citation"] - 1]


def test_a_national_authority_is_answered_in_part_with_the_delegating_provision(client: httpx.Client) -> None:
    body = _ask(client, NATIONAL)
    assert body["outcome"] == "in_part" and not body["abstained"]
    lead, hit = _delegating(body)
    assert lead["text"].startswith("The AI Act leaves this to the Member States (Article ")
    assert "What Austria decided is national law" in lead["text"]
    # The quoted words are the provision's own, and they hand the matter to the Member States.
    assert lead["quotes"] and lead["quotes"][0] in hit["text"]
    assert re.search(r"Member States? shall designate", lead["quotes"][0])
    assert body["reason"].startswith("The AI Act leaves part of this to the Member States")


def test_a_future_commission_act_is_answered_in_part_with_the_empowerment(client: httpx.Client) -> None:
    body = _ask(client, FUTURE)
    assert body["outcome"] == "in_part"
    lead, hit = _delegating(body)
    assert lead["text"].startswith("The AI Act leaves this to the Commission (Article 6(")
    assert re.search(r"The Commission shall\b.* provide guidelines", lead["quotes"][0])
    assert lead["quotes"][0] in hit["text"] and hit["unit"] == "art_6"
    # The rest of the answer still quotes the provisions found.
    assert len(body["sentences"]) > 1


def test_another_field_of_law_is_declined(client: httpx.Client) -> None:
    body = _ask(client, OTHER_LAW)
    assert body["outcome"] == "declined" and body["abstained"] and body["sentences"] == []
    assert "VAT" in body["reason"] and "field of law" in body["reason"]
    assert "they do not answer the question" in body["answer"]
    assert body["citations"] and all(c["low_confidence"] for c in body["citations"])


def test_a_fact_in_the_world_is_declined(client: httpx.Client) -> None:
    body = _ask(client, WORLD)
    assert body["outcome"] == "declined" and body["abstained"]
    assert "facts in the world" in body["reason"]


def test_an_answerable_question_stays_answered(client: httpx.Client) -> None:
    body = _ask(client, ANSWERABLE)
    assert body["outcome"] == "answered" and body["reason"] is None
    assert body["citations"][body["sentences"][0]["citation"] - 1]["unit"] == "art_13"


def test_the_stream_says_the_outcome_first(client: httpx.Client) -> None:
    with client.stream("POST", "/v1/ask/stream", json={"question": NATIONAL}) as r:
        text = "".join(r.iter_text())
    first = text.split("\n\n", 1)[0]
    assert first.startswith("event: citations") and '"outcome":"in_part"' in first.replace(" ", "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(server.url)
    yield pg
    context.close()


def test_the_page_shows_an_answer_in_part_and_its_provision(page: Page) -> None:
    ask(page, NATIONAL)
    answer = page.locator(".turn").last.locator(".answer")
    expect(answer).to_have_attribute("data-outcome", "in_part")
    expect(answer.locator(".outcome")).to_contain_text(
        "Answered in part. The AI Act leaves part of this to the Member States (Article "
    )
    expect(answer).to_contain_text("What Austria decided is national law")
    expect(page.locator("#sources-note")).to_contain_text("The acts answer this in part.")
    answer.locator("a.marker").first.click()
    expect(page.locator(".source.active")).to_contain_text("Member States shall designate")


def test_the_page_labels_the_nearest_provisions_of_a_declined_question(page: Page) -> None:
    ask(page, OTHER_LAW)
    answer = page.locator(".turn").last.locator(".answer")
    expect(answer).to_have_attribute("data-outcome", "declined")
    expect(answer).to_contain_text("a field of law these acts do not govern")
    expect(page.locator("#sources-note")).to_contain_text("which do not answer it")
    expect(answer.locator(".outcome")).to_have_count(0)

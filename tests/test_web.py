"""The chat page in a real browser (Debian's Chromium driven by Playwright) against the real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kb.config import Settings
from tests.helpers import settings_env
from tests.process import Server

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent / "output"


@pytest.fixture(scope="module")
def server(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(settings_env(index_settings), tmp_path_factory.mktemp("web") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


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


def ask(page: Page, question: str) -> None:
    count = page.locator(".turn").count()
    page.fill("#question", question)
    page.keyboard.press("Enter")
    expect(page.locator(".turn")).to_have_count(count + 1)
    expect(page.locator(".turn").last.locator(".answer .meta")).to_be_visible(timeout=60_000)


def test_a_question_streams_an_answer_with_its_sources(page: Page) -> None:
    expect(page.locator("#versions")).to_contain_text("OJ L, 2024/1689")
    expect(page.locator("#examples")).to_be_visible()
    ask(page, "Can we use emotion recognition on our staff?")
    answer = page.locator(".turn").last.locator(".answer")
    expect(answer).to_contain_text("The following AI practices shall be prohibited")
    expect(answer.locator("a.marker").first).to_have_text("[1]")
    expect(page.locator(".source").first).to_contain_text("AI Act, Article 5(1)")
    expect(answer.locator(".meta")).to_contain_text("OJ L, 2024/1689")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "web-desktop.png"), full_page=True)


def test_a_citation_marker_highlights_its_passage(page: Page) -> None:
    ask(page, "How much notice must a cloud provider give before switching?")
    page.locator(".answer a.marker").first.click()
    active = page.locator(".source.active")
    expect(active).to_have_count(1)
    expect(active.locator("mark").first).to_be_visible()


def test_the_whole_provision_opens_and_its_cross_references_follow(page: Page) -> None:
    ask(page, "Article 6(2) AI Act")
    page.locator(".source").first.locator("button.open").click()
    dialog = page.locator("#provision")
    expect(dialog).to_be_visible()
    expect(page.locator("#provision-title")).to_contain_text("AI Act, Article 6")
    page.locator("#provision-out button", has_text="AI Act, Annex III").first.click()
    expect(page.locator("#provision-title")).to_contain_text("AI Act, Annex III")
    expect(page.locator("#provision-text")).to_contain_text("Biometrics")


def test_an_amended_provision_says_so_and_its_original_wording_is_one_click_away(page: Page) -> None:
    ask(page, "When do the obligations for high-risk AI systems in Annex III apply?")
    first = page.locator(".source").first
    expect(first).to_contain_text("AI Act, Article 113 (as amended by Regulation (EU) 2026/1744)")
    expect(first).to_contain_text("2 December 2027")
    expect(first.locator(".unofficial")).to_contain_text("transcriptions of the official Formex files")
    first.locator("button.original").click()
    expect(page.locator("#provision-title")).to_have_text(
        "AI Act, Article 113 — Entry into force and application"
    )
    expect(page.locator("#provision-text")).to_contain_text("It shall apply from 2 August 2026.")
    expect(page.locator("#provision-text")).not_to_contain_text("2 December 2027")
    page.locator("#provision-other").click()
    expect(page.locator("#provision-text")).to_contain_text("2 December 2027")
    expect(page.locator("#provision-amended")).to_contain_text(
        "Regulation (EU) 2026/1744, Article 1, point (40)"
    )


def test_the_law_as_first_published_can_be_chosen(page: Page) -> None:
    page.select_option("#version", "original")
    ask(page, "When do the obligations for high-risk AI systems in Annex III apply?")
    expect(page.locator(".source").first).to_have_text(re.compile(r"AI Act, Article 113(?! \(as amended)"))
    expect(page.locator(".turn").last.locator(".answer .meta")).to_contain_text("original text")


def test_a_follow_up_uses_the_conversation_and_survives_a_reload(page: Page) -> None:
    ask(page, "What are the obligations of providers of high-risk AI systems?")
    ask(page, "and for deployers?")
    expect(page.locator(".source").first).to_contain_text("AI Act, Article 26")
    page.reload()
    expect(page.locator(".turn")).to_have_count(2)
    page.click("#clear")
    expect(page.locator(".turn")).to_have_count(0)


def test_a_question_outside_the_acts_is_declined_plainly(page: Page) -> None:
    ask(page, "What is the maximum GDPR fine?")
    expect(page.locator(".answer.abstained")).to_contain_text("do not answer")
    expect(page.locator("#sources-note")).to_contain_text("which do not answer it")


def test_the_act_filter_changes_the_sources(page: Page) -> None:
    page.select_option("#act-filter", "data-act")
    ask(page, "What are the penalties for infringements?")
    labels = page.locator(".source h3").all_inner_texts()
    assert labels and all("Data Act" in label for label in labels)


def test_markup_in_a_question_is_shown_as_text_and_never_runs(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    payload = "<img src=x onerror=alert(1)>"
    ask(page, payload)
    expect(page.locator(".question").last).to_have_text(payload)
    assert page.locator(".conversation img").count() == 0
    assert dialogs == []


def test_a_phone_screen_has_no_horizontal_scrolling(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server.url)
    ask(page, "When did the Data Act start to apply?")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "web-phone.png"), full_page=True)
    context.close()


def test_an_api_error_is_shown_as_a_message(page: Page) -> None:
    # Past the textarea's maxlength, as a script or an old browser could send: the API refuses it (422).
    page.evaluate("document.getElementById('question').value = 'y'.repeat(8001)")
    page.click("#send")
    expect(page.locator(".answer .error")).to_contain_text("Could not answer")

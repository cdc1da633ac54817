"""The chat page in a real browser (Debian's Chromium driven by Playwright) against the real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kb.config import Settings
from tests.helpers import settings_env
from tests.llm_standin import StandIn
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
# The README's screenshots: written here by the tests themselves, so they show the page as it is.
SHOTS = Path(__file__).resolve().parent.parent / "docs"
KEY = "web-test-key"


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
    expect(page.locator(".turn").last.locator(".answer[data-done]")).to_have_count(1, timeout=60_000)


def test_a_question_streams_an_answer_with_its_sources(page: Page) -> None:
    expect(page.locator("#versions")).to_contain_text("OJ L, 2024/1689")
    expect(page.locator("#examples")).to_be_visible()
    ask(page, "Can we use emotion recognition on our staff?")
    answer = page.locator(".turn").last.locator(".answer")
    expect(answer).to_contain_text("The following AI practices shall be prohibited")
    expect(answer.locator("a.marker").first).to_have_text("[1]")
    expect(page.locator(".source").first).to_contain_text("AI Act, Article 5(1)")
    expect(answer.locator(".meta")).to_contain_text("OJ L, 2024/1689")
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
    # A declined answer cites nothing: no "Cites …" under it (issue 31).
    expect(page.locator(".answer.abstained .meta")).to_have_count(0)


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


def test_a_phone_screen_has_no_horizontal_scrolling_and_opens_at_the_answer(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server.url)
    ask(page, "Can we use emotion recognition on our staff?")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    # Issue 31: the page scrolled to the end of the answer, the lead off-screen above it.
    lead = page.locator(".turn").last.locator(".sentence.lead")
    expect(lead).to_be_in_viewport()
    page.screenshot(path=str(SHOTS / "web-phone.png"))
    context.close()


def test_the_answer_reads_in_one_pass(page: Page) -> None:
    # The lead first, marked as our reading; then each provision a block with the law's words
    # set apart as quotations (issue 31).
    ask(page, "Can we use emotion recognition on our staff?")
    answer = page.locator(".turn").last.locator(".answer")
    lead = answer.locator(".sentence").first
    expect(lead).to_have_class(re.compile(r"\blead\b"))
    expect(lead.locator(".tag")).to_contain_text("regkb's reading")
    expect(lead.locator("blockquote.quote").first).to_contain_text("infer emotions of a natural person")
    expect(answer.locator(".sentence.provision").first.locator(".label")).to_contain_text("AI Act, Article")
    assert answer.locator(".sentence.provision blockquote.quote").count() >= 1


def test_whole_provision_opens_at_the_pinpoint(page: Page) -> None:
    ask(page, "Can we use emotion recognition on our staff?")
    card = page.locator(".source", has_text="AI Act, Article 5(1)").first
    card.locator("button.open").click()
    # Marked and scrolled to: the passage the card cites, point (f) in it.
    pinned = page.locator("#provision-pinpoint")
    expect(pinned).to_contain_text("(f) the placing on the market")
    expect(pinned).to_be_in_viewport()
    # Article 5 begins with point (a), which is now scrolled out of the text's box.
    top = page.evaluate("document.getElementById('provision-text').scrollTop")
    assert top > 0


@pytest.fixture(scope="module")
def keyed_server(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {**settings_env(index_settings), "KB_API_KEYS": f"other-key,{KEY}"}
    srv = Server(env, tmp_path_factory.mktemp("web-keys") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def test_with_api_keys_the_page_asks_for_one_once_and_says_when_it_is_wrong(
    browser: Browser, keyed_server: Server
) -> None:
    # Issue 31: with KB_API_KEYS set, the page could not list the acts nor ask anything.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(keyed_server.url)
    expect(page.locator("#key-form")).to_be_visible()
    expect(page.locator("#key-note")).to_contain_text("needs an API key")
    page.fill("#api-key", "not-a-key")
    page.click("#key-form button[type=submit]")
    expect(page.locator("#key-note")).to_contain_text("not accepted")
    page.fill("#api-key", KEY)
    page.click("#key-form button[type=submit]")
    expect(page.locator("#key-form")).to_be_hidden()
    expect(page.locator("#versions")).to_contain_text("OJ L, 2024/1689")
    ask(page, "How much notice must a cloud provider give before switching?")
    expect(page.locator(".source").first).to_contain_text("Data Act")
    # Kept for the tab: a reload asks no more.
    page.reload()
    expect(page.locator("#versions")).to_contain_text("OJ L, 2024/1689")
    expect(page.locator("#key-form")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('regkb.key')") == KEY
    assert page.evaluate("localStorage.getItem('regkb.key')") is None
    context.close()


def test_an_api_error_is_shown_as_a_message(page: Page) -> None:
    # Past the textarea's maxlength, as a script or an old browser could send: the API refuses it (422).
    page.evaluate("document.getElementById('question').value = 'y'.repeat(8001)")
    page.click("#send")
    expect(page.locator(".answer .error")).to_contain_text("Could not answer")


@pytest.fixture(scope="module")
def translating_server(
    index_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The server with questions not in English translated by the packaged 0.5B model."""
    pytest.importorskip("llama_cpp", reason="the translation step needs the `llm` extra")
    env = {**settings_env(index_settings), "KB_TRANSLATE": "qwen2.5-coder-0.5b-instruct"}
    srv = Server(env, tmp_path_factory.mktemp("web-translating") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def test_a_german_follow_up_shows_its_translation_and_the_english_text_notice(
    browser: Browser, translating_server: Server
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(translating_server.url)
    ask(page, "What are the obligations of providers of high-risk AI systems?")
    page.fill("#question", "Und welche Pflichten haben die Betreiber?")
    page.keyboard.press("Enter")
    turn = page.locator(".turn").last
    # The translation takes seconds to tens of seconds on a busy two-core machine.
    expect(turn.locator(".answer[data-done]")).to_have_count(1, timeout=300_000)
    expect(turn).to_contain_text("ins Englische übersetzt")
    expect(turn).to_contain_text("amtlichen englischen Wortlaut")
    expect(page.locator(".source").first).to_contain_text("AI Act, Article")
    context.close()


# Records, in the order they happen, a progress line added to an answer and sources listed.
WATCH = """() => {
  window.seen = [];
  new MutationObserver((records) => {
    for (const r of records) {
      for (const node of r.addedNodes) {
        const progress = node.nodeType === 1 && node.classList.contains("progress");
        if (progress) seen.push("progress: " + node.textContent);
      }
      if (r.target.id === "source-list" && r.addedNodes.length) seen.push("sources");
    }
  }).observe(document.body, { subtree: true, childList: true });
}"""


def test_a_german_question_shows_its_translation_in_progress_before_the_sources(
    browser: Browser, translating_server: Server
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(translating_server.url)
    expect(page.locator("#versions")).to_contain_text("OJ L, 2024/1689")
    page.evaluate(WATCH)
    page.fill("#question", "Welche Pflichten haben Einführer von Hochrisiko-KI-Systemen?")
    page.keyboard.press("Enter")
    turn = page.locator(".turn").last
    # Shown at once, in German, while the model translates (seconds on two busy cores).
    expect(turn.locator(".progress")).to_contain_text("Übersetze die Frage", timeout=10_000)
    expect(turn.locator(".answer[data-done]")).to_have_count(1, timeout=300_000)
    seen = page.evaluate("window.seen")
    assert seen[0].startswith("progress: Übersetze die Frage"), seen
    assert "sources" in seen and all(s.startswith("progress") for s in seen[: seen.index("sources")]), seen
    # Gone once the answer is there.
    expect(turn.locator(".progress")).to_have_count(0)
    expect(turn).to_contain_text("ins Englische übersetzt")
    expect(page.locator(".source").first).to_contain_text("AI Act, Article")
    context.close()


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with StandIn() as s:
        yield s


@pytest.fixture(scope="module")
def writing_server(
    index_settings: Settings, standin: StandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The server with a (stand-in) language model and the packaged 0.5B translation model."""
    pytest.importorskip("llama_cpp", reason="the translation step needs the `llm` extra")
    env = {
        **settings_env(index_settings),
        "KB_TRANSLATE": "qwen2.5-coder-0.5b-instruct",
        "KB_LLM_URL": standin.url,
        "KB_LLM_MODEL": standin.model,
    }
    srv = Server(env, tmp_path_factory.mktemp("web-writing") / "server.log")
    srv.wait_ready()
    yield srv
    srv.stop()


def test_a_translated_generated_answer_keeps_its_checked_english_on_hover_and_in_a_toggle(
    browser: Browser, writing_server: Server, standin: StandIn
) -> None:
    question = "Ab wann gelten die Verbote für bestimmte Praktiken der künstlichen Intelligenz?"
    quote = "Chapters I and II shall apply from 2 February 2025"
    standin.script("Nothing here.")  # (fails the checks: the quoted answer, to number the sources)
    body = {"question": question, "version": "original"}
    hits = httpx.post(f"{writing_server.url}/v1/ask", json=body, timeout=300).json()["citations"]
    n = next(i for i, h in enumerate(hits, start=1) if h["unit"] == "art_113")
    english = "The prohibitions apply from 2 February 2025."
    standin.script(f"{english[:-1]} [{n}]. Article 113 says “{quote}” [{n}].")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(writing_server.url)
    page.select_option("#version", "original")
    page.fill("#question", question)
    page.keyboard.press("Enter")
    answer = page.locator(".turn").last.locator(".answer")
    # Three runs of the translation model (the question, two sentences) on two busy cores.
    expect(answer).to_have_attribute("data-done", "1", timeout=300_000)
    expect(answer.locator(".written-by")).to_contain_text("standin-1")
    translated = answer.locator(".sentence.translated")
    assert translated.count() >= 1, answer.inner_text()
    title = translated.first.get_attribute("title") or ""
    assert title.startswith("Machine translation. As written and checked, in English: ")
    assert title.split(": ", 1)[1] in (english, f"Article 113 says “{quote}”.")
    toggle = answer.locator("details.english")
    toggle.locator("summary").click()
    expect(toggle).to_contain_text(english)
    expect(toggle.locator("a.marker").first).to_have_text(f"[{n}]")
    expect(answer.locator(".notice").first).to_be_visible()
    expect(answer).to_contain_text("maschinell ins Deutsche übersetzt")
    context.close()

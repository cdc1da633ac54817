"""The page that checks a text's citations, in a real browser against the real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.process import Server
from tests.test_web import SHOTS, browser, server  # noqa: F401 (fixtures)

TEXT = (
    "Deployers of high-risk AI systems keep the logs for at least six months (Article 26(6) of the AI Act). "
    "Article 12(4) of the AI Act makes them tamper-proof. <img src=x onerror=alert(1)>"
)


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:  # noqa: F811 (the fixtures above)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(server.url + "/check")
    yield pg
    context.close()


def test_each_citation_is_marked_in_place_with_its_verdict(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.fill("#text", TEXT)
    page.click("#run")
    marks = page.locator("#marked .cite")
    expect(marks).to_have_count(2, timeout=60_000)
    expect(marks.nth(0)).to_have_text("Article 26(6)")
    expect(marks.nth(0)).to_have_class("cite supported")
    expect(marks.nth(1)).to_have_class("cite not_supported")
    # The text around the citations is shown as it was written, markup as text.
    expect(page.locator("#marked")).to_contain_text("<img src=x onerror=alert(1)>")
    marks.nth(1).click()
    card = page.locator("#card-1")
    expect(card).to_have_class("source active")
    expect(card).to_contain_text("not supported")
    expect(card).to_contain_text("paragraphs 1 to 3")
    expect(page.locator("#card-0 blockquote")).to_contain_text("six months")
    expect(page.locator("#summary")).to_contain_text("2 citations: 1 supported, 1 not supported")
    assert not dialogs
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "check-desktop.png"), full_page=True)


def test_the_chat_page_links_to_the_check_and_back(page: Page) -> None:
    page.click("text=Ask a question")
    expect(page.locator("#question")).to_be_visible()
    page.click("text=Check a text's citations")
    expect(page.locator("#text")).to_be_visible()

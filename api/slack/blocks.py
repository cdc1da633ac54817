"""An answer as Slack Block Kit, within Slack's limits: at most 50 blocks, 3,000 characters in
a section, 10 elements in a context block. A long answer is cut between sentences, with a link
to the full answer on the web page."""

from __future__ import annotations

from urllib.parse import quote

from kb.results import Answer, Hit

# Slack caps a button's value at 2,000 characters (Block Kit reference, "button element").
BUTTON_VALUE_CHARS = 2000
MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_SOURCES = 10


def escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as markup; text from the acts and users is text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(*texts: str) -> dict:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": t} for t in texts[:MAX_CONTEXT_ELEMENTS]],
    }


def _source_line(n: int, hit: Hit) -> str:
    title = f" — {escape(hit.title)}" if hit.title else ""
    # Text that rests on unofficial files says so where it is cited, not only in a footnote.
    unofficial = f"\n_{escape(hit.unofficial)}_" if hit.unofficial else ""
    return f"*[{n}]* <{hit.url}|{escape(hit.label)}>{title}{unofficial}"[:2900]


def answer_blocks(answer: Answer, web_url: str | None = None, share: bool = False) -> list[dict]:
    blocks: list[dict] = [_context(f"*Question:* {escape(answer.question)[:2900]}")]
    if answer.abstained:
        blocks.append(_section(f":information_source: {escape(answer.answer)}"[:MAX_SECTION]))
        if answer.citations:
            blocks.append(_context("*Nearest provisions (they do not answer the question):*"))
    elif not answer.citations or not answer.sentences:
        blocks.append(_section(":warning: *No provision of the acts supports an answer to this question.*"))
    else:
        if answer.outcome == "in_part":
            blocks.append(_context(f":jigsaw: *{escape(answer.outcome_line() or '')}*"[:2900]))
        blocks.extend(_answer_sections(answer, web_url))
        written_by = answer.written_by()
        if written_by:
            removed = (
                f"; {answer.removed_sentences} unsupported sentences removed"
                if answer.removed_sentences
                else ""
            )
            blocks.append(_context(f"_{escape(written_by)}{removed}_"))
        if answer.answer_translated_by:
            # Machine-translated after the checks: the sentences as checked go with it.
            english = " ".join(
                f"{escape(s.english or s.text)} " + "".join(f"[{n}]" for n in s.markers())
                for s in answer.sentences
            )
            blocks.append(_context(f"*In English, as checked:* {english}"[:2900]))
        blocks.append(_context("*Sources*"))
    for notice in answer.notices:
        blocks.append(_context(f":warning: {escape(notice)}"[:2900]))
    for n, hit in enumerate(answer.citations[:MAX_SOURCES], start=1):
        blocks.append(_context(_source_line(n, hit)))
    if answer.versions:
        blocks.append(_context(*(f"{escape(v.short_name)}: {escape(v.version)}" for v in answer.versions)))
    if share and not answer.abstained:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "share_answer",
                        "text": {"type": "plain_text", "text": "Share in channel"},
                        "value": answer.question[:BUTTON_VALUE_CHARS],
                    }
                ],
            }
        )
    return blocks[:MAX_BLOCKS]


def _answer_sections(answer: Answer, web_url: str | None) -> list[dict]:
    """The answer's sentences with their markers, packed into sections under the size limit;
    past the room left for the sources, the rest is cut with a link to the whole answer."""
    english = 1 if answer.answer_translated_by else 0  # the checked English of a translated answer
    fixed = 2 + min(len(answer.citations), MAX_SOURCES) + 2 + 1 + 1 + english + len(answer.notices)
    room = MAX_BLOCKS - fixed
    sections: list[str] = []
    current = ""
    cut = False
    sep = " " if answer.answer_mode == "generated" else "\n"
    for s in answer.sentences:
        markers = "".join(f"[{n}]" for n in s.markers())
        piece = f"{escape(s.text)} *{markers}*"
        if len(piece) > MAX_SECTION - 100:
            piece = piece[: MAX_SECTION - 120].rsplit(" ", 1)[0] + " … " + f"*{markers}*"
        if len(current) + len(piece) + 1 > MAX_SECTION - 100:
            sections.append(current)
            current = ""
            if len(sections) >= room:
                cut = True
                break
        # A quoted answer puts its lead and each provision on a line; a written one is prose.
        current = f"{current}{sep}{piece}".strip()
    if current and not cut:
        sections.append(current)
    blocks = [_section(text) for text in sections]
    if cut and web_url:
        blocks.append(_section(f"… <{web_url}?q={quote(answer.question)}|Read the whole answer on the web>"))
    return blocks


def plain_text(answer: Answer) -> str:
    """The notification text that goes with the blocks, escaped as they are: an act's `<!channel>`
    or `<url|text>` must not ping a channel or make a link from a notification either."""
    return escape(answer.answer[:300]) + ("…" if len(answer.answer) > 300 else "")


def error_blocks(message: str) -> list[dict]:
    return [_section(f":x: {escape(message)}")]

"""Parse an act from a Markdown clip of its EUR-Lex HTML page (the MarkDownload browser extension),
in any language the heading words of ingest/words.py know: the French AI Act's clip in
../shared/corpus/fr is the file it was written against.

What the clip keeps of the page: recitals and points as two-cell table rows (`|(1)|text|`,
`|a)|text|`, each followed by a `|---|---|` separator), numbered paragraphs as "1.   text",
headings ("CHAPITRE I", "SECTION 1", "Article premier", "Article 2") each on a line with its
title on the next, footnote calls as links (`[(1)](…#ntr1-…)`). What it loses: nested tables
(the subpoints (i), (ii) … of a point are not in the clip) and the annexes (the clip stops at
the act's footnotes). The block tree is built as ingest/eurlex_html.py builds the English one
(a list hangs from the text before it, else from its paragraph), so that the two can be aligned
block by block (ingest/align.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest import words
from ingest.errors import ParseError
from ingest.eurlex_html import _point_num
from ingest.text import clean
from kb.document import Act, Block, Heading, Unit

_FOOTNOTE_CALL = re.compile(r"\s*\[\(\s*(?:\d+|\\?\*)\s*\)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ROW = re.compile(r"^\|([^|]*)\|(.*)\|$")
_SEPARATOR = re.compile(r"^\|(?:-{3,}\|)+$")
_RECITAL = re.compile(r"^\((\d+)\)$")
_PARAGRAPH = re.compile(r"^(\d+[a-z]?)\.\s+(.*)$")
# Where the enacting terms end: the place and date of signature ("Fait à Bruxelles", "Geschehen
# zu Brüssel", "Done at Brussels") or the rule MarkDownload draws above the footnotes.
_END = re.compile(r"^(?:Fait à |Geschehen zu |Done at |___+$)")


def is_clip(head: bytes) -> bool:
    """Whether a file's first bytes are a MarkDownload clip of an EUR-Lex page: its front matter
    names the page (`source: https://eur-lex.europa.eu/…`)."""
    text = head.decode("utf-8", "replace")
    return text.startswith("---") and "source: https://eur-lex.europa.eu/" in text[:2000]


def parse_file(path: Path, act_id: str, short_name: str) -> Act:
    """The act in a MarkDownload clip: recitals, chapters, sections and articles as units and
    headings with the ids of the English act (`rct_1`, `art_1` for "Article premier"). Raises
    ParseError for a file with no act title or no articles."""
    try:
        lines = [clean(_inline(raw)) for raw in path.read_text(encoding="utf-8").splitlines()]
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"not UTF-8 text ({exc.reason}); expected a Markdown clip") from exc
    title = _title(lines)
    if not title:
        raise ParseError(path, "no act title (REGULATION/RÈGLEMENT/VERORDNUNG (EU) YYYY/N) in the clip")
    act = Act(id=act_id, short_name=short_name, title=title, source_format="eurlex-markdown")
    _Reader(act).read(lines)
    if not act.of_kind("article"):
        raise ParseError(path, "no articles found; the clip may be truncated or not of an act")
    for unit in act.units:
        unit.render()
    return act


def _inline(text: str) -> str:
    text = _FOOTNOTE_CALL.sub("", text.replace("\xa0", " "))
    return _LINK.sub(r"\1", text).replace("\\*", "*")


def _title(lines: list[str]) -> str:
    """The act's title: the line naming its number and the lines after it up to the first blank
    run that ends in the EEA note or the enacting institutions."""
    for i, line in enumerate(lines):
        if line.startswith((">", "#", "source:")) or not words.TITLE_NUMBER.match(line):
            continue
        parts = [line]
        for nxt in lines[i + 1 : i + 8]:
            if nxt.startswith("(") or nxt.isupper():
                break
            if nxt:
                parts.append(nxt)
        return " ".join(parts)
    return ""


class _Reader:
    """One pass over the clip's lines, filling `act`."""

    def __init__(self, act: Act) -> None:
        self.act = act
        self.chapter: Heading | None = None
        self.section: Heading | None = None
        self.unit: Unit | None = None
        self.paragraph: Block | None = None
        self.pending: str | None = None  # "chapter", "section" or "article": its title comes next

    def read(self, lines: list[str]) -> None:
        for line in lines:
            if not line or _SEPARATOR.match(line):
                continue
            if self.unit is not None and self.unit.kind == "article" and _END.match(line):
                return
            if self.pending:
                self._titled(line)
            elif m := words.CHAPTER.match(line):
                self._close()
                self.chapter, self.section = Heading(kind="chapter", num=m.group(1), title=""), None
                self.act.chapters.append(self.chapter)
                self.pending = "chapter"
            elif (m := words.SECTION.match(line)) and self.chapter is not None:
                self._close()
                self.section = Heading(kind="section", num=m.group(1), title="", chapter=self.chapter.num)
                self.act.sections.append(self.section)
                self.pending = "section"
            elif m := words.ARTICLE.match(line):
                num = words.article_number(m.group(1))
                self.unit = Unit(
                    kind="article",
                    id=f"art_{num}",
                    num=num,
                    anchor=f"art_{num}",
                    chapter=self.chapter,
                    section=self.section,
                )
                self.act.units.append(self.unit)
                self.paragraph = None
                self.pending = "article"
            elif (row := _ROW.match(line)) and _RECITAL.match(row.group(1)) and not self.act.chapters:
                num = _RECITAL.match(row.group(1)).group(1)  # type: ignore[union-attr]
                text = clean(row.group(2))
                self.act.units.append(
                    Unit(
                        kind="recital",
                        id=f"rct_{num}",
                        num=num,
                        anchor=f"rct_{num}",
                        blocks=[Block(kind="text", num=None, text=text)],
                    )
                )
            elif self.unit is not None and self.unit.kind == "article":
                self._body(line)

    def _close(self) -> None:
        self.unit, self.paragraph = None, None

    def _titled(self, line: str) -> None:
        if self.pending == "chapter" and self.chapter is not None:
            self.chapter.title = line
        elif self.pending == "section" and self.section is not None:
            self.section.title = line
        elif self.pending == "article" and self.unit is not None:
            self.unit.title = line
        self.pending = None

    def _body(self, line: str) -> None:
        """A line of an article: a numbered paragraph, a point, or text (a subparagraph)."""
        assert self.unit is not None
        if m := _PARAGRAPH.match(line):
            self.paragraph = Block(kind="paragraph", num=m.group(1), marker=f"{m.group(1)}.", text=m.group(2))
            self.unit.blocks.append(self.paragraph)
            return
        siblings = self.paragraph.children if self.paragraph is not None else self.unit.blocks
        row = _ROW.match(line)
        if row is None:
            siblings.append(Block(kind="text", num=None, text=line))
            return
        marker, text = clean(row.group(1)), clean(row.group(2))
        num = _point_num(marker)
        if num is None and marker not in ("—", "-", "–", "•"):
            # Not a point: a quoted numbered entry of another act ("«68)"), kept as text.
            siblings.append(Block(kind="text", num=None, text=f"{marker} {text}".strip()))
            return
        block = Block(kind="point", num=num, marker=marker, text=text)
        lead = siblings[-1] if siblings else None
        if lead is not None and lead.kind == "text":
            lead.children.append(block)
        else:
            siblings.append(block)

"""Parse an act from its Official Journal PDF, recovering the structure from the text.

pypdf gives lines in reading order. Three facts about OJ layout carry the whole parse:
- a line that wraps onto the next one ends with a space, so a line without one ends a
  block (paragraph, point, subparagraph, heading);
- each page ends with a running footer ("OJ L, 12.7.2024 EN", "ELI: … 51/144") followed
  only by that page's footnotes, so everything from the footer on is dropped;
- markers come in sequence (Article 5 follows Article 4, paragraph 2 follows 1), which tells
  a real heading or paragraph from a cross-reference that happens to start a line.
"""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from ingest.errors import ParseError
from ingest.pdf_lines import Line, body_lines, logical_lines
from ingest.text import clean
from kb.document import Act, Block, Heading, Unit
from kb.vocabulary import ROMANS, SMALL_ROMANS, is_roman

_ARTICLE = re.compile(r"^Article (\d+[a-z]?)$")
_CHAPTER = re.compile(r"^CHAPTER ([IVXLC]+)$")
_SECTION = re.compile(r"^SECTION (\d+)$")
_ANNEX = re.compile(r"^ANNEX ([IVXLC]+)$")
_RECITAL = re.compile(r"^\((\d+)\)\s+(.*)$")
_PARAGRAPH = re.compile(r"^(\d+[a-z]?)\.\s+(.*)$")
_POINT = re.compile(r"^\(([a-z]{1,3}|\d{1,3}[a-z]?)\)\s+(.*)$")
_DASH = re.compile(r"^([—–-])\s+(.*)$")
_ANNEX_HEADING = re.compile(r"^(?:Section|SECTION|Part|PART) ([A-Z0-9]+)\b")


def parse_file(path: Path, act_id: str, short_name: str) -> Act:
    if path.stat().st_size == 0:
        raise ParseError(path, "the file is empty")
    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise ParseError(path, f"not a readable PDF ({exc})") from exc
    if not any(p.strip() for p in pages):
        raise ParseError(path, "the PDF has no extractable text (is it a scan?)")
    # Every page of an Official Journal act carries the journal's running header.
    if not any("Official Journal of the European Union" in " ".join(p.split()) for p in pages[:3]):
        raise ParseError(
            path,
            "not an Official Journal act: its first pages lack the header 'Official Journal of the "
            "European Union'; expected the act's PDF from the Official Journal (EUR-Lex)",
        )
    lines = logical_lines(body_lines(pages))
    act = _Parser(path, act_id, short_name).parse(lines)
    for unit in act.units:
        unit.render()
    return act


class _Parser:
    def __init__(self, path: Path, act_id: str, short_name: str) -> None:
        self.path = path
        self.act = Act(id=act_id, short_name=short_name, title="", source_format="oj-pdf")
        self.unit: Unit | None = None
        self.stack: list[tuple[str, Block]] = []  # open point lists: (list type, last point)
        self.lead: Block | None = None  # the block that a new list of points hangs from
        self.section_block: Block | None = None  # current annex section heading
        self.chapter: Heading | None = None
        self.section: Heading | None = None
        self.count = {"recital": 0, "article": 0, "annex": 0}  # units opened so far, by kind

    # -- driving --------------------------------------------------------------------------

    def parse(self, lines: list[Line]) -> Act:
        stage = "title"
        title: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            text = line.text
            nxt = lines[i + 1].text if i + 1 < len(lines) else ""
            if stage == "title":
                if text.startswith("THE EUROPEAN PARLIAMENT") or text.startswith("THE COUNCIL"):
                    stage = "citations"
                else:
                    title.append(text)
            elif stage == "citations":
                if text == "Whereas:":
                    stage = "recitals"
            elif stage == "recitals":
                if text.startswith("HAVE ADOPTED THIS"):
                    self._close_unit()
                    stage = "articles"
                else:
                    self._recital_line(line)
            elif stage == "articles":
                if text.startswith("This Regulation shall be binding in its entirety"):
                    self._close_unit()
                    self.act.final_formula = text
                    stage = "final"
                else:
                    i = self._article_line(lines, i)
            elif stage == "final":
                if self._starts_annex(text):
                    stage = "annexes"
                    continue
                if text.startswith("Done at"):
                    self.act.final_formula += "\n" + text
            elif stage == "annexes":
                i = self._annex_line(lines, i, nxt)
            i += 1
        self._close_unit()
        self.act.title = clean(" ".join(title))
        if not self.act.of_kind("article"):
            raise ParseError(self.path, "no articles found; is this an Official Journal act?")
        return self.act

    # -- recitals --------------------------------------------------------------------------

    def _recital_line(self, line: Line) -> None:
        m = _RECITAL.match(line.text)
        expected = str(self.count["recital"] + 1)
        if m and m.group(1) == expected:
            self._close_unit()
            unit = Unit(kind="recital", id=f"rct_{expected}", num=expected, anchor=f"rct_{expected}")
            self._open(unit, line)
            self._add_top(Block(kind="text", num=None, text=m.group(2)), line)
        elif self.unit is not None:
            self._add_text(line)

    # -- enacting terms --------------------------------------------------------------------

    def _article_line(self, lines: list[Line], i: int) -> int:
        line = lines[i]
        text = line.text
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if m := _CHAPTER.match(text):
            self._close_unit()
            self.chapter = Heading(kind="chapter", num=m.group(1), title=nxt)
            self.section = None
            self.act.chapters.append(self.chapter)
            return i + 1
        if (m := _SECTION.match(text)) and self.chapter is not None:
            self._close_unit()
            self.section = Heading(kind="section", num=m.group(1), title=nxt, chapter=self.chapter.num)
            self.act.sections.append(self.section)
            return i + 1
        m = _ARTICLE.match(text)
        if m and m.group(1) == str(self.count["article"] + 1):
            self._close_unit()
            num = m.group(1)
            unit = Unit(
                kind="article",
                id=f"art_{num}",
                num=num,
                title=nxt,
                anchor=f"art_{num}",
                chapter=self.chapter,
                section=self.section,
            )
            self._open(unit, line)
            return i + 1
        if self.unit is None:
            return i
        self._body_line(line, lines[i + 1 : i + 3])
        return i

    def _body_line(self, line: Line, ahead: list[Line]) -> None:
        assert self.unit is not None
        text = line.text
        m = _PARAGRAPH.match(text)
        if m and self.unit.kind == "article" and m.group(1) == self._next_paragraph():
            block = Block(kind="paragraph", num=m.group(1), marker=f"{m.group(1)}.", text=m.group(2))
            self._add_top(block, line)
            return
        if m and self.unit.kind == "annex" and self._fits_list("dot", m.group(1)):
            self._add_point("dot", m.group(1), f"{m.group(1)}.", m.group(2), line)
            return
        if m := _POINT.match(text):
            kind = self._list_type(m.group(1), ahead)
            self._add_point(kind, m.group(1), f"({m.group(1)})", m.group(2), line)
            return
        if m := _DASH.match(text):
            self._add_point("dash", None, m.group(1), m.group(2), line)
            return
        self._add_text(line, ahead)

    def _next_paragraph(self) -> str:
        assert self.unit is not None
        numbered = [b for b in self.unit.blocks if b.kind == "paragraph"]
        if not numbered:
            # Only a first paragraph may open an article; "1." later is a list item.
            return "1" if not self.unit.blocks else "\0"
        return str(int(re.sub(r"\D", "", numbered[-1].num or "0")) + 1)

    # -- annexes ---------------------------------------------------------------------------

    def _starts_annex(self, text: str) -> bool:
        m = _ANNEX.match(text)
        return bool(m) and m.group(1) == ROMANS[self.count["annex"]]

    def _annex_line(self, lines: list[Line], i: int, nxt: str) -> int:
        line = lines[i]
        if self._starts_annex(line.text):
            self._close_unit()
            num = _ANNEX.match(line.text).group(1)  # type: ignore[union-attr]
            self._open(Unit(kind="annex", id=f"anx_{num}", num=num, title=nxt, anchor=f"anx_{num}"), line)
            return i + 1
        if self.unit is None:
            return i
        if m := _ANNEX_HEADING.match(line.text):
            heading = Block(kind="heading", num=m.group(1), text=line.text)
            self.unit.blocks.append(heading)
            self.section_block = heading
            self.stack = []
            self.lead = None
            self._extend_pages(line)
            return i
        self._body_line(line, lines[i + 1 : i + 3])
        return i

    # -- building blocks -------------------------------------------------------------------

    def _open(self, unit: Unit, line: Line) -> None:
        self.unit = unit
        unit.pages = (line.page, line.page)
        self.stack = []
        self.lead = None
        self.section_block = None
        self.act.units.append(unit)
        self.count[unit.kind] += 1

    def _close_unit(self) -> None:
        self.unit = None
        self.stack = []
        self.lead = None
        self.section_block = None

    def _extend_pages(self, line: Line) -> None:
        assert self.unit is not None and self.unit.pages is not None
        self.unit.pages = (self.unit.pages[0], line.page)

    def _top(self) -> list[Block]:
        assert self.unit is not None
        return self.section_block.children if self.section_block is not None else self.unit.blocks

    def _add_top(self, block: Block, line: Line) -> None:
        self._top().append(block)
        self.stack = []
        self.lead = block
        self._extend_pages(line)

    def _add_text(self, line: Line, ahead: list[Line] | None = None) -> None:
        """An unnumbered line: a subparagraph of the open point, paragraph, or the unit itself."""
        block = Block(kind="text", num=None, text=line.text)
        if self.stack and (line.text.startswith("‘") or self._list_goes_on(ahead or [])):
            # Quoted text is the wording an amending point inserts, and text followed by the
            # next point of the same list is a subparagraph of the point before it.
            self.stack[-1][1].children.append(block)
            self._extend_pages(line)
            return
        if self.stack:
            # After a list, text belongs to what opened the list (the paragraph), not to the
            # last point: that is how the acts are drafted in the overwhelming majority.
            owner = self._open_paragraph()
            if owner is not None:
                owner.children.append(block)
                self.stack = []
                self.lead = block
                self._extend_pages(line)
                return
            self.stack = []
        paragraph = self._open_paragraph()
        if paragraph is not None:
            paragraph.children.append(block)
            self.lead = block
            self._extend_pages(line)
            return
        self._add_top(block, line)

    def _list_goes_on(self, ahead: list[Line]) -> bool:
        if not ahead or not self.stack:
            return False
        m = _POINT.match(ahead[0].text) or _PARAGRAPH.match(ahead[0].text)
        if not m:
            return False
        kind, last = self.stack[-1]
        num = m.group(1)
        if kind == "alpha":
            return len(num) == 1 and num == chr(ord((last.num or "a")[-1]) + 1)
        if kind == "roman":
            return num == _next_roman(last.num or "")
        if kind in ("num", "dot"):
            return num == str(int(re.sub(r"\D", "", last.num or "0") or 0) + 1)
        return False

    def _open_paragraph(self) -> Block | None:
        top = self._top()
        return top[-1] if top and top[-1].kind == "paragraph" else None

    def _fits_list(self, kind: str, num: str) -> bool:
        for list_kind, last in reversed(self.stack):
            if list_kind == kind:
                return num == str(int(re.sub(r"\D", "", last.num or "0") or 0) + 1)
        return num == "1"

    def _list_type(self, num: str, ahead: list[Line]) -> str:
        """'num', 'alpha' or 'roman'. "(i)" after "(h)" could be either: it is a letter when it
        continues the letters and the next marker is not "(ii)"."""
        if num[0].isdigit():
            return "num"
        if not is_roman(num):
            return "alpha"
        last_roman = next((b for k, b in reversed(self.stack) if k == "roman"), None)
        if last_roman is not None and num == _next_roman(last_roman.num or ""):
            return "roman"
        last_alpha = next((b for k, b in reversed(self.stack) if k == "alpha"), None)
        if last_alpha is not None and len(num) == 1 and num == chr(ord((last_alpha.num or "a")[-1]) + 1):
            following = next((m for a in ahead if (m := _POINT.match(a.text))), None)
            goes_roman = following is not None and following.group(1) == _next_roman(num)
            return "roman" if goes_roman else "alpha"
        return "roman"

    def _add_point(self, kind: str, num: str | None, marker: str, text: str, line: Line) -> None:
        block = Block(kind="point", num=num, marker=marker, text=text)
        # Close deeper lists down to this list type, if it is open.
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == kind:
                del self.stack[depth:]
                parent = self.stack[-1][1] if self.stack else self.lead
                break
        else:
            parent = self.stack[-1][1] if self.stack else self.lead
            if parent is None:
                parent_list = self._top()
                parent_list.append(block)
                self.stack.append((kind, block))
                self._extend_pages(line)
                return
        if parent is None:
            self._top().append(block)
        else:
            parent.children.append(block)
        self.stack.append((kind, block))
        self._extend_pages(line)


def _next_roman(num: str) -> str:
    return SMALL_ROMANS[SMALL_ROMANS.index(num) + 1] if num in SMALL_ROMANS[:-1] else ""

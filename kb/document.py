"""The document model every parser produces and everything downstream reads.

An act is a list of units (recitals, articles, annexes). A unit's body is a tree of
blocks (paragraphs, points, subpoints, plain text, annex section headings). The unit's
`text` is rendered from that tree once, and every block knows its character span in it,
so a passage can always be a verbatim slice of its unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from kb.vocabulary import UnitKind

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

BlockKind = Literal["paragraph", "point", "text", "heading"]


@dataclass
class Heading:
    """A chapter or section of the enacting terms, known by its place in the tree.

    Sections are numbered from 1 again in every chapter (the AI Act has five Sections 1), so a
    section is known by its chapter and its number together: `key` is ("VII", "1") for Section 1
    of Chapter VII and ("VII", "") for Chapter VII itself.
    """

    kind: Literal["chapter", "section"]
    num: str  # "III" for a chapter, "2" for a section
    title: str
    chapter: str = ""  # for a section, its chapter's number ("III"); empty for a chapter

    @property
    def key(self) -> tuple[str, str]:
        """(chapter number, section number), the section number empty for a chapter."""
        return (self.chapter, self.num) if self.kind == "section" else (self.num, "")

    @property
    def label(self) -> str:
        return f"{self.kind.capitalize()} {self.num}"


@dataclass
class CrossRef:
    """A reference found in a unit's text, resolved inside the corpus when it can be."""

    text: str  # as written: "Article 6(2)", "Annex III", "Regulation (EU) 2016/679"
    start: int  # offsets into the unit text
    end: int
    doc: str | None = None  # target act id when inside the corpus
    unit: str | None = None  # target unit id ("art_6") when inside the corpus
    pinpoint: str | None = None  # "6(2)" when the reference names a paragraph or point
    external: str | None = None  # "Regulation (EU) 2016/679" when it points outside


@dataclass
class Amendment:
    """What an amending act did to a unit: one of its instructions, applied or left to a reader."""

    act: str  # the amending act's id: "ai-act-amendment-2026-1744"
    citation: str  # "Regulation (EU) 2026/1744, Article 1, point (40)(b)"
    instruction: str  # as written: "point (c) is replaced by the following:"
    target: str  # "Article 113, third paragraph, point (c)"
    action: str  # replace, insert, add, delete, amend
    in_force: str  # ISO date from which the change is law
    applied: bool  # False: flagged, the reader is sent to the amending text
    text: str = ""  # the amending text, shown with a flagged unit
    reason: str = ""  # why it was not applied mechanically


@dataclass
class Block:
    kind: BlockKind
    num: str | None  # "1" for a paragraph, "a" / "i" / "12" for points, "A" for a heading
    text: str  # the block's own text, without its marker and without its children
    marker: str = ""  # the number as printed: "1.", "(a)", "(12)"; empty for text and headings
    children: list[Block] = field(default_factory=list)
    # Filled in by Unit.render(): spans in the unit text.
    start: int = 0  # where the block (with its number) starts
    end: int = 0  # where the block and all its children end
    own_end: int = 0  # where the block's own text ends (before its children)

    def walk(self) -> list[Block]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass
class Unit:
    kind: UnitKind
    id: str  # EUR-Lex style: "art_5", "rct_27" (printed number), "anx_III"
    num: str  # "5", "27", "III"
    title: str = ""  # article or annex title; empty for recitals
    blocks: list[Block] = field(default_factory=list)
    anchor: str = ""  # element id in the EUR-Lex XHTML (differs for Data Act recitals)
    chapter: Heading | None = None
    section: Heading | None = None
    pages: tuple[int, int] | None = None  # first and last PDF page, 1-based, when parsed from PDF
    text: str = ""
    refs: list[CrossRef] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)

    def render(self) -> str:
        """Lay the blocks out as text, one block a line, and record each block's span."""
        parts: list[str] = []
        pos = 0

        def emit(block: Block) -> None:
            nonlocal pos
            if parts:
                parts.append("\n")
                pos += 1
            block.start = pos
            marker = block.marker
            line = f"{marker} {block.text}" if marker and block.text else (marker or block.text)
            parts.append(line)
            pos += len(line)
            block.own_end = pos
            for child in block.children:
                emit(child)
            block.end = pos

        for block in self.blocks:
            emit(block)
        self.text = "".join(parts)
        return self.text

    @property
    def label(self) -> str:
        return {"recital": "Recital", "article": "Article", "annex": "Annex"}[self.kind] + (f" {self.num}")

    def all_blocks(self) -> list[Block]:
        out: list[Block] = []
        for block in self.blocks:
            out.extend(block.walk())
        return out

    def paragraphs(self) -> list[Block]:
        """Top-level paragraphs: numbered ones, or the unnumbered text blocks counted in order."""
        return [b for b in self.blocks if b.kind in ("paragraph", "text")]

    @property
    def numbered_paragraphs(self) -> bool:
        return any(b.kind == "paragraph" for b in self.blocks)


@dataclass
class Act:
    id: str  # "ai-act"
    short_name: str  # "AI Act"
    title: str
    units: list[Unit] = field(default_factory=list)
    chapters: list[Heading] = field(default_factory=list)
    sections: list[Heading] = field(default_factory=list)
    final_formula: str = ""
    source_format: str = ""  # "eurlex-xhtml", "oj-pdf"

    def unit(self, unit_id: str) -> Unit | None:
        return self._index().get(unit_id)

    def _index(self) -> dict[str, Unit]:
        cache = self.__dict__.get("_unit_index")
        if cache is None or len(cache) != len(self.units):
            cache = {u.id: u for u in self.units}
            self.__dict__["_unit_index"] = cache
        return cache

    def of_kind(self, kind: UnitKind) -> list[Unit]:
        return [u for u in self.units if u.kind == kind]

    def heading(self, chapter: str, section: str = "") -> Heading | None:
        """Chapter `chapter` ("VII"), or its Section `section` ("1") when given; None when absent."""
        headings = self.sections if section else self.chapters
        return next((h for h in headings if h.key == (chapter, section)), None)


@dataclass
class Passage:
    """What is indexed and returned: a verbatim slice of one unit, never more than one."""

    doc: str
    unit: str
    unit_kind: UnitKind
    start: int  # offsets into the unit's text
    end: int
    text: str  # == unit.text[start:end]
    pinpoint: str  # "5(1)(f)", "5(1)(a)-(c)", "III(4)", "27"
    heading: str  # "AI Act › Chapter II Prohibited AI practices › Article 5 Prohibited AI practices"
    context: str = ""  # the lead-in of a list the passage is part of
    page: int | None = None
    embed_text: str = ""  # what the embedder saw: heading, context and text
    versions: tuple[str, ...] = ()  # the versions of the act the passage is part of


def to_dict(obj: DataclassInstance) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(obj)


def unit_from_dict(data: dict[str, Any]) -> Unit:
    def block(d: dict[str, Any]) -> Block:
        return Block(**{**d, "children": [block(c) for c in d["children"]]})

    return Unit(
        **{
            **data,
            "blocks": [block(b) for b in data["blocks"]],
            "chapter": Heading(**data["chapter"]) if data.get("chapter") else None,
            "section": Heading(**data["section"]) if data.get("section") else None,
            "pages": tuple(data["pages"]) if data.get("pages") else None,
            "refs": [CrossRef(**r) for r in data.get("refs", [])],
            "amendments": [Amendment(**a) for a in data.get("amendments", [])],
        }
    )

"""Read an amending act's instructions ("in Article 113, the third paragraph is amended as
follows: (a) point (a) is replaced by the following: ‘…’") into structured operations.

An amending article is a numbered list: each point names a provision of the amended act, says
what happens to it, and quotes the new text. A point that says "Article 57 is amended as
follows:" sets the place for its lettered sub-points, which say the rest. The wording is a
small, fixed drafting language (the Joint Practical Guide, rules 18-19), read here by pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from ingest import formex
from ingest.errors import ParseError
from ingest.formex import outer_quotes, text_of
from kb.document import Unit
from kb.vocabulary import ORDINALS

_ORD = "|".join(ORDINALS)
_NUM = r"\d+[a-z]*"


@dataclass(frozen=True)
class Target:
    """Where in the amended act: the narrowest place the wording names."""

    article: str | None = None
    annex: str | None = None
    section: str | None = None
    paragraphs: tuple[str, ...] = ()  # numbered paragraphs: ("2", "3")
    paragraph_ordinal: int | None = None  # "the third paragraph" of an article without numbers
    subparagraph: int | None = None
    points: tuple[str, ...] = ()
    part: str | None = None  # "heading" or "intro"

    def describe(self) -> str:
        bits = []
        if self.article:
            bits.append(f"Article {self.article}")
        if self.annex:
            bits.append(f"Annex {self.annex}")
        if self.section:
            bits.append(f"Section {self.section}")
        if self.paragraphs:
            bits.append(
                ("paragraphs " if len(self.paragraphs) > 1 else "paragraph ") + " and ".join(self.paragraphs)
            )
        if self.paragraph_ordinal:
            bits.append(f"{ORDINALS[self.paragraph_ordinal - 1]} paragraph")
        if self.subparagraph:
            bits.append(f"{ORDINALS[self.subparagraph - 1]} subparagraph")
        if self.points:
            shown = self.points if self.annex else tuple(f"({p})" for p in self.points)
            bits.append(("points " if len(shown) > 1 else "point ") + " and ".join(shown))
        if self.part == "heading":
            bits.append("heading")
        elif self.part == "intro":
            bits.append("introductory part")
        return ", ".join(bits)


@dataclass
class Instruction:
    number: str  # "40(b)": point 40, sub-point (b)
    point: int  # 40
    wording: str  # "in Article 113, the third paragraph is amended as follows: point (c) is replaced…"
    action: str  # replace, insert, add, delete, amend
    target: Target
    new_kind: str | None = None  # what an insertion adds: point, paragraph, subparagraph, article, annex
    quoted: list[etree._Element] = field(default_factory=list)  # the elements of the new text
    outer: set[str] = field(default_factory=set)  # ids of the quote marks framing the new text
    included: list[str] = field(default_factory=list)  # files the new text is in (a new annex)
    text: str = ""  # the amending text as printed, for a reader sent to it

    @property
    def citation_point(self) -> str:
        head, _, sub = self.number.partition("(")
        return f"point ({head})" + (f"({sub}" if sub else "")


def read_instructions(path: Path, article: str = "1") -> list[Instruction]:
    """The instructions of one article of an amending act in Formex (Article 1 by default)."""
    root = etree.parse(str(path)).getroot()
    node = root.find(f"ENACTING.TERMS/ARTICLE[@IDENTIFIER='{int(article):03d}']")
    if node is None:
        raise ParseError(path, f"no Article {article} in the enacting terms")
    items = node.findall("ALINEA/LIST/ITEM")
    if not items:
        raise ParseError(path, f"Article {article} has no numbered amending points")
    out: list[Instruction] = []
    for item in items:
        np_ = item.find("NP")
        number = text_of(np_.find("NO.P")).strip("()")
        wording = text_of(np_.find("TXT"))
        sub_list = np_.find("P/LIST")
        if sub_list is not None and not np_.findall("P/QUOT.S"):
            base = _parse_wording(wording, Target())[1]
            for sub in sub_list.findall("ITEM"):
                sub_np = sub.find("NP")
                letter = text_of(sub_np.find("NO.P")).strip("()")
                sub_wording = text_of(sub_np.find("TXT"))
                out.append(
                    _instruction(f"{number}({letter})", int(number), f"{wording} {sub_wording}", sub_np, base)
                )
        else:
            out.append(_instruction(number, int(number), wording, np_, Target()))
    return out


def _instruction(number: str, point: int, wording: str, np_: etree._Element, base: Target) -> Instruction:
    own = text_of(np_.find("TXT"))
    action, target, new_kind = _parse_wording(own, base)
    quotes = np_.findall("P/QUOT.S")
    quoted = [c for q in quotes for c in q if isinstance(c.tag, str)]
    outer = set().union(*(outer_quotes(q) for q in quotes)) if quotes else set()
    included = [c.get("FILEREF", "") for c in quoted if c.tag == "INCL.ELEMENT"]
    printed = [wording, *(_printed(q) for q in quotes)]
    return Instruction(
        number=number,
        point=point,
        wording=wording,
        action=action,
        target=target,
        new_kind=new_kind,
        quoted=[c for c in quoted if c.tag != "INCL.ELEMENT"],
        outer=outer,
        included=included,
        text="\n".join(p for p in printed if p),
    )


def _printed(quote: etree._Element) -> str:
    """Quoted text laid out a block a line, as the Official Journal prints it."""
    return Unit(kind="article", id="quoted", num="", blocks=formex.block(quote, None)).render()


_ACTION = re.compile(r"\b(?:is|are) (replaced|deleted|inserted|added|amended)\b")
_NEW = re.compile(r"the following (points?|paragraphs?|subparagraphs?|[Aa]rticles?|Annex)\b")


def _parse_wording(wording: str, base: Target) -> tuple[str, Target, str | None]:
    """The action and the place one instruction's wording names, within its parent's place."""
    m = _ACTION.search(wording)
    action = {"replaced": "replace", "deleted": "delete", "inserted": "insert", "added": "add"}.get(
        m.group(1) if m else "", "amend"
    )
    t = base
    art = re.search(rf"\bArticle ({_NUM})(?:\(({_NUM})\))?", wording)
    if art:
        t = replace(t, article=art.group(1), annex=None, paragraphs=(art.group(2),) if art.group(2) else ())
    anx = re.search(r"\bAnnex ([IVXLC]+)\b", wording)
    if anx:
        t = replace(t, annex=anx.group(1), article=None)
    sec = re.search(r"\b[Ss]ection ([A-Z])\b", wording)
    if sec:
        t = replace(t, section=sec.group(1))
    paras = re.search(rf"\bparagraphs? ({_NUM})(?: and ({_NUM}))?", wording)
    if paras:
        t = replace(t, paragraphs=tuple(p for p in paras.groups() if p))
    ordinal = re.search(rf"\bthe ({_ORD}) paragraph\b", wording)
    if ordinal:
        t = replace(t, paragraph_ordinal=ORDINALS.index(ordinal.group(1)) + 1)
    sub = re.search(rf"\bthe ({_ORD}) subparagraph\b", wording)
    if sub:
        t = replace(t, subparagraph=ORDINALS.index(sub.group(1)) + 1)
    points = re.search(r"\bpoints? (?:\(([0-9a-z]+)\)|(\d+))(?: and (?:\(([0-9a-z]+)\)|(\d+)))?", wording)
    if points:
        t = replace(t, points=tuple(p for p in points.groups() if p))
    if re.search(r"\bthe heading\b", wording):
        t = replace(t, part="heading")
    elif re.search(r"\bthe introductory (?:part|wording)\b", wording):
        t = replace(t, part="intro")
    new = _NEW.search(wording)
    new_kind = new.group(1).lower().rstrip("s") if new else None
    if new_kind == "annex":
        t = replace(t, article=None, annex=None)
    if new_kind == "article":
        t = replace(t, article=None, paragraphs=())
    return action, t, new_kind

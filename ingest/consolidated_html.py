"""Parse an EUR-Lex consolidated text (CELEX starting with 0) from its XHTML into `kb.document`.

A consolidated text is the Publications Office's documentation tool: the act with its
amendments and corrigenda merged in, marked `►B` (base act), `►M1` (amendment), `►C1`
(corrigendum) and closed with `◄`. It has no legal effect and no recitals. Its markup differs
from the Official Journal XHTML: `p.reference` holds the consolidated CELEX and date ("02016R0679
— EN — 04.05.2016 — 000.002"), `p.disclaimer` says it is documentation only, articles are
`div.eli-subdivision#art_N` with `p.title-article-norm`, a numbered paragraph is a `div.norm`
with `span.no-parag`, and every point a `div.grid-list` of two columns (number, text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ingest.errors import ParseError
from ingest.text import check_complete_html, clean
from kb.document import Act, Block, Heading, Unit

# "02016R0679 — EN — 04.05.2016 — 000.002": consolidated CELEX, language, date, version.
_REFERENCE = re.compile(r"^(0(\d{4})([RLD])(\d{4}))\s+—\s+([A-Z]{2})\s+—\s+(\d{2})\.(\d{2})\.(\d{4})")
# Markers of where amended or corrected text starts and ends (►B, ►M1, ►C1, ▼A1, ◄).
_MARKERS = re.compile(r"\s*[►▼][BMACR]\d*\s*|\s*◄\s*")
_ART_ID = re.compile(r"^art_\d+[a-z]?$")
_ANX_ID = re.compile(r"^anx_[IVXLC]+$")
_DIVISION = re.compile(r"^cpt_([IVXLC]+)(?:\.sct_(\d+))?$")


@dataclass(frozen=True)
class Consolidated:
    """What the text says of itself: its CELEX ("02016R0679-20160504"), its base act's CELEX
    ("32016R0679") and the date of the consolidated version (ISO 8601)."""

    celex: str
    base_celex: str
    date: str


def is_consolidated(root: etree._Element) -> bool:
    """Whether parsed HTML is a consolidated text: its reference line and its disclaimer."""
    return bool(root.xpath('//p[@class="reference"]')) and bool(root.xpath('//p[@class="disclaimer"]'))


def identify(path: Path, root: etree._Element) -> Consolidated:
    """The consolidated text's CELEX, base act and date, from its `p.reference` line."""
    ref = root.xpath('//p[@class="reference"]')
    m = _REFERENCE.match(clean("".join(ref[0].itertext()))) if ref else None
    if m is None:
        raise ParseError(
            path, "a consolidated text without its reference line (02016R0679 — EN — dd.mm.yyyy)"
        )
    day, month, year = m.group(6), m.group(7), m.group(8)
    return Consolidated(
        celex=f"{m.group(1)}-{year}{month}{day}",
        base_celex=f"3{m.group(2)}{m.group(3)}{m.group(4)}",
        date=f"{year}-{month}-{day}",
    )


def parse_file(path: Path, act_id: str, short_name: str) -> Act:
    """The consolidated text as an act: articles (with chapters and sections) and annexes; no
    recitals, because consolidated texts do not carry the preamble.

    Raises ParseError naming the file when it is not a consolidated text or holds no article.
    """
    data = path.read_bytes()
    if not data.strip():
        raise ParseError(path, "the file is empty")
    check_complete_html(path, data)
    root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8"))
    if root is None or not is_consolidated(root):
        raise ParseError(path, "not an EUR-Lex consolidated text (no reference line and disclaimer)")
    return parse_tree(path, root, act_id, short_name)


def parse_tree(path: Path, root: etree._Element, act_id: str, short_name: str) -> Act:
    """As `parse_file`, from the already parsed HTML tree."""
    _drop_footnote_calls(root)
    # The title is printed once under the consolidation's header and again above the text.
    first = root.xpath('//p[@class="title-doc-first"]')
    titles = [_text(p) for p in first[0].getparent().xpath('./p[@class="title-doc-first"]')] if first else []
    act = Act(
        id=act_id, short_name=short_name, title=clean(" ".join(titles)), source_format="eurlex-consolidated"
    )
    headings: dict[str, Heading] = {}
    for el in root.xpath('//div[starts-with(@id,"cpt_")]'):
        m = _DIVISION.match(el.get("id", ""))
        if not m:
            continue
        title_p = el.xpath('./p[contains(@class,"title-division-2")]')
        title = _text(title_p[0]) if title_p else ""
        if m.group(2):
            heading = Heading(kind="section", num=m.group(2), title=title, chapter=m.group(1))
            act.sections.append(heading)
        else:
            heading = Heading(kind="chapter", num=m.group(1), title=title)
            act.chapters.append(heading)
        headings[el.get("id", "")] = heading
    for el in root.xpath('//div[starts-with(@id,"art_")]'):
        if _ART_ID.match(el.get("id", "")):
            act.units.append(_article(el, headings))
    for el in root.xpath('//div[starts-with(@id,"anx_")]'):
        if _ANX_ID.match(el.get("id", "")):
            act.units.append(_annex(el))
    if not act.of_kind("article"):
        raise ParseError(path, "a consolidated text with no articles; the file may be truncated")
    for unit in act.units:
        unit.render()
    return act


def _drop_footnote_calls(root: etree._Element) -> None:
    """Footnote calls "(<a href='#E0001'>1</a>)" are left out of the text, as the other parsers do."""
    for a in root.xpath('//a[starts-with(@href,"#E")]'):
        parent = a.getparent()
        prev = a.getprevious()
        if prev is not None:
            prev.tail = re.sub(r"\($", "", (prev.tail or "").rstrip()).rstrip()
        else:
            parent.text = re.sub(r"\($", "", (parent.text or "").rstrip()).rstrip()
        tail = re.sub(r"^\s*\)", "", a.tail or "")
        a.tail = None
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(a)
    for note in root.xpath('//p[@class="footnote"]'):
        note.getparent().remove(note)


def _text(el: etree._Element) -> str:
    return clean(_MARKERS.sub(" ", "".join(el.itertext())))


def _cls(el: etree._Element) -> str:
    return el.get("class") or ""


def _article(el: etree._Element, headings: dict[str, Heading]) -> Unit:
    eid = el.get("id", "")
    title_el = el.xpath('./div[@class="eli-title"]')
    title = _text(title_el[0]) if title_el else ""
    body = [
        c
        for c in el
        if isinstance(c.tag, str) and "title-article-norm" not in _cls(c) and c.get("class") != "eli-title"
    ]
    chapter = section = None
    for anc in el.iterancestors("div"):
        heading = headings.get(anc.get("id", ""))
        if heading is not None and heading.kind == "section" and section is None and chapter is None:
            section = heading
        elif heading is not None and heading.kind == "chapter" and chapter is None:
            chapter = heading
    num = eid.removeprefix("art_")
    return Unit(
        kind="article",
        id=eid,
        num=num,
        title=title,
        blocks=_flow(body),
        anchor=eid,
        chapter=chapter,
        section=section,
    )


def _annex(el: etree._Element) -> Unit:
    eid = el.get("id", "")
    children = [c for c in el if isinstance(c.tag, str)]
    titles: list[str] = []
    while children and children[0].tag == "p" and "title" in _cls(children[0]):
        titles.append(_text(children.pop(0)))
    return Unit(
        kind="annex",
        id=eid,
        num=eid.removeprefix("anx_"),
        title=" ".join(titles[1:]),
        blocks=_flow(children),
        anchor=eid,
    )


def _flow(elements: list[etree._Element]) -> list[Block]:
    """Sibling elements as blocks; points belong to the text just before them (their lead-in)."""
    out: list[Block] = []
    for el in elements:
        if not isinstance(el.tag, str) or "modref" in _cls(el) or el.tag in ("br", "hr"):
            continue
        cls = _cls(el)
        if el.tag == "div" and "grid-list" in cls and "grid-container" in cls:
            point = _point(el)
            lead = out[-1] if out else None
            if lead is not None and lead.kind == "text":
                lead.children.append(point)
            else:
                out.append(point)
        elif el.tag == "div" and el.xpath('./span[@class="no-parag"]'):
            out.append(_paragraph(el))
        elif el.tag in ("div", "span") and any(isinstance(c.tag, str) and c.tag in ("p", "div") for c in el):
            out.extend(_flow(list(el)))
        elif el.tag == "table":
            lines = [" | ".join(_text(td) for td in tr.xpath("./td|./th")) for tr in el.xpath(".//tr")]
            text = "\n".join(line for line in lines if line.strip(" |"))
            if text:
                out.append(Block(kind="text", num=None, text=text))
        else:
            text = _text(el)
            if text:
                out.append(Block(kind="text", num=None, text=text))
    return out


def _paragraph(el: etree._Element) -> Block:
    marker = _text(el.xpath('./span[@class="no-parag"]')[0])
    content = [c for c in el if isinstance(c.tag, str) and c.get("class") != "no-parag"]
    blocks = _flow(content)
    own, children = "", blocks
    if blocks and blocks[0].kind == "text":
        own, children = blocks[0].text, blocks[0].children + blocks[1:]
    return Block(kind="paragraph", num=marker.rstrip("."), marker=marker, text=own, children=children)


def _point(el: etree._Element) -> Block:
    col1 = el.xpath('./div[contains(@class,"grid-list-column-1")]')
    col2 = el.xpath('./div[contains(@class,"grid-list-column-2")]')
    marker = _text(col1[0]) if col1 else ""
    blocks = _flow(list(col2[0])) if col2 else []
    if col2 and not blocks:
        text = _text(col2[0])
        blocks = [Block(kind="text", num=None, text=text)] if text else []
    own, children = "", blocks
    if blocks and blocks[0].kind == "text":
        own, children = blocks[0].text, blocks[0].children + blocks[1:]
    m = re.fullmatch(r"\(?([0-9]+[a-z]*|[a-z]{1,4}|[A-Z])[.)]?", marker)
    return Block(kind="point", num=m.group(1) if m else None, marker=marker, text=own, children=children)

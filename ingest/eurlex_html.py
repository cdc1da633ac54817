"""Parse an act from EUR-Lex XHTML, where the legal structure is in the markup.

EUR-Lex marks recitals `rct_N`, chapters `cpt_X`, sections `cpt_X.sct_N`, articles `art_N`
and annexes `anx_X`. Inside an article a numbered paragraph is a `div`, an unnumbered one a
`p`, and every point a two-cell table (marker, content) that nests for subpoints.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ingest.errors import ParseError
from ingest.text import clean, drop_quoted_footnotes
from kb.document import Act, Block, Heading, Unit

_PARA_MARKER = re.compile(r"^(\d+[a-z]?)\.\s+")
_RECITAL_NUM = re.compile(r"^\((\d+)\)$")
_ART_ID = re.compile(r"^art_\d+[a-z]?$")
_ANX_ID = re.compile(r"^anx_[IVXLC]+$")
# A chapter's or section's element id: "cpt_III", "cpt_III.sct_2".
_DIVISION = re.compile(r"cpt_([IVXLC]+)(?:\.sct_(\d+))?")


def _text(el: etree._Element) -> str:
    return drop_quoted_footnotes(clean("".join(el.itertext())))


def _cls(el: etree._Element) -> str:
    return el.get("class") or ""


def _point_num(marker: str) -> str | None:
    """'(a)' -> 'a', '1.' -> '1', '(12)' -> '12', '—' -> None."""
    m = re.fullmatch(r"\(?([0-9]+[a-z]*|[a-z]{1,2}|[ivxlc]+|[A-Z])[.)]?", marker)
    return m.group(1) if m else None


def parse_file(path: Path, act_id: str, short_name: str) -> Act:
    data = path.read_bytes()
    if not data.strip():
        raise ParseError(path, "the file is empty")
    try:
        root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8"))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(path, f"not readable as XHTML ({exc})") from exc
    if root is None:
        raise ParseError(path, "not readable as XHTML")
    return _parse(root, path, act_id, short_name)


def _parse(root: etree._Element, path: Path, act_id: str, short_name: str) -> Act:
    title_el = root.xpath('//div[contains(@class,"eli-main-title")]')
    if not title_el:
        page = clean("".join(root.xpath("//title//text()")))
        named = f" (the page is titled {page[:80]!r})" if page else ""
        raise ParseError(
            path,
            f"not an act: an HTML page without an EUR-Lex act title{named}; expected the act's "
            "EUR-Lex XHTML (its Official Journal rendition, or its page on EUR-Lex)",
        )
    title = " ".join(_text(p) for p in title_el[0].xpath('.//p[contains(@class,"oj-doc-ti")]'))
    act = Act(id=act_id, short_name=short_name, title=title, source_format="eurlex-xhtml")

    for el in root.xpath('//div[starts-with(@id,"rct_")]'):
        unit = _recital(el)
        if unit is not None:
            act.units.append(unit)

    for el in root.xpath('//div[starts-with(@id,"cpt_")]'):
        heading = _heading(el)
        if heading is not None:
            (act.chapters if heading.kind == "chapter" else act.sections).append(heading)

    for el in root.xpath('//div[starts-with(@id,"art_")]'):
        if _ART_ID.match(el.get("id", "")):
            act.units.append(_article(el, act))

    for el in root.xpath('//div[starts-with(@id,"anx_")]'):
        if _ANX_ID.match(el.get("id", "")):
            act.units.append(_annex(el))

    final = root.xpath('//div[@id="fnp_1"]//div[contains(@class,"oj-final")]/p[contains(@class,"oj-normal")]')
    act.final_formula = "\n".join(_text(p) for p in final)

    if not act.of_kind("article"):
        raise ParseError(path, "no articles found; the file may be truncated or not an act")
    for unit in act.units:
        unit.render()
    return act


def _recital(el: etree._Element) -> Unit | None:
    cells = el.xpath("./table//tr/td")
    if len(cells) < 2:
        return None  # "Whereas:" sits in an rct_ element of its own in some acts
    m = _RECITAL_NUM.match(_text(cells[0]))
    if not m:
        return None
    # The printed number is the recital's identity; the element id is only the anchor,
    # because some acts (the Data Act) number their rct_ elements one ahead.
    num = m.group(1)
    body = _flow(list(cells[1]))
    return Unit(kind="recital", id=f"rct_{num}", num=num, blocks=body, anchor=el.get("id", ""))


def _heading(el: etree._Element) -> Heading | None:
    eid = el.get("id", "")
    m = _DIVISION.fullmatch(eid)
    if not m:
        return None
    title_div = el.find(f'./div[@id="{eid}.tit_1"]')
    title = _text(title_div) if title_div is not None else ""
    if m.group(2):
        return Heading(kind="section", num=m.group(2), title=title, chapter=m.group(1))
    return Heading(kind="chapter", num=m.group(1), title=title)


def _enclosing(el: etree._Element, act: Act) -> tuple[Heading | None, Heading | None]:
    """The chapter and section around an article, by the id of its nearest division
    (`cpt_VII.sct_1` is Section 1 of Chapter VII, not the act's first Section 1)."""
    for anc in el.iterancestors("div"):
        m = _DIVISION.fullmatch(anc.get("id", ""))
        if m:
            chapter, section = m.group(1), m.group(2) or ""
            return act.heading(chapter), act.heading(chapter, section) if section else None
    return None, None


def _article(el: etree._Element, act: Act) -> Unit:
    eid = el.get("id", "")
    num = eid.removeprefix("art_")
    title_div = el.find(f'./div[@id="{eid}.tit_1"]')
    title = _text(title_div) if title_div is not None else ""
    body_els = [c for c in el if not (c.tag == "p" and "oj-ti-art" in _cls(c)) and c is not title_div]
    blocks = _flow(body_els)
    chapter, section = _enclosing(el, act)
    return Unit(
        kind="article",
        id=eid,
        num=num,
        title=title,
        blocks=blocks,
        anchor=eid,
        chapter=chapter,
        section=section,
    )


def _annex(el: etree._Element) -> Unit:
    eid = el.get("id", "")
    num = eid.removeprefix("anx_")
    children = list(el)
    titles: list[str] = []
    # The first oj-doc-ti is "ANNEX III"; the following ones are its title.
    while children and children[0].tag == "p" and "oj-doc-ti" in _cls(children[0]):
        titles.append(_text(children.pop(0)))
    title = " ".join(titles[1:])
    return Unit(kind="annex", id=eid, num=num, title=title, blocks=_flow(children), anchor=eid)


def _flow(elements: list[etree._Element]) -> list[Block]:
    """Turn a run of sibling elements into blocks.

    A list of points belongs to the text just before it (its lead-in), and an annex section
    heading owns what follows it until the next heading.
    """
    out: list[Block] = []
    section: Block | None = None

    def target() -> list[Block]:
        return section.children if section is not None else out

    for el in elements:
        if el.tag in ("col", "colgroup") or not isinstance(el.tag, str):
            continue
        cls = _cls(el)
        if el.tag == "div" and re.fullmatch(r"\d{3}\.\d{3}", el.get("id", "")):
            target().append(_paragraph(el))
        elif el.tag == "div":
            target().extend(_flow(list(el)))
        elif el.tag == "p" and ("oj-ti-grseq" in cls or "oj-ti-section" in cls):
            text = _text(el)
            m = re.match(r"^(?:(?:Section|SECTION|Part|PART)\s+([A-Z0-9]+)\b|(\d+)\.\s)", text)
            num = (m.group(1) or m.group(2)) if m else None
            section = Block(kind="heading", num=num, text=text)
            out.append(section)
        elif el.tag == "p":
            text = _text(el)
            if text:
                target().append(Block(kind="text", num=None, text=text))
        elif el.tag == "table":
            block = _table(el)
            if block is None:
                continue
            siblings = target()
            lead = siblings[-1] if siblings else None
            if block.kind == "point" and lead is not None and lead.kind == "text":
                lead.children.append(block)
            else:
                siblings.append(block)
    return out


def _paragraph(el: etree._Element) -> Block:
    children = [c for c in el if isinstance(c.tag, str)]
    first = children.pop(0) if children and children[0].tag == "p" else None
    text = _text(first) if first is not None else ""
    m = _PARA_MARKER.match(text)
    if not m:
        # A paragraph div without a number is quoted text (an amendment to another act).
        return Block(kind="text", num=None, text=text, children=_flow(children))
    marker, num, text = f"{m.group(1)}.", m.group(1), text[m.end() :]
    # Points right after the paragraph's first sentence hang from the paragraph itself (they
    # arrive with no lead-in in the rest); a later subparagraph with its own list owns that list.
    return Block(kind="paragraph", num=num, marker=marker, text=text, children=_flow(children))


def _table(el: etree._Element) -> Block | None:
    rows = el.xpath("./tr|./tbody/tr")
    if len(rows) == 1:
        cells = rows[0].xpath("./td")
        if len(cells) == 3 and not _text(cells[0]):
            # Annex I's lists indent their items with an empty first column.
            cells = cells[1:]
        if len(cells) == 2:
            marker = _text(cells[0])
            num = _point_num(marker)
            if num is not None or marker in ("—", "-", "–", "•"):
                content = [c for c in cells[1] if isinstance(c.tag, str)]
                first = content[0] if content and content[0].tag == "p" else None
                if not any(c.tag in ("p", "table", "div") for c in content):
                    first = cells[1]  # the item's text sits in the cell itself, not in a <p>
                    content = [first]
                text = _text(first) if first is not None else ""
                rest = _flow(content[1:] if first is not None else content)
                return Block(kind="point", num=num, marker=marker, text=text, children=rest)
    # A real table (rare in these acts): keep its text, a row a line.
    lines = [" | ".join(_text(td) for td in tr.xpath("./td|./th")) for tr in rows]
    text = "\n".join(line for line in lines if line.strip(" |"))
    return Block(kind="text", num=None, text=text) if text else None

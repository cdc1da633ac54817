"""Parse an act in Formex 4, the Publications Office's structured XML, into `kb.document`.

Formex says what every piece is: `CONSID` a recital, `ARTICLE` / `PARAG` / `ALINEA` an
article, its paragraphs and subparagraphs, `LIST` / `ITEM` / `NP` (with `NO.P`) a list of
points, `QUOT.S` text quoted by an amending act, `GR.SEQ` a titled group in an annex. Footnotes
(`NOTE`) are left out, as the other parsers leave them out.

`blocks_of` is also what the consolidation uses to turn quoted new text into blocks.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ingest import words
from ingest.errors import ParseError
from ingest.text import clean
from kb.document import Act, Block, Heading, Unit

_QUOTES = {"2018": "‘", "2019": "’", "201C": "“", "201D": "”"}
_LEVEL_UP = {"“": "‘", "”": "’"}
_INLINE_SKIP = {"NOTE", "NO.PARAG", "NO.P", "TI.ART", "STI.ART"}


def parse_file(path: Path, act_id: str, short_name: str, annexes: list[Path] | None = None) -> Act:
    """An act's main Formex file (root `<ACT>`), with its annexes given as the package's separate
    `<ANNEX>` files. Articles are read wherever the enacting terms hold them: directly, or inside
    `DIVISION`s (chapters, sections; a division's heading sets the articles' chapter and section).

    Raises ParseError naming the file when it is not a Formex act (a corrigendum `<CORR>`, an
    annex, another document) or holds no article (a truncated file).
    """
    root = load(path)
    check_act_root(path, root)
    title = " ".join(t for t in (text_of(p) for p in root.findall("TITLE/TI/P")) if not _EEA.match(t))
    act = Act(id=act_id, short_name=short_name, title=clean(title), source_format="formex")
    for consid in root.iterfind("PREAMBLE/GR.CONSID/CONSID"):
        num = (consid.findtext("NP/NO.P") or "").strip("() ")
        body = consid.find("NP/TXT")
        if not num or body is None:
            raise ParseError(path, "a recital (CONSID) without a number or text")
        blocks = _text_blocks(body)
        for p in consid.iterfind("NP/P"):
            blocks.extend(block(p, None))
        act.units.append(Unit(kind="recital", id=f"rct_{num}", num=num, anchor=f"rct_{num}", blocks=blocks))
    terms = root.find("ENACTING.TERMS")
    if terms is not None:
        _enacting_terms(terms, act, None, None)
    for annex_path in annexes or []:
        act.units.append(_annex(annex_path))
    final = root.find("FINAL/P")
    act.final_formula = text_of(final) if final is not None else ""
    if not act.of_kind("article"):
        raise ParseError(path, "no articles found in ENACTING.TERMS; the file may be truncated")
    for unit in act.units:
        unit.render()
    return act


_EEA = re.compile(r"^\(Text with EEA relevance\)$", re.IGNORECASE)
# Formex roots that are documents of a package but not an act (Formex 4 schema, formex-06).
_NOT_AN_ACT = {
    "CORR": "a corrigendum (<CORR>), which corrects an act but is not one; give the act's own Formex file",
    "ANNEX": "an annex (<ANNEX>) of a Formex package; give it together with the act's main file",
    "DOC": "the package's document description (.doc.fmx.xml); give the act's main file",
    "TOC": "the package's table of contents (.toc.fmx.xml); give the act's main file",
    "PUBLICATION": "the package's table of contents (.toc.fmx.xml); give the act's main file",
}


def check_act_root(path: Path, root: etree._Element) -> None:
    """Raise ParseError unless the root is a Formex `<ACT>`, saying what the file is instead."""
    if root.tag == "ACT":
        return
    what = _NOT_AN_ACT.get(root.tag, f"its root element is <{root.tag}>")
    raise ParseError(path, f"not a Formex act: {what} (expected a root element <ACT>)")


# The division words of English, French and German acts (ingest/words.py): "CHAPITRE III",
# "ABSCHNITT 2" are read as "CHAPTER III", "SECTION 2".
_DIVISION = re.compile(rf"^({'|'.join(words.DIVISION_WORDS)})\s+([IVXLC]+|\d+)\b", re.IGNORECASE)


def _enacting_terms(el: etree._Element, act: Act, chapter: Heading | None, section: Heading | None) -> None:
    for child in el:
        if child.tag == "ARTICLE":
            unit = article_unit(child)
            unit.chapter, unit.section = chapter, section
            act.units.append(unit)
        elif child.tag == "DIVISION":
            heading_text = text_of(child.find("TITLE/TI"))
            m = _DIVISION.match(heading_text)
            title = text_of(child.find("TITLE/STI"))
            inner_chapter, inner_section = chapter, section
            kind = words.division(m.group(1)) if m else None
            if m and kind == "CHAPTER":
                inner_chapter = Heading(kind="chapter", num=m.group(2), title=title)
                inner_section = None
                act.chapters.append(inner_chapter)
            elif m and kind == "SECTION":
                inner_section = Heading(
                    kind="section", num=m.group(2), title=title, chapter=chapter.num if chapter else ""
                )
                act.sections.append(inner_section)
            _enacting_terms(child, act, inner_chapter, inner_section)


def load(path: Path) -> etree._Element:
    try:
        return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ParseError(path, f"not readable as XML ({exc}); expected a complete Formex file") from exc


def article_unit(article: etree._Element, outer: set[str] | None = None) -> Unit:
    """An ARTICLE element as a unit; `outer` names the quote marks around quoted text, to drop."""
    heading = text_of(article.find("TI.ART"), outer)
    m = re.match(rf"[‘«„]?(?:{'|'.join(words.ARTICLE_WORDS)})\s+(premier|\d+[a-z]*)", heading)
    if not m:
        raise ParseError(Path("<formex>"), f"an article heading reads {heading!r}")
    num = words.article_number(m.group(1))
    sti = article.find("STI.ART")
    return Unit(
        kind="article",
        id=f"art_{num}",
        num=num,
        title=text_of(sti, outer) if sti is not None else "",
        anchor=f"art_{num}",
        blocks=blocks_of(article, outer),
    )


def _annex(path: Path) -> Unit:
    """A package's `<ANNEX>` file as an annex unit, numbered from its heading ("ANNEX I").

    The annex of an amending act quotes the new annex of the act it amends ("‘Annex XIV"): it
    stays a unit `anx` of the amending act, and `annex_unit` gives it its number in that act.
    """
    root = load(path)
    if root.tag != "ANNEX":
        raise ParseError(path, f"not a Formex annex: its root element is <{root.tag}>, not <ANNEX>")
    # "ANNEX X" may share its TI with the annex's title, in a P of its own.
    ti_ps = root.findall("TITLE/TI/P")
    heading = text_of(ti_ps[0]) if ti_ps else text_of(root.find("TITLE/TI"))
    contents = root.find("CONTENTS")
    if contents is None:
        raise ParseError(path, "the annex has no CONTENTS; the file may be truncated")
    children = list(contents)
    title = text_of(root.find("TITLE/STI")) or " ".join(text_of(p) for p in ti_ps[1:])
    if not title and children and children[0].tag == "P":
        title = text_of(children.pop(0))
    m = re.fullmatch(rf"(?:{'|'.join(words.ANNEX_WORDS)})\s+([IVXLC]+)", heading, re.IGNORECASE)
    if m is None:
        return Unit(
            kind="annex",
            id="anx",
            num="",
            title=f"{heading.lstrip('‘')}: {title}" if title else heading,
            anchor="anx",
            blocks=_children_blocks(children, None),
        )
    num = m.group(1).upper()
    return Unit(
        kind="annex",
        id=f"anx_{num}",
        num=num,
        title=title,
        anchor=f"anx_{num}",
        blocks=_children_blocks(children, None),
    )


def annex_unit(path: Path, num: str) -> Unit:
    """The annex file as the annex it adds to the amended act (without the amending quote)."""
    unit = _annex(path)
    title = unit.title.split(": ", 1)[-1]
    return Unit(kind="annex", id=f"anx_{num}", num=num, title=title, anchor=f"anx_{num}", blocks=unit.blocks)


# -- blocks ------------------------------------------------------------------------------------


def blocks_of(el: etree._Element, outer: set[str] | None = None) -> list[Block]:
    """The blocks of an article, a paragraph's subparagraphs, a list, or quoted text."""
    return _children_blocks(list(el), outer)


def _children_blocks(children: list[etree._Element], outer: set[str] | None) -> list[Block]:
    out: list[Block] = []
    for child in children:
        if not isinstance(child.tag, str) or child.tag in _INLINE_SKIP:
            continue
        out.extend(block(child, outer))
    return out


def block(el: etree._Element, outer: set[str] | None) -> list[Block]:
    """One Formex element as blocks (a LIST gives one block a point)."""
    tag = el.tag
    if tag == "PARAG":
        marker = text_of(el.find("NO.PARAG"), outer)
        alineas = [c for c in el if isinstance(c.tag, str) and c.tag not in _INLINE_SKIP]
        first, rest = (alineas[0], alineas[1:]) if alineas else (None, [])
        own, children = _alinea_parts(first, outer) if first is not None else ("", [])
        for alinea in rest:
            children.extend(block(alinea, outer))
        return [Block(kind="paragraph", num=marker.rstrip("."), marker=marker, text=own, children=children)]
    if tag == "ALINEA":
        own, children = _alinea_parts(el, outer)
        return [Block(kind="text", num=None, text=own, children=children)] if own or children else []
    if tag == "LIST":
        return [b for item in el.iterfind("ITEM") for b in _item(item, outer)]
    if tag == "NP":
        return [_point(el, outer)]
    if tag == "P":
        own, children = _alinea_parts(el, outer)
        # A P that only wraps a list or a quotation adds no line of its own.
        return [Block(kind="text", num=None, text=own, children=children)] if own else children
    if tag == "GR.SEQ":
        title = el.find("TITLE")
        num_el = title.find("TI/NP/NO.P") if title is not None else None
        marker = text_of(num_el) if num_el is not None else ""
        heading = " ".join(
            t for t in (marker, text_of(title.find("TI/NP/TXT")) if marker else text_of(title, outer)) if t
        )
        num = marker.rstrip(".") or None
        rest = [c for c in el if c.tag != "TITLE"]
        return [Block(kind="heading", num=num, text=heading, children=_children_blocks(rest, outer))]
    if tag == "TBL":
        rows = [" | ".join(_cell_text(c, outer) for c in row.iterfind("CELL")) for row in el.iter("ROW")]
        lines = [r for r in rows if r.strip(" |")]
        return [Block(kind="text", num=None, text="\n".join(lines))] if lines else []
    if tag == "QUOT.S":
        quoted = _children_blocks(list(el), outer)
        # In the amending act itself quoted text is only text: its numbers are not the act's own.
        return quoted if outer is not None else [_as_text(b) for b in quoted]
    if tag == "ARTICLE":
        unit = article_unit(el, outer)
        lead = f"{text_of(el.find('TI.ART'), outer)}\n{unit.title}"
        return [Block(kind="text", num=None, text=lead, children=unit.blocks)]
    text = text_of(el, outer)
    return [Block(kind="text", num=None, text=text)] if text else []


def _cell_text(cell: etree._Element, outer: set[str] | None) -> str:
    """A table cell on one line: its points and paragraphs, each with its number, joined by spaces."""
    if not any(isinstance(c.tag, str) and c.tag in ("P", "NP", "LIST") for c in cell):
        return text_of(cell, outer)
    unit = Unit(kind="annex", id="cell", num="", blocks=_children_blocks(list(cell), outer))
    return " ".join(unit.render().split("\n"))


def _item(item: etree._Element, outer: set[str] | None) -> list[Block]:
    np_ = item.find("NP")
    if np_ is not None:
        return [_point(np_, outer)]
    return _children_blocks(list(item), outer)


def _point(np_: etree._Element, outer: set[str] | None) -> Block:
    marker = text_of(np_.find("NO.P"), outer)
    txt = np_.find("TXT")
    own = text_of(txt, outer) if txt is not None else ""
    children: list[Block] = []
    for p in np_.iterfind("P"):
        children.extend(block(p, outer))
    num = marker.strip("().") or None
    return Block(kind="point", num=num, marker=marker, text=own, children=children)


def _alinea_parts(el: etree._Element, outer: set[str] | None) -> tuple[str, list[Block]]:
    """A subparagraph's own text and what hangs from it: a lead-in takes its list of points."""
    structural = [c for c in el if isinstance(c.tag, str) and c.tag in ("P", "LIST", "QUOT.S", "TBL")]
    if not structural:
        return text_of(el, outer), []
    own = ""
    children: list[Block] = []
    for child in structural:
        if child.tag == "P" and not own and not children and not _has_structure(child):
            own = text_of(child, outer)
        else:
            children.extend(block(child, outer))
    return own, children


def _as_text(block: Block) -> Block:
    line = f"{block.marker} {block.text}" if block.marker and block.text else (block.marker or block.text)
    return Block(kind="text", num=None, text=line, children=[_as_text(c) for c in block.children])


def _has_structure(el: etree._Element) -> bool:
    return any(c.tag in ("LIST", "QUOT.S", "TBL") for c in el.iter() if c is not el)


# -- text --------------------------------------------------------------------------------------


def text_of(el: etree._Element | None, outer: set[str] | None = None) -> str:
    """The element's text: inline markup flattened, footnotes left out, quote marks printed,
    except the `outer` ones (by id) that frame quoted text; what follows a closing outer quote
    belongs to the amending sentence and is left out too."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: etree._Element) -> bool:  # False: stop, the quote closed
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in node:
            if not isinstance(child.tag, str):  # processing instructions (<?PAGE?>), comments
                if child.tail:
                    parts.append(child.tail)
                continue
            if child.tag == "NOTE":
                pass
            elif child.tag in ("QUOT.START", "QUOT.END"):
                if outer and child.get("ID") in outer:
                    if child.tag == "QUOT.END":
                        return False
                else:
                    mark = _QUOTES.get(child.get("CODE", ""), "'")
                    # Quoted text loses a level of quotation once it stands in the act itself.
                    parts.append(_LEVEL_UP.get(mark, mark) if outer is not None else mark)
            elif child.tag == "IE":
                pass
            elif not walk(child):
                return False
            if child.tail:
                parts.append(child.tail)
        return True

    walk(el)
    return clean(" ".join("".join(parts).split()))


def outer_quotes(quote: etree._Element) -> set[str]:
    """The ids of the opening and closing marks that frame a QUOT.S's quoted text."""
    first = next(quote.iter("QUOT.START"), None)
    if first is None:
        return set()
    return {first.get("ID", ""), first.get("REF.END", "")}


def _text_blocks(el: etree._Element) -> list[Block]:
    text = text_of(el)
    return [Block(kind="text", num=None, text=text)] if text else []

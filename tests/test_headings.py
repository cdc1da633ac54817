"""Every article's heading path names the chapter and section the Official Journal prints above it.

Sections are numbered from 1 again in every chapter (the AI Act has five Sections 1, the GDPR
five), so a parser that knows a section by its number alone puts Article 64 (Chapter VII, Section 1
"Governance at Union level") under Chapter III's Section 1 "Classification of AI systems as
high-risk". The expected chapter and section of each article are read here by a walk of the
Official Journal XHTML in document order, independent of the parsers: the last "CHAPTER X" and
"SECTION N" printed before "Article N", with the title printed under each.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from ingest import consolidated_html, eurlex_html, formex
from ingest.chunk import chunk_act
from kb.document import Act

# (chapter number, chapter title, section number, section title); the section empty when the
# article stands in a chapter without sections.
Place = tuple[str, str, str, str]

FILES = {
    "ai-act": ("ai_act_2024_1689_en.html", "AI Act"),
    "data-act": ("data_act_2023_2854_en.html", "Data Act"),
}


def _words(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def printed_places(path: Path) -> dict[str, Place]:
    """Article number -> its place, from the headings as printed, in the order they are printed.

    The Official Journal prints a division's number in a `p.oj-ti-section-1` ("CHAPTER VII",
    "SECTION 1"), its title in the `p.oj-ti-section-2` after it, and an article's number in a
    `p.oj-ti-art` ("Article 64").
    """
    root = etree.parse(str(path), etree.HTMLParser(encoding="utf-8")).getroot()
    chapter = ["", ""]
    section = ["", ""]
    pending: list[str] | None = None  # the heading whose title comes next
    places: dict[str, Place] = {}
    for p in root.iter("p"):
        cls = (p.get("class") or "").split()
        text = _words(p)
        if "oj-ti-section-1" in cls:
            if m := re.fullmatch(r"CHAPTER ([IVXLC]+)", text, re.IGNORECASE):
                chapter[:] = [m.group(1), ""]
                section[:] = ["", ""]
                pending = chapter
            elif m := re.fullmatch(r"SECTION (\d+)", text, re.IGNORECASE):
                section[:] = [m.group(1), ""]
                pending = section
        elif "oj-ti-section-2" in cls and pending is not None:
            pending[1] = text
            pending = None
        elif "oj-ti-art" in cls and (m := re.fullmatch(r"Article (\d+[a-z]?)", text)):
            places.setdefault(m.group(1), (chapter[0], chapter[1], section[0], section[1]))
    return places


def parsed_places(act: Act) -> dict[str, Place]:
    """Article number -> the place the parser gave it; a section knows its chapter."""
    out: dict[str, Place] = {}
    for unit in act.of_kind("article"):
        ch, sc = unit.chapter, unit.section
        if sc is not None:
            assert ch is not None and sc.key == (ch.num, sc.num), f"Article {unit.num}: {sc} not in {ch}"
        chapter = (ch.num, ch.title) if ch else ("", "")
        out[unit.num] = (*chapter, *((sc.num, sc.title) if sc else ("", "")))
    return out


def _paths(act: Act) -> dict[str, str]:
    """Article number -> the heading path of its passages (one path per unit, as indexed)."""
    # Every unit fits in one passage at this budget: the heading is the same for all its passages.
    passages = chunk_act(act, lambda texts: [0] * len(texts), 512)
    out: dict[str, str] = {}
    for p in passages:
        if p.unit_kind == "article":
            out.setdefault(p.unit.removeprefix("art_"), p.heading)
    return out


@pytest.mark.parametrize("act_id", sorted(FILES))
def test_every_article_path_names_its_printed_chapter_and_section(mirror: Path, act_id: str) -> None:
    name, short = FILES[act_id]
    expected = printed_places(mirror / name)
    act = eurlex_html.parse_file(mirror / name, act_id, short)
    paths = _paths(act)
    assert sorted(paths) == sorted(expected), "the walk and the parser see different articles"
    wrong = []
    for num, (ch, ch_title, sc, sc_title) in expected.items():
        parts = paths[num].split(" › ")
        want_chapter = f"Chapter {ch} {ch_title}".casefold()  # chapter titles are printed in capitals
        want = [short, want_chapter] + ([f"Section {sc} {sc_title}"] if sc else [])
        got = [parts[0], parts[1].casefold(), *parts[2:-1]]
        if got != want or not parts[-1].startswith(f"Article {num}"):
            wrong.append((num, paths[num]))
    assert not wrong, f"{len(wrong)} articles under the wrong heading, e.g. {wrong[:3]}"


def test_sections_of_the_same_number_in_other_chapters_are_told_apart(mirror: Path) -> None:
    places = printed_places(mirror / FILES["ai-act"][0])
    # The cases of the bug report, as the Official Journal prints them.
    assert places["64"][:3] == ("VII", "GOVERNANCE", "1") and places["64"][3] == "Governance at Union level"
    assert places["70"][2:] == ("2", "National competent authorities")
    assert places["72"][0] == "IX" and places["72"][2:] == ("1", "Post-market monitoring")
    paths = _paths(eurlex_html.parse_file(mirror / FILES["ai-act"][0], "ai-act", "AI Act"))
    assert "› Section 1 Governance at Union level › Article 64" in paths["64"]


def test_the_pdf_gives_every_article_the_place_the_xhtml_prints(ai_act_pdf: Act, mirror: Path) -> None:
    expected = printed_places(mirror / FILES["ai-act"][0])
    got = parsed_places(ai_act_pdf)
    keys = {n: (p[0], p[2], p[3]) for n, p in got.items()}  # PDF chapter titles differ in case only
    assert keys == {n: (p[0], p[2], p[3]) for n, p in expected.items()}


def test_formex_gives_every_article_the_place_the_xhtml_prints(mirror: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(mirror / "ai_act_2024_1689_en_formex.zip") as archive:
        main = Path(archive.extract("L_202401689EN.000101.fmx.xml", tmp_path))
    act = formex.parse_file(main, "ai-act", "AI Act")
    expected = printed_places(mirror / FILES["ai-act"][0])
    got = parsed_places(act)
    assert {n: (p[0], p[2], p[3].casefold()) for n, p in got.items()} == {
        n: (p[0], p[2], p[3].casefold()) for n, p in expected.items()
    }


def test_the_consolidated_gdpr_gives_every_article_its_printed_place(mirror: Path) -> None:
    other = mirror / "other"
    expected = printed_places(other / "gdpr_2016_679_en_oj.xhtml")
    assert len({p[0] for p in expected.values() if p[2] == "1"}) == 4  # four chapters with a Section 1
    consolidated = other / "gdpr_2016_679_en_consolidated_2016-05-04.xhtml"
    got = parsed_places(consolidated_html.parse_file(consolidated, "gdpr", "GDPR"))
    assert {n: (p[0], p[2], p[3]) for n, p in got.items()} == {
        n: (p[0], p[2], p[3]) for n, p in expected.items()
    }

"""The Official Journal PDF parser, checked against the XHTML rendition of the same act."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from kb.document import Act


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_pdf_has_the_official_structure(ai_act_pdf: Act) -> None:
    assert len(ai_act_pdf.of_kind("recital")) == 180
    assert len(ai_act_pdf.of_kind("article")) == 113
    assert len(ai_act_pdf.of_kind("annex")) == 13
    assert len(ai_act_pdf.chapters) == 13


def test_pdf_and_xhtml_agree_on_every_article(ai_act_pdf: Act, ai_act_xhtml: Act) -> None:
    lowest = (1.0, "")
    for pdf_art in ai_act_pdf.of_kind("article"):
        html_art = ai_act_xhtml.unit(pdf_art.id)
        assert html_art is not None
        assert pdf_art.title == html_art.title, pdf_art.id
        assert len(pdf_art.paragraphs()) == len(html_art.paragraphs()), pdf_art.id
        ratio = SequenceMatcher(None, _norm(pdf_art.text), _norm(html_art.text), autojunk=False).ratio()
        lowest = min(lowest, (ratio, pdf_art.id))
    print(f"lowest PDF/XHTML article similarity: {lowest[0]:.4f} ({lowest[1]})")
    assert lowest[0] >= 0.98, lowest


def test_pdf_spot_checks(ai_act_pdf: Act) -> None:
    art_3 = ai_act_pdf.unit("art_3")
    assert art_3 is not None
    assert [b.num for b in art_3.blocks[0].children] == [str(n) for n in range(1, 69)]
    para_1 = ai_act_pdf.unit("art_5").blocks[0]  # type: ignore[union-attr]
    assert [c.num for c in para_1.children if c.kind == "point"] == list("abcdefgh")
    assert [c.num for c in para_1.children[7].children if c.kind == "point"] == ["i", "ii", "iii"]
    annex_iii = ai_act_pdf.unit("anx_III")
    assert annex_iii is not None
    areas = [b.num for b in annex_iii.all_blocks() if b.kind == "point" and (b.num or "").isdigit()]
    assert areas == [str(n) for n in range(1, 9)]


def test_running_headers_footers_and_footnotes_are_gone(ai_act_pdf: Act) -> None:
    for unit in ai_act_pdf.units:
        assert "ELI: http://data.europa.eu/eli/reg/2024/1689/oj" not in unit.text, unit.id
        assert "OJ L, 12.7.2024" not in unit.text, unit.id
    # Recital 1 ends where its text ends, not in the footnote below it on page 1.
    assert ai_act_pdf.unit("rct_1").text.endswith("unless explicitly authorised by this Regulation.")  # type: ignore[union-attr]


def test_line_end_hyphens_are_repaired_only_inside_words(ai_act_pdf: Act) -> None:
    art_62 = ai_act_pdf.unit("art_62")
    assert art_62 is not None
    assert art_62.title.endswith("including start-ups")
    art_58 = ai_act_pdf.unit("art_58")
    assert art_58 is not None and "experimentation facilities" in art_58.text
    assert "experimenta-" not in art_58.text


def test_units_know_their_pdf_pages(ai_act_pdf: Act) -> None:
    assert ai_act_pdf.unit("art_5").pages == (51, 53)  # type: ignore[union-attr]
    assert ai_act_pdf.unit("rct_1").pages == (1, 1)  # type: ignore[union-attr]
    assert ai_act_pdf.unit("anx_XIII").pages == (144, 144)  # type: ignore[union-attr]

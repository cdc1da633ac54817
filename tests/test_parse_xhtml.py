"""The EUR-Lex XHTML parser, on the real AI Act and Data Act."""

from __future__ import annotations

from kb.document import Act


def _points(act: Act, unit: str) -> list[str]:
    return [b.num or "" for b in act.unit(unit).all_blocks() if b.kind == "point"]  # type: ignore[union-attr]


def test_ai_act_has_its_official_structure(ai_act_xhtml: Act) -> None:
    assert len(ai_act_xhtml.of_kind("recital")) == 180
    assert len(ai_act_xhtml.of_kind("article")) == 113
    assert len(ai_act_xhtml.of_kind("annex")) == 13
    assert len(ai_act_xhtml.chapters) == 13
    assert [u.num for u in ai_act_xhtml.of_kind("annex")][-1] == "XIII"


def test_data_act_has_its_official_structure(data_act: Act) -> None:
    assert len(data_act.of_kind("recital")) == 119
    assert len(data_act.of_kind("article")) == 50
    assert len(data_act.chapters) == 11
    assert data_act.of_kind("annex") == []


def _definitions(act: Act, unit: str) -> list[str]:
    lead_in = act.unit(unit).blocks[0]  # type: ignore[union-attr]
    return [c.num or "" for c in lead_in.children if c.kind == "point"]


def test_ai_act_article_3_defines_68_terms(ai_act_xhtml: Act) -> None:
    assert _definitions(ai_act_xhtml, "art_3") == [str(n) for n in range(1, 69)]


def test_article_5_paragraph_1_has_points_a_to_h(ai_act_xhtml: Act) -> None:
    paragraph = ai_act_xhtml.unit("art_5").blocks[0]  # type: ignore[union-attr]
    assert paragraph.num == "1"
    assert [c.num for c in paragraph.children if c.kind == "point"] == list("abcdefgh")
    # The romans under (c) and (h) are subpoints, not letters.
    point_h = paragraph.children[7]
    assert [c.num for c in point_h.children] == ["i", "ii", "iii"]


def test_annex_iii_lists_eight_areas(ai_act_xhtml: Act) -> None:
    areas = [p for p in _points(ai_act_xhtml, "anx_III") if p.isdigit()]
    assert areas == [str(n) for n in range(1, 9)]


def test_data_act_article_2_defines_43_terms_despite_a_missing_quote(data_act: Act) -> None:
    assert _definitions(data_act, "art_2") == [str(n) for n in range(1, 44)]
    point_41 = next(b for b in data_act.unit("art_2").all_blocks() if b.num == "41")  # type: ignore[union-attr]
    assert point_41.text.startswith("open interoperability specification’ means")


def test_titles_keep_the_official_quirks(ai_act_xhtml: Act) -> None:
    assert ai_act_xhtml.unit("art_1").title == "Subject matter`"  # type: ignore[union-attr]


def test_data_act_recitals_are_identified_by_printed_number(data_act: Act) -> None:
    recital = data_act.unit("rct_15")
    assert recital is not None
    assert recital.anchor == "rct_16"  # the element id, one ahead, kept for deep links
    assert data_act.unit("rct_120") is None


def test_articles_know_their_chapter_and_section(ai_act_xhtml: Act) -> None:
    art = ai_act_xhtml.unit("art_10")
    assert art is not None and art.chapter is not None and art.section is not None
    assert (art.chapter.num, art.section.num) == ("III", "2")
    assert art.section.title == "Requirements for high-risk AI systems"


def test_unit_text_is_rendered_from_its_blocks(ai_act_xhtml: Act) -> None:
    unit = ai_act_xhtml.unit("art_5")
    assert unit is not None
    for block in unit.all_blocks():
        assert unit.text[block.start : block.own_end].endswith(block.text)
    f = unit.blocks[0].children[5]
    assert unit.text[f.start : f.end].startswith("(f) the placing on the market")


def test_unnumbered_paragraphs_count_in_order(data_act: Act) -> None:
    art_50 = data_act.unit("art_50")
    assert art_50 is not None and not art_50.numbered_paragraphs
    assert art_50.paragraphs()[2].text.startswith("The obligation resulting from Article 3(1)")

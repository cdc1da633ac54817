"""Citation labels, pinpoints and links, on units built the way the parsers build them."""

from __future__ import annotations

from kb.citations import Citer, citation_label, eurlex_url, paragraph_style, pinpoint_of
from kb.document import Amendment, Block, CrossRef, Unit
from kb.search.blocks import block_path, find_block
from tests.unit.conftest import act_info, article, version


def test_labels_as_lawyers_write_them() -> None:
    assert citation_label("AI Act", "article", "5", "5(1)(f)") == "AI Act, Article 5(1)(f)"
    assert citation_label("Data Act", "article", "2", "2(13)", "single") == "Data Act, Article 2, point (13)"
    assert (
        citation_label("Data Act", "article", "50", "50(3)", "ordinal")
        == "Data Act, Article 50, third paragraph"
    )
    assert (
        citation_label("Data Act", "article", "50", "50(3)(b)", "ordinal")
        == "Data Act, Article 50, third paragraph, point (b)"
    )
    assert citation_label("AI Act", "annex", "III", "III(4)(a)") == "AI Act, Annex III, point 4(a)"
    assert citation_label("AI Act", "annex", "VIII", "VIII(C)") == "AI Act, Annex VIII, Section C"
    assert citation_label("Data Act", "recital", "15", None) == "Data Act, Recital 15"
    assert citation_label("AI Act", "article", "5", "5(6)-(8)") == "AI Act, Article 5(6) to (8)"
    assert (
        citation_label("AI Act", "article", "3", "3(1)-(4)", "single")
        == "AI Act, Article 3, points (1) to (4)"
    )
    # An act's sole annex has no number (Regulation (EU) 2026/1744): no "Annex , point".
    assert (
        citation_label("Regulation (EU) 2026/1744", "annex", "", "(2)(a)")
        == "Regulation (EU) 2026/1744, Annex, point 2(a)"
    )


def test_a_pinpoint_finds_its_block_and_back(prohibitions: Unit) -> None:
    block = find_block(prohibitions, "5(1)(f)")
    assert block is not None and block.text.startswith("the use of emotion recognition")
    path = block_path(prohibitions, block)
    assert [b.num for b in path] == ["1", "f"]
    assert pinpoint_of(prohibitions, path) == "5(1)(f)"
    assert prohibitions.text[block.start : block.end].startswith("(f) the use of emotion recognition")
    assert find_block(prohibitions, "5(1)(z)") is None
    assert find_block(prohibitions, "6(1)") is None


def test_unnumbered_paragraphs_are_counted_in_order() -> None:
    unit = article(
        "50",
        "Entry into force and application",
        [
            Block("text", None, "It enters into force."),
            Block("text", None, "It applies from 12 September 2025."),
        ],
    )
    assert paragraph_style(unit) == "ordinal"
    block = find_block(unit, "50(2)")
    assert block is not None and "12 September 2025" in block.text
    assert pinpoint_of(unit, [block]) == "50(2)"


def test_one_builder_cites_hits_and_provisions_alike(prohibitions: Unit) -> None:
    prohibitions.amendments = [
        Amendment(
            act="amending",
            citation="Regulation (EU) 2026/1744, Article 1, point (3)",
            instruction="point (ba) is inserted",
            target="Article 5(1), point (ba)",
            action="insert",
            in_force="2026-07-27",
            applied=True,
        )
    ]
    prohibitions.pages = (51, 53)
    other = article("6", "Classification rules", [Block("paragraph", "1", "See Article 5(1).", "1.")])
    other.refs = [CrossRef(text="Article 5(1)", start=6, end=18, doc="ai-act", unit="art_5", pinpoint="5(1)")]
    amended = version("2026-07-27", ["Regulation (EU) 2026/1744"])
    acts = {"ai-act": act_info("ai-act", "AI Act", [version("2024-08-01"), amended])}
    units = {("ai-act", "art_5"): prohibitions, ("ai-act", "art_6"): other}
    citer = Citer(acts, acts, {"ai-act": amended}, units)

    cited = citer.cite("ai-act", prohibitions, "5(1)(f)")
    assert cited.label == "AI Act, Article 5(1)(f) (as amended by Regulation (EU) 2026/1744)"
    assert cited.url == "https://eur-lex.europa.eu/2026-07-27#art_5"  # the consolidated text
    assert cited.pages is None  # the original PDF's pages no longer hold the amended text
    assert cited.amended_by[0].target == "Article 5(1), point (ba)"
    assert "Chapter" not in cited.heading and cited.heading.endswith("Article 5 Prohibited AI practices")

    links = citer.links("ai-act", other)
    assert [(link.label, link.unit) for link in links] == [("AI Act, Article 5(1)", "art_5")]
    assert [link.unit for link in citer.referred_by("ai-act", "art_5")] == ["art_6"]
    assert citer.referred_by("ai-act", "art_6") == []


def test_eurlex_links_keep_the_anchor() -> None:
    assert eurlex_url("https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "art_5") == (
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj#art_5"
    )
    assert eurlex_url("https://x", "") == "https://x"


def test_as_amended_only_where_the_cited_text_changed(prohibitions: Unit) -> None:
    import copy

    first = copy.deepcopy(prohibitions)
    amended = prohibitions
    amended.blocks[0].children.insert(1, Block("point", "ba", "the use of biometric categorisation;", "(ba)"))
    amended.render()
    amended.amendments = [
        Amendment(
            "amending",
            "Regulation (EU) 2026/1744, Article 1, point (3)",
            "point (ba) is inserted",
            "Article 5(1), point (ba)",
            "insert",
            "2026-07-27",
            True,
        )
    ]
    current = version("2026-07-27", ["Regulation (EU) 2026/1744"])
    acts = {"ai-act": act_info("ai-act", "AI Act", [version("2024-08-01"), current])}
    citer = Citer(acts, acts, {"ai-act": current}, {("ai-act", "art_5"): amended}, lambda d, u: first)
    f = find_block(amended, "5(1)(f)")
    ba = find_block(amended, "5(1)(ba)")
    assert f is not None and ba is not None
    assert citer.cite("ai-act", amended, "5(1)(f)", (f.start, f.end)).label == "AI Act, Article 5(1)(f)"
    assert citer.cite("ai-act", amended, "5(1)(ba)", (ba.start, ba.end)).label == (
        "AI Act, Article 5(1)(ba) (as amended by Regulation (EU) 2026/1744)"
    )
    # The unchanged point still carries the note of what changed in its article.
    assert citer.cite("ai-act", amended, "5(1)(f)", (f.start, f.end)).amended_by[0].target.endswith("(ba)")
    # The unofficial-text note of the amending act's transcription goes only where its wording is.
    amending = act_info("amending", "Regulation (EU) 2026/1744", unofficial="Unofficial text: transcribed.")
    citer = Citer(acts, {**acts, "amending": amending}, {"ai-act": current}, citer.units, lambda d, u: first)
    assert citer.cite("ai-act", amended, "5(1)(f)", (f.start, f.end)).unofficial is None
    noted = citer.cite("ai-act", amended, "5(1)(ba)", (ba.start, ba.end)).unofficial
    assert noted == "Amended wording from Regulation (EU) 2026/1744. Unofficial text: transcribed."
    assert citer.cite("ai-act", amended).unofficial == noted  # the whole provision holds that wording

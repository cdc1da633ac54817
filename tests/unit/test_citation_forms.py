"""Every citation form of kb/grammar.py's table, read to the exact pinpoint."""

from __future__ import annotations

import pytest

from kb.grammar import SUBDIVISIONS, find_query_refs
from kb.query_refs import act_names
from tests.unit.conftest import act_info

ACTS = [
    act_info("ai-act", "AI Act", aliases=["AIA", "KI-VO", "RIA"]),
    act_info("data-act", "Data Act", aliases=["DA", "Datenverordnung"]),
]
NAMES = act_names(ACTS)

FORMS = [
    # paragraphs
    ("Art 6 para 2", "art_6", "6(2)", None),
    ("Art. 6 para. 2 AI Act", "art_6", "6(2)", "ai-act"),
    ("Article 6, paragraph 2 of the AI Act", "art_6", "6(2)", "ai-act"),
    ("Art. 6 § 2 AIA", "art_6", "6(2)", "ai-act"),
    ("Article 2.6 AI Act", "art_2", "2(6)", "ai-act"),
    ("Art. 6 Abs. 2 KI-VO", "art_6", "6(2)", "ai-act"),
    ("article 6 al. 2 RIA", "art_6", "6(2)", "ai-act"),
    ("article 6 paragraphe 2", "art_6", "6(2)", None),
    ("paragraph 2 of Article 6", "art_6", "6(2)", None),
    # points
    ("Art. 5(1)(f) AI Act", "art_5", "5(1)(f)", "ai-act"),
    ("Art. 5 lit. f AIA", "art_5", "5(f)", "ai-act"),
    ("Article 5(1), point (f)", "art_5", "5(1)(f)", None),
    ("Article 5(1) point f)", "art_5", "5(1)(f)", None),
    ("Art. 5 Abs. 1 Buchst. f KI-VO", "art_5", "5(1)(f)", "ai-act"),
    ("Art. 5 Abs. 1 lit. h sublit. iii KI-VO", "art_5", "5(1)(h)(iii)", "ai-act"),
    ("Article 5(1)(h)(iii)", "art_5", "5(1)(h)(iii)", None),
    ("point (h) of Article 5(1)", "art_5", "5(1)(h)", None),
    # definitions
    ("Art. 3 No. 60 AI Act", "art_3", "3(60)", "ai-act"),
    ("Art. 3 Nr. 60 KI-VO", "art_3", "3(60)", "ai-act"),
    ("Article 3, point (60)", "art_3", "3(60)", None),
    ("Art. 2 No. 13 DA", "art_2", "2(13)", "data-act"),
    # annexes
    ("Annex III(4)(a)", "anx_III", "III(4)(a)", None),
    ("Annex III, point 4(a)", "anx_III", "III(4)(a)", None),
    ("Annex III no. 4 lit. a", "anx_III", "III(4)(a)", None),
    ("Anhang III Nr. 4 KI-VO", "anx_III", "III(4)", "ai-act"),
    ("Annex III pt. 8 AIA", "anx_III", "III(8)", "ai-act"),
    ("Annex VIII, Section C", "anx_VIII", "VIII(C)", None),
    # recitals
    ("recital (27) of the AI Act", "rct_27", None, "ai-act"),
    ("Recital 27 AIA", "rct_27", None, "ai-act"),
    ("Erwägungsgrund 27 KI-VO", "rct_27", None, "ai-act"),
    ("considérant 27 du RIA", "rct_27", None, "ai-act"),
    ("Data Act recital 15", "rct_15", None, "data-act"),
    # acts by name and abbreviation
    ("Datenverordnung Art. 4", "art_4", None, "data-act"),
    ("Art. 4 DA", "art_4", None, "data-act"),
]


@pytest.mark.parametrize(("query", "unit", "pinpoint", "doc"), FORMS)
def test_citation_forms(query: str, unit: str, pinpoint: str | None, doc: str | None) -> None:
    refs = find_query_refs(query, NAMES)
    assert [(r.unit, r.pinpoint, r.doc) for r in refs] == [(unit, pinpoint, doc)]


def test_every_row_of_the_table_has_a_form_above() -> None:
    assert {name for name, _, _ in SUBDIVISIONS} == {
        "bracketed",
        "decimal",
        "paragraph",
        "number",
        "letter",
        "section",
    }


@pytest.mark.parametrize(
    "query",
    ["state of the art 5G networks", "Is a point of view an article?", "da capo", "Annex of the contract"],
)
def test_words_that_are_not_citations(query: str) -> None:
    assert [r for r in find_query_refs(query, NAMES) if r.unit != "art_5"] == []
    assert all(r.doc is None for r in find_query_refs(query, NAMES))


def test_a_reference_bound_to_another_instrument_is_not_a_corpus_act() -> None:
    query = "What does Art. 30 GDPR require?"
    start = query.index("GDPR")
    (ref,) = find_query_refs(query, NAMES, [(start, start + 4, "GDPR")])
    assert (ref.unit, ref.doc, ref.external) == ("art_30", None, "GDPR")

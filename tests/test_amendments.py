"""The law as in force: Regulation (EU) 2026/1744 read from Formex, its instructions applied to
the 2024 AI Act, and both versions answered from."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ingest import formex
from ingest.amend import Instruction, Target, read_instructions
from ingest.consolidate import AmendingAct, Consolidation, consolidate
from ingest.pipeline import IngestReport
from kb.document import Act, Unit
from kb.errors import BadQuery, UnknownUnit
from kb.knowledge import KnowledgeBase

AMENDING = "ai-act-amendment-2026-1744"


@pytest.fixture(scope="module")
def amendments(mirror: Path) -> Path:
    return mirror / "amendments"


@pytest.fixture(scope="module")
def amending_act(amendments: Path) -> Act:
    return formex.parse_file(
        amendments / "ai_act_amendment_2026_1744_en_act.fmx.xml",
        AMENDING,
        "Regulation (EU) 2026/1744",
        [amendments / "ai_act_amendment_2026_1744_en_annex_xiv.fmx.xml"],
    )


@pytest.fixture(scope="module")
def instructions(amendments: Path) -> list[Instruction]:
    return read_instructions(amendments / "ai_act_amendment_2026_1744_en_act.fmx.xml")


@pytest.fixture(scope="module")
def amending(amendments: Path) -> AmendingAct:
    annex = amendments / "ai_act_amendment_2026_1744_en_annex_xiv.fmx.xml"
    return AmendingAct(
        AMENDING, "Regulation (EU) 2026/1744", "2026-07-27", {"L_202601744EN.003601.fmx.xml": annex}
    )


@pytest.fixture(scope="module")
def consolidated(ai_act_xhtml: Act, instructions: list[Instruction], amending: AmendingAct) -> Consolidation:
    return consolidate(ai_act_xhtml, instructions, amending)


def _text(unit: Unit | None) -> str:
    assert unit is not None
    return unit.text


# -- the amending act, from Formex ---------------------------------------------------------------


def test_the_formex_parser_reads_the_amending_act_into_the_same_model(amending_act: Act) -> None:
    assert len(amending_act.of_kind("recital")) == 47
    assert [u.num for u in amending_act.of_kind("article")] == ["1", "2", "3", "4"]
    assert amending_act.title.startswith("Regulation (EU) 2026/1744 of the European Parliament")
    article_1 = amending_act.unit("art_1")
    assert article_1 is not None
    points = [b.num for b in article_1.blocks[0].children]
    assert points == [str(n) for n in range(1, 44)]
    # Quoted new text is text of the amending act, not points of its own.
    point_40 = article_1.blocks[0].children[39]
    assert [c.num for c in point_40.children] == ["a", "b", "c"]
    assert (
        "2 December 2027 as regards AI systems classified as high-risk pursuant to Article 6(2)"
        in (article_1.text[point_40.start : point_40.end])
    )
    annex = amending_act.unit("anx")
    assert annex is not None and annex.title.startswith("Annex XIV: The list of codes")
    assert "AIP 0102 | AI systems subject to point 2 of Section A of Annex I" in annex.text


def test_footnotes_are_left_out_and_quote_marks_kept(amending_act: Act) -> None:
    recital_1 = _text(amending_act.unit("rct_1"))
    assert "OJ L, 2024/1689" not in recital_1  # the footnote citing the AI Act
    assert "‘small mid-cap enterprises’" in _text(amending_act.unit("rct_6"))


def test_article_1_reads_as_43_points_of_structured_operations(instructions: list[Instruction]) -> None:
    assert sorted({i.point for i in instructions}) == list(range(1, 44))
    assert len(instructions) == 72
    by_number = {i.number: i for i in instructions}
    assert by_number["40(b)"].action == "replace"
    assert by_number["40(b)"].target == Target(article="113", paragraph_ordinal=3, points=("c",))
    assert by_number["9(b)"].action == "delete"
    assert by_number["9(b)"].target == Target(article="10", paragraphs=("5",))
    assert by_number["7(a)"].action == "insert" and by_number["7(a)"].new_kind == "point"
    assert by_number["7(a)"].target == Target(article="5", paragraphs=("1",), subparagraph=1)
    assert by_number["42"].target == Target(annex="VIII", section="B", points=("7", "9"))
    assert by_number["43"].new_kind == "annex" and by_number["43"].included == [
        "L_202601744EN.003601.fmx.xml"
    ]
    assert by_number["31(a)"].target.part == "heading"


# -- the consolidated AI Act ---------------------------------------------------------------------


def test_every_amending_point_is_applied_or_flagged(consolidated: Consolidation) -> None:
    applied, flagged = consolidated.points()
    assert sorted(applied + flagged) == list(range(1, 44))
    assert (len(applied), len(flagged)) == (43, 0)
    assert sum(o.applied for o in consolidated.outcomes) == 72


def test_article_113_has_the_new_application_dates(consolidated: Consolidation, ai_act_xhtml: Act) -> None:
    new = _text(consolidated.act.unit("art_113"))
    high_risk = "as regards AI systems classified as high-risk pursuant to"
    assert f"(i) 2 December 2027 {high_risk} Article 6(2) and Annex III" in new
    assert f"(ii) 2 August 2028 {high_risk} Article 6(1) and Annex I" in new
    assert "(d) Articles 102 to 110 shall apply from 27 July 2026." in new
    assert "2 December 2027" not in _text(ai_act_xhtml.unit("art_113"))  # the original is untouched


def test_new_articles_and_annex_exist_only_in_the_amended_act(
    consolidated: Consolidation, ai_act_xhtml: Act
) -> None:
    act = consolidated.act
    for unit_id in ("art_4a", "art_60a", "art_75a", "art_75b", "art_75c", "art_75d", "anx_XIV"):
        assert act.unit(unit_id) is not None, unit_id
        assert ai_act_xhtml.unit(unit_id) is None, unit_id
    ids = [u.id for u in act.units if u.kind == "article"]
    assert ids[ids.index("art_4") : ids.index("art_4") + 3] == ["art_4", "art_4a", "art_5"]
    assert ids[ids.index("art_75") : ids.index("art_75") + 6] == [
        f"art_75{s}" for s in ("", "a", "b", "c", "d")
    ] + ["art_76"]
    article_4a = act.unit("art_4a")
    assert article_4a is not None and article_4a.title.startswith("Processing of special categories")
    assert article_4a.chapter is not None and article_4a.chapter.num == "I"  # the chapter of its neighbour
    annex_xiv = act.unit("anx_XIV")
    assert annex_xiv is not None and annex_xiv.title.startswith("The list of codes, categories")


def test_deleted_paragraphs_and_points_are_gone(consolidated: Consolidation) -> None:
    article_10 = consolidated.act.unit("art_10")
    assert article_10 is not None
    assert [b.num for b in article_10.paragraphs()] == ["1", "2", "3", "4", "6"]
    annex_viii = consolidated.act.unit("anx_VIII")
    assert annex_viii is not None
    section_b = next(b for b in annex_viii.blocks if b.num == "B")
    assert [p.num for p in section_b.children[0].children] == ["1", "2", "3", "4", "5", "6", "8"]
    annex_i = consolidated.act.unit("anx_I")
    assert annex_i is not None
    assert [p.num for p in annex_i.blocks[0].children][:2] == ["2", "3"]
    assert annex_i.blocks[1].children[-1].num == "21"


def test_inserted_points_take_their_place_in_the_numbering(consolidated: Consolidation) -> None:
    article_5 = consolidated.act.unit("art_5")
    assert article_5 is not None
    paragraph_1 = article_5.blocks[0]
    assert [c.num for c in paragraph_1.children if c.kind == "point"][:5] == ["a", "b", "ba", "bb", "c"]
    assert [b.num for b in article_5.paragraphs()][:4] == ["1", "1a", "1b", "2"]
    article_3 = consolidated.act.unit("art_3")
    assert article_3 is not None
    definitions = [c.num for c in article_3.blocks[0].children]
    assert definitions[13:17] == ["14", "14a", "14b", "15"]
    # Quoted text loses a level of quotation in the act: the new definitions read like the old.
    assert "(14a) ‘micro, small and medium-sized enterprise’ or ‘SME’ means" in article_3.text


def test_replaced_subparagraphs_keep_what_follows_them(
    consolidated: Consolidation, ai_act_xhtml: Act
) -> None:
    article_58 = consolidated.act.unit("art_58")
    assert article_58 is not None
    paragraph_1 = article_58.blocks[0]
    assert paragraph_1.text.endswith(
        "Those implementing acts shall include common principles on the following issues:"
    )
    assert [c.num for c in paragraph_1.children if c.kind == "point"] == ["a", "b", "c", "d"]
    assert paragraph_1.children[-1].text.startswith("Those implementing acts shall be adopted")
    article_75 = consolidated.act.unit("art_75")
    assert article_75 is not None and article_75.title != _title(ai_act_xhtml, "art_75")


def _title(act: Act, unit_id: str) -> str:
    unit = act.unit(unit_id)
    assert unit is not None
    return unit.title


def test_every_amended_unit_knows_which_instruction_changed_it(consolidated: Consolidation) -> None:
    article_113 = consolidated.act.unit("art_113")
    assert article_113 is not None
    assert [a.citation for a in article_113.amendments] == [
        f"Regulation (EU) 2026/1744, Article 1, point (40)({x})" for x in "abc"
    ]
    assert all(a.applied and a.in_force == "2026-07-27" for a in article_113.amendments)
    assert article_113.amendments[1].target == "Article 113, third paragraph, point (c)"
    untouched = consolidated.act.unit("art_9")
    assert untouched is not None and untouched.amendments == []
    assert "art_9" not in consolidated.changed and "art_113" in consolidated.changed


def test_an_instruction_that_does_not_fit_is_flagged_not_guessed(
    ai_act_xhtml: Act, instructions: list[Instruction], amending: AmendingAct
) -> None:
    # Point (9)(c) replaces Article 10(6); aimed at a paragraph 9 that Article 10 lacks, it cannot apply.
    wrong = [
        dataclasses.replace(i, target=dataclasses.replace(i.target, paragraphs=("9",)))
        if i.number == "9(c)"
        else i
        for i in instructions
    ]
    result = consolidate(ai_act_xhtml, wrong, amending)
    applied, flagged = result.points()
    assert flagged == [9] and len(applied) == 42
    article_10 = result.act.unit("art_10")
    assert article_10 is not None
    note = next(a for a in article_10.amendments if not a.applied)
    assert note.citation == "Regulation (EU) 2026/1744, Article 1, point (9)(c)"
    assert "no paragraph 9" in note.reason
    assert note.text.startswith("Article 10 is amended as follows: paragraph 6 is replaced by the following:")
    assert "‘6. For the development of high-risk AI systems" in note.text
    original_6 = _text(ai_act_xhtml.unit("art_10"))
    assert original_6[original_6.index("6. ") :] in article_10.text  # paragraph 6 keeps its old wording


# -- ingest, search and answers over both versions ------------------------------------------------


def test_the_ingest_reports_how_the_instructions_fared(ingest_report: IngestReport) -> None:
    [report] = ingest_report.amendments
    assert (report.amending, report.amended, report.in_force) == (
        "Regulation (EU) 2026/1744",
        "AI Act",
        "2026-07-27",
    )
    assert (report.points, report.applied_points, report.flagged_points) == (43, 43, [])
    assert (report.instructions, report.applied_instructions) == (72, 72)
    assert any(a.id == AMENDING for a in ingest_report.acts)


def test_the_manifest_lists_each_version_with_its_date_and_sources(knowledge: KnowledgeBase) -> None:
    ai = next(a for a in knowledge.acts if a.id == "ai-act")
    original, current = ai.versions
    assert (original.in_force, original.label) == ("2024-08-01", "original text, OJ L, 2024/1689, 12.7.2024")
    assert (current.in_force, current.amended_by) == ("2026-07-27", ["Regulation (EU) 2026/1744"])
    assert current.url.endswith("CELEX:02024R1689-20260727")
    assert "amendments/ai_act_amendment_2026_1744_en_act.fmx.xml" in current.sources
    assert current.applied == 72 and current.flagged == []
    assert "transcriptions" in current.unofficial
    assert current.counts["articles"] == 113 + 6 and current.counts["annexes"] == 14
    amending_act = next(a for a in knowledge.acts if a.id == AMENDING)
    assert amending_act.amends == "ai-act" and "Digital Omnibus" in amending_act.aliases


def test_the_annex_iii_question_is_answered_from_the_amended_article_113(knowledge: KnowledgeBase) -> None:
    answer = knowledge.ask("When do the obligations for high-risk AI systems in Annex III apply?")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.label == "AI Act, Article 113 (as amended by Regulation (EU) 2026/1744)"
    assert "2 December 2027" in answer.sentences[0].text and "Annex III" in answer.sentences[0].text
    assert first.version_date == "2026-07-27"
    assert [a.citation for a in first.amended_by][1] == "Regulation (EU) 2026/1744, Article 1, point (40)(b)"
    assert first.unofficial and "transcriptions" in first.unofficial
    ai = next(v for v in answer.versions if v.doc == "ai-act")
    assert ai.in_force == "2026-07-27" and "as amended by Regulation (EU) 2026/1744" in ai.version


def test_the_original_wording_is_a_parameter_away(knowledge: KnowledgeBase) -> None:
    original = knowledge.provision("AI Act Art. 113", version="original")
    assert "2 December 2027" not in original.text and "It shall apply from 2 August 2026." in original.text
    assert original.label == "AI Act, Article 113" and original.amended_by == []
    assert original.versions == ["2024-08-01", "2026-07-27"]
    answer = knowledge.ask(
        "When do the obligations for high-risk AI systems in Annex III apply?", version="original"
    )
    assert answer.citations[0].label == "AI Act, Article 113"
    assert next(v for v in answer.versions if v.doc == "ai-act").in_force == "2024-08-01"
    # A date picks the version in force that day.
    before = knowledge.provision("AI Act Art. 113", version="2026-07-26")
    after = knowledge.provision("AI Act Art. 113", version="2026-07-27")
    assert "2 December 2027" not in before.text and "2 December 2027" in after.text


def test_provisions_exist_in_the_versions_that_have_them(knowledge: KnowledgeBase) -> None:
    assert knowledge.provision("AI Act Art. 4a").title.startswith("Processing of special categories")
    with pytest.raises(UnknownUnit):
        knowledge.provision("AI Act Art. 4a", version="original")
    current = knowledge.provision("AI Act Art. 10(5)")
    assert current.pinpoint is None  # there is no paragraph 5 any more
    assert knowledge.provision("AI Act Art. 10(5)", version="original").pinpoint == "10(5)"
    assert (
        knowledge.provision("AI Act Annex XIV").label
        == "AI Act, Annex XIV (as amended by Regulation (EU) 2026/1744)"
    )


def test_the_amending_act_is_searchable_and_cited_as_unofficial(knowledge: KnowledgeBase) -> None:
    result = knowledge.search("Digital Omnibus Article 1 point (40)")
    hit = result.hits[0]
    assert hit.doc == AMENDING and hit.label == "Regulation (EU) 2026/1744, Article 1, point (40)"
    assert hit.unofficial and "not from the official files" in hit.unofficial
    assert hit.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=OJ:L_202601744#art_1"
    why = knowledge.search(
        "why were the AI literacy obligations of providers and deployers relaxed?", docs=[AMENDING]
    )
    assert "rct_8" in [h.unit for h in why.hits[:3]]


def test_an_act_not_yet_in_force_is_left_out_of_an_earlier_date(knowledge: KnowledgeBase) -> None:
    result = knowledge.search("AI literacy", version="2025-06-01")
    assert {h.doc for h in result.hits} <= {"ai-act", "data-act"}
    with pytest.raises(BadQuery, match="not yet in force"):
        knowledge.search("AI literacy", docs=[AMENDING], version="2025-06-01")
    with pytest.raises(BadQuery, match="Unknown version"):
        knowledge.search("AI literacy", version="yesterday")

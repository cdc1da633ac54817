"""Provisions named in questions, and the one reading of a reference for `kb show` and the client."""

from __future__ import annotations

import pytest

from kb.errors import ActNotHeld, BadQuery, UnknownUnit
from kb.grammar import find_query_refs, named_acts
from kb.query_refs import act_names, not_found, pick_act, read_reference
from tests.unit.conftest import act_info

ACTS = [act_info("ai-act", "AI Act", aliases=["AIA"]), act_info("data-act", "Data Act")]
NAMES = act_names(ACTS)


def refs(query: str) -> list[tuple[str | None, str, str | None]]:
    return [(r.doc, r.unit, r.pinpoint) for r in find_query_refs(query, NAMES)]


def test_articles_with_their_points_and_act() -> None:
    assert refs("Art. 5(1)(f) AI Act") == [("ai-act", "art_5", "5(1)(f)")]
    assert refs("What does Article 25 of the Data Act require?") == [("data-act", "art_25", None)]
    assert refs("point (h) of Article 5(1)") == [(None, "art_5", "5(1)(h)")]
    assert refs("AIA Article 6(2)") == [("ai-act", "art_6", "6(2)")]


def test_annexes_and_recitals() -> None:
    assert refs("Annex III point 4(a)") == [(None, "anx_III", "III(4)(a)")]
    assert refs("Annex VIII, Section C") == [(None, "anx_VIII", "VIII(C)")]
    assert refs("recital (27) of the AI Act") == [("ai-act", "rct_27", None)]
    assert refs("annex of the act") == []  # no numeral, no annex


def test_acts_named_by_name_number_and_alias() -> None:
    assert named_acts("Does the Data Act or Regulation 2024/1689 apply?", NAMES) == ["data-act", "ai-act"]
    assert named_acts("What does the AIA say about sandboxes?", NAMES) == ["ai-act"]
    assert named_acts("a dAI Actor", NAMES) == []


def test_a_reference_read_once_for_both_clients() -> None:
    request = read_reference("AI Act Art. 5(1)(f)", ACTS)
    assert (request.docs, request.unit, request.pinpoint) == (["ai-act"], "art_5", "5(1)(f)")
    assert read_reference("data-act art_25", ACTS).docs == ["data-act"]
    both = read_reference("Article 3", ACTS)
    assert both.docs == ["ai-act", "data-act"]
    with pytest.raises(BadQuery, match="name the act"):
        pick_act(both, ["ai-act", "data-act"], ACTS)
    assert pick_act(both, ["data-act"], ACTS) == "data-act"
    with pytest.raises(UnknownUnit, match="Article 3 does not exist in AI Act or Data Act"):
        pick_act(both, [], ACTS)
    with pytest.raises(BadQuery, match="names no provision"):
        read_reference("the rules on deepfakes", ACTS)


def test_the_missing_provision_message() -> None:
    assert not_found("Article 120 ", ["AI Act"], " (AI Act has Articles 1 to 113)") == (
        "Article 120 does not exist in AI Act (AI Act has Articles 1 to 113)."
    )


@pytest.mark.parametrize(
    "reference",
    ["GDPR Article 30", "GDPR Article 100", "Article 30 GDPR", "Art. 30 of the GDPR", "gdpr art_30", "GDPR"],
)
def test_a_provision_of_an_act_not_held_is_refused_not_shown_from_another(reference: str) -> None:
    # Issue 31 item 7: "GDPR Article 100" gave AI Act Article 100, "GDPR Article 30" was
    # "ambiguous between the AI Act and the Data Act".
    with pytest.raises(ActNotHeld) as caught:
        read_reference(reference, ACTS)
    message = str(caught.value)
    assert message.startswith("GDPR (General Data Protection Regulation) is not in this knowledge base")
    assert "https://eur-lex.europa.eu/eli/reg/2016/679/oj" in message
    assert "ambiguous" not in message and "AI Act Article" not in message


def test_a_corpus_act_named_beside_another_is_still_read() -> None:
    request = read_reference("AI Act Art. 10(5)", ACTS)
    assert request.docs == ["ai-act"]
    # An act of the index outside the version asked for is not "not in this knowledge base".
    dga = act_info("dga", "Data Governance Act")
    assert read_reference("Data Governance Act Art. 2", ACTS, held=[dga]).unit == "art_2"
    with pytest.raises(ActNotHeld, match="Data Governance Act"):
        read_reference("Data Governance Act Art. 2", ACTS)

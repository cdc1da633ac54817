"""Answers on the real index: quoted from the provisions, cited, versioned, or declined."""

from __future__ import annotations

import re

import pytest

from kb.knowledge import KnowledgeBase
from kb.results import Turn


def test_an_answer_quotes_the_rule_with_its_lead_in_and_cites_it(knowledge: KnowledgeBase) -> None:
    answer = knowledge.ask("Can we use emotion recognition on our staff?")
    assert not answer.abstained
    first = answer.sentences[0]
    assert first.text.startswith("The following AI practices shall be prohibited: … (f)")
    assert answer.citations[first.citation - 1].unit == "art_5"
    assert 1 <= len(answer.sentences) <= 5
    # Every sentence is the law's own words, from the passage it cites.
    for s in answer.sentences:
        core = s.text.split(" … ")[-1].removesuffix(" …")
        assert core[:200] in answer.citations[s.citation - 1].text
    assert re.search(r"\[1\]", answer.answer)


def test_an_answer_states_the_versions_it_cites(knowledge: KnowledgeBase) -> None:
    answer = knowledge.ask("How much notice must a cloud provider give before switching?")
    assert answer.versions[0].doc == "data-act"
    assert (
        answer.versions[0].version
        == "OJ L, 2023/2854, 22.12.2023 (original text, in force from 11 January 2024)"
    )
    assert answer.versions[0].in_force == "2024-01-11"
    assert any(h.unit == "art_25" for h in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        "What is the maximum GDPR fine for unlawful processing of personal data?",
        "What does the Colorado AI Act require from deployers?",
        "Within how many hours must a bank report an ICT incident under DORA?",
        "How many companies have been fined under the AI Act so far?",
    ],
)
def test_questions_the_acts_do_not_answer_are_declined(knowledge: KnowledgeBase, question: str) -> None:
    answer = knowledge.ask(question)
    assert answer.abstained and answer.reason
    assert answer.sentences == []
    assert answer.citations and all(h.low_confidence for h in answer.citations)


def test_a_question_about_a_missing_provision_is_declined_and_says_why(knowledge: KnowledgeBase) -> None:
    answer = knowledge.ask("What does Article 114 of the AI Act say?")
    assert answer.abstained
    assert "Article 114 does not exist" in (answer.reason or "")


def test_a_follow_up_is_read_with_the_conversation(knowledge: KnowledgeBase) -> None:
    history = [Turn(question="What are the obligations of providers of high-risk AI systems?")]
    answer = knowledge.ask("and for deployers?", history=history)
    assert answer.resolved_question and "providers of high-risk" in answer.resolved_question
    assert answer.citations[0].unit == "art_26"
    fines = knowledge.ask(
        "what are the fines for that?", history=[Turn(question="Can we use emotion recognition at work?")]
    )
    units = [h.unit for h in fines.citations]
    assert "art_99" in units and "art_5" in units

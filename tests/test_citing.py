"""Citations as practitioners write them, instruments outside the knowledge base, questions in
other languages and long questions, on the real index."""

from __future__ import annotations

import pytest

from kb.knowledge import KnowledgeBase


@pytest.mark.parametrize(
    ("query", "doc", "pinpoint"),
    [
        ("Art. 5 Abs. 1 lit. f KI-VO", "ai-act", "5(1)(f)"),
        ("Art. 5 lit. f AIA", "ai-act", "5(1)(f)"),
        ("Art 6 para 2 AI Act", "ai-act", "6(2)"),
        ("Article 2.6 AI Act", "ai-act", "2(6)"),
        ("Art. 3 Nr. 60 KI-VO", "ai-act", "3(60)"),
        ("Anhang III Nr. 4 lit. a KI-VO", "ai-act", "III(4)(a)"),
        ("Annex III no. 5 lit. b AI Act", "ai-act", "III(5)(b)"),
        ("Art. 2 Nr. 13 Datenverordnung", "data-act", "2(13)"),
        ("Art 25 para 2 DA", "data-act", "25(2)"),
        ("Data Act Art. 5 § 3", "data-act", "5(3)"),
        ("considérant 27 du RIA", "ai-act", "27"),
    ],
)
def test_citation_forms_pinpoint_the_provision(
    knowledge: KnowledgeBase, query: str, doc: str, pinpoint: str
) -> None:
    first = knowledge.search(query, version="original").hits[0]
    assert (first.doc, first.pinpoint, first.match) == (doc, pinpoint, "reference")


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("What does Article 3 of Regulation (EU) 2022/1925 say about gatekeepers?", "Digital Markets Act"),
        ("Art. 17 DSA: how must a platform explain a removal?", "Digital Services Act"),
        ("§ 26 BDSG Abs. 1: may an employer process applicants' data?", "BDSG"),
        ("Under Article 23 NIS2, when is an early warning due?", "NIS2"),
        (
            "What does Article 30 GDPR require in the records of processing?",
            "General Data Protection Regulation",
        ),
    ],
)
def test_a_question_about_another_instrument_is_declined_and_says_which(
    knowledge: KnowledgeBase, question: str, named: str
) -> None:
    answer = knowledge.ask(question)
    assert answer.abstained and named in (answer.reason or "")
    assert any(named in n and "not in this knowledge base" in n for n in answer.notices)
    # Never a provision of a corpus act passed off as the instrument's.
    assert all(h.match != "reference" for h in answer.citations)


def test_provisions_citing_the_instrument_are_shown_as_context(knowledge: KnowledgeBase) -> None:
    answer = knowledge.ask("What does Article 3 of Regulation (EU) 2022/1925 say about gatekeepers?")
    citing = [h for h in answer.citations if h.match == "citing"]
    assert citing and all(h.doc == "data-act" and "2022/1925" in h.text for h in citing)
    assert "https://eur-lex.europa.eu/eli/reg/2022/1925/oj" in " ".join(answer.notices)


@pytest.mark.parametrize(
    ("question", "code", "english"),
    [
        (
            "Quelles pratiques de reconnaissance des émotions sont interdites sur le lieu de travail ?",
            "fr",
            "texte officiel anglais",
        ),
        (
            "Welche Pflichten haben Betreiber von Hochrisiko-KI-Systemen nach der KI-Verordnung?",
            "de",
            "amtlichen englischen Wortlaut",
        ),
    ],
)
def test_a_question_in_another_language_says_the_index_is_english(
    knowledge: KnowledgeBase, question: str, code: str, english: str
) -> None:
    answer = knowledge.ask(question)
    assert answer.language == code
    # Said in the question's own language (kb/messages.py): the provisions are the English text.
    assert any(f"({code})" in n and english in n for n in answer.notices)
    # Matched with the multilingual encoder (tests/test_languages.py has the search without it).
    assert answer.citations and not any(h.low_confidence for h in answer.citations)


def test_a_long_question_is_decided_by_its_last_sentence(knowledge: KnowledgeBase) -> None:
    mail = (
        "Dear team, following our call on the migration of the billing platform, the vendor sent the "
        "revised statement of work, the draft service levels and a long list of open points about "
        "invoicing, support hours, escalation contacts and the training plan for the new staff. "
    )
    question = mail * 22 + "Before we sign: how much notice must the cloud provider give us before we switch?"
    assert 4500 < len(question) < 6000
    answer = knowledge.ask(question, version="original")
    assert not answer.abstained
    assert ("data-act", "art_25") in [(h.doc, h.unit) for h in answer.citations[:3]]
    assert any("question is long" in n for n in answer.notices)

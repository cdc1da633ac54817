"""A question read once (kb/query.py): every field of `Query`, from the text as a user types it."""

from __future__ import annotations

import dataclasses

import pytest

from kb.query import NOT_IN_VIEW, Lexicon, Query, Window, read
from kb.results import Turn

LEXICON = Lexicon(
    names={"ai act": "ai-act", "2024/1689": "ai-act", "aia": "ai-act", "data act": "data-act"},
    other_names={"digital omnibus": "omnibus"},
    others={"omnibus": ("Digital Omnibus", "https://eur-lex.europa.eu/eli/reg/2026/1744/oj")},
    terms={"deployer": "deployer", "ai system": "AI system", "provider": "provider"},
)
WORDS = Window(lambda text: len(text.split()), max_tokens=256)


def q(text: str, history: list[Turn] | None = None) -> Query:
    return read(text, LEXICON, history or [], WORDS)


def test_a_query_is_frozen_and_keeps_the_text_as_asked() -> None:
    query = q("  What must deployers of high-risk AI systems do?  ")
    assert query.text == query.resolved == query.searched == "What must deployers of high-risk AI systems do?"
    assert not query.is_follow_up and query.own is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.text = "other"  # type: ignore[misc]


def test_references_are_bound_to_the_act_named_with_them() -> None:
    query = q("Does Art. 5(1)(f) AI Act apply with Article 25 of the Data Act?")
    assert [(r.doc, r.unit, r.pinpoint) for r in query.refs] == [
        ("ai-act", "art_5", "5(1)(f)"),
        ("data-act", "art_25", None),
    ]
    assert query.acts_named == ("ai-act", "data-act")
    assert query.outside == ()


def test_instruments_outside_the_index_and_outside_the_version() -> None:
    query = q("Is Art. 30 GDPR stricter than the AI Act?")
    (gdpr,) = query.outside
    assert gdpr.number == "2016/679" and gdpr.url == "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
    (ref,) = query.refs
    assert (ref.unit, ref.doc, ref.external) == ("art_30", None, gdpr.name)
    omnibus = q("What did the Digital Omnibus change in Annex III?")
    assert [(o.name, o.why) for o in omnibus.outside] == [("Digital Omnibus", NOT_IN_VIEW)]
    # "Data Governance Act" names another instrument, not the Data Act.
    assert q("Does the Data Governance Act cover this?").acts_named == ()


def test_when_a_rule_applies_and_facts_of_the_world() -> None:
    when = q("From when do the prohibitions apply?")
    assert when.asks_when and when.asks_when_applies
    period = q("How long must the logs be kept?")
    assert period.asks_when and not period.asks_when_applies
    assert q("Which companies have been fined so far under the AI Act?").asks_world_facts
    assert not q("What are the fines under the AI Act?").asks_world_facts


def test_defined_terms_asked_about() -> None:
    assert q("What is a deployer?").defines == ("deployer",)
    assert q("Does our chatbot count as an ‘AI system’?").defines == ("ai system",)
    # A defined term in passing is not what is asked.
    assert q("What are the obligations for AI systems in schools?").defines == ()
    assert q("Deployers must inform workers.").defines == ()


def test_a_follow_up_is_read_with_the_question_before_it_and_alone() -> None:
    history = [Turn(question="What must providers of high-risk AI systems do?")]
    query = q("and for deployers?", history)
    assert query.is_follow_up
    assert query.resolved == "What must providers of high-risk AI systems do? and for deployers?"
    assert query.searched == query.resolved and "provider" in query.content_words
    assert query.own is not None and query.own.text == query.own.resolved == "and for deployers?"
    assert not q("What is a deployer under the AI Act?", history).is_follow_up


def test_keyword_terms_and_context_words() -> None:
    query = q("What does Article 5 of the AI Act say?")
    assert query.terms == ("article", "ai", "act", "say")  # no stopwords, no "5"
    assert query.context_words == 1  # "say": the question is the reference
    named = q("How long must the logs referred to in Article 12(1) be kept?")
    assert named.context_words >= 3


def test_claims_are_the_sentences_that_cite_provisions() -> None:
    query = q(
        "Article 6(2) AI Act makes Annex III systems high-risk. We sell CV screening. Is Art. 26 relevant?"
    )
    assert [c.sentence for c in query.claims] == [
        "Article 6(2) AI Act makes Annex III systems high-risk.",
        "Is Art. 26 relevant?",
    ]
    first, last = query.claims
    assert [(r.unit, r.pinpoint, r.doc) for r in first.citations] == [
        ("art_6", "6(2)", "ai-act"),
        ("anx_III", None, "ai-act"),
    ]
    # Offsets are in the sentence.
    assert [last.sentence[r.start : r.start + len(r.text)] for r in last.citations] == ["Art. 26"]


def test_claims_of_a_follow_up_are_its_own() -> None:
    history = [Turn(question="What does Article 50 require?")]
    query = q("and does that cover Article 52 too?", history)
    assert [r.unit for r in query.refs] == ["art_50", "art_52"]
    assert [(c.sentence, [r.unit for r in c.citations]) for c in query.claims] == [
        ("and does that cover Article 52 too?", ["art_52"])
    ]


def test_questions_not_in_english_are_recognised() -> None:
    fr = q("Quelles pratiques de reconnaissance des émotions sont interdites sur le lieu de travail ?")
    de = q("Welche Pflichten haben Betreiber von Hochrisiko-KI-Systemen nach der KI-Verordnung?")
    assert fr.language is not None and (fr.language.code, fr.language.name) == ("fr", "French")
    assert de.language is not None and de.language.code == "de"
    assert "seems to be in French" in fr.notices[0]


def test_english_and_bare_citations_are_english() -> None:
    assert q("Can we use emotion recognition on our staff?").language is None
    assert q("Art 6 para 2").language is None
    assert q("What does Art. 5 Abs. 1 lit. h sublit. iii KI-VO say?").language is None


def test_a_long_question_is_searched_by_its_question_sentences() -> None:
    mail = " ".join(
        f"Our supplier wrote about invoices and shipping schedules in week {i}." for i in range(60)
    )
    query = q(mail + " Given all that, which charges may a cloud provider impose when we switch?")
    assert query.searched == "Given all that, which charges may a cloud provider impose when we switch?"
    assert "invoices" in query.keywords.split() and "question is long" in query.notices[0]
    assert "invoices" in query.terms  # the keywords are matched beside the question sentences
    short = q("Short question?")
    assert short.searched == short.text and short.keywords == "" and short.notices == ()


def test_sentences_naming_a_provision_are_kept() -> None:
    text = "Background sentence here. " * 100
    text += "Article 25 of the Data Act sets notice periods. Is 60 days too long?"
    query = q(text)
    assert query.searched.startswith("Article 25 of the Data Act")
    assert [(r.unit, r.doc) for r in query.refs] == [("art_25", "data-act")]

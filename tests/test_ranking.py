"""The ranking's rules on the real index, each asked in words of its own (none is an eval item):
time questions and periods, one act's vocabulary, the amending act's own text, a provision named
as context or by a wrong number, and "as amended" only where the text changed."""

from __future__ import annotations

from kb.knowledge import KnowledgeBase


def units(result, n: int = 5) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(h.doc, h.unit) for h in result.hits[:n]]


def test_a_question_about_when_rules_apply_gets_the_final_provisions(knowledge: KnowledgeBase) -> None:
    result = knowledge.search(
        "From which date do the prohibitions on AI practices apply?", version="original"
    )
    assert units(result, 1) == [("ai-act", "art_113")]


def test_a_question_about_a_period_inside_an_article_does_not(knowledge: KnowledgeBase) -> None:
    result = knowledge.search(
        "How long does a certificate issued by a notified body stay valid?", version="original"
    )
    assert ("ai-act", "art_44") in units(result)
    assert units(result, 1) != [("ai-act", "art_113")]


def test_a_question_in_one_acts_words_stays_in_that_act(knowledge: KnowledgeBase) -> None:
    result = knowledge.search(
        "What must a notifying authority do to avoid conflicts of interest with conformity assessment"
        " bodies?",
        version="original",
    )
    assert {doc for doc, _ in units(result)} == {"ai-act"}
    assert ("ai-act", "art_28") in units(result)


def test_the_amending_instructions_give_way_to_the_consolidated_text(knowledge: KnowledgeBase) -> None:
    result = knowledge.search("What does Annex III point 1 cover?", k=10)
    assert result.hits[0].label == "AI Act, Annex III, point 1"
    assert result.hits[0].doc == "ai-act"
    asked = knowledge.search("What did the Digital Omnibus change about AI literacy?", k=10)
    assert any(h.doc == "ai-act-amendment-2026-1744" for h in asked.hits)


def test_a_wrong_article_number_gives_way_to_the_provision_asked_about(knowledge: KnowledgeBase) -> None:
    result = knowledge.search("Art. 52 AI Act transparency obligations for chatbots", version="original")
    assert units(result, 2) == [("ai-act", "art_50"), ("ai-act", "art_52")]
    assert any("Article 52 is about procedure" in n and "Article 50" in n for n in result.notices)


def test_a_question_that_is_the_reference_keeps_it_first(knowledge: KnowledgeBase) -> None:
    result = knowledge.search("What does Article 52 of the AI Act say?", version="original")
    assert units(result, 1) == [("ai-act", "art_52")]
    assert result.notices == []


def test_as_amended_only_on_the_text_that_changed(knowledge: KnowledgeBase) -> None:
    unchanged = knowledge.search("AI Act Art. 5(1)(f)").hits[0]
    assert unchanged.label == "AI Act, Article 5(1)(f)"
    assert unchanged.amended_by  # the article was amended elsewhere, and the hit says how
    inserted = knowledge.search("AI Act Art. 5(1)(ba)").hits[0]
    assert inserted.label == "AI Act, Article 5(1)(ba) (as amended by Regulation (EU) 2026/1744)"

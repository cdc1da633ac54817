"""Reading a question: its language, and what of a long one is searched."""

from __future__ import annotations

from kb.questions import focus, language_of


def test_questions_not_in_english_are_recognised() -> None:
    fr = language_of(
        "Quelles pratiques de reconnaissance des émotions sont interdites sur le lieu de travail ?"
    )
    de = language_of("Welche Pflichten haben Betreiber von Hochrisiko-KI-Systemen nach der KI-Verordnung?")
    assert fr is not None and (fr.code, fr.name) == ("fr", "French")
    assert de is not None and de.code == "de"


def test_english_and_bare_citations_are_english() -> None:
    assert language_of("Can we use emotion recognition on our staff?") is None
    assert language_of("Art 6 para 2") is None
    assert language_of("What does Art. 5 Abs. 1 lit. h sublit. iii KI-VO say?") is None


def words_as_tokens(text: str) -> int:
    return len(text.split())


def test_a_long_question_is_searched_by_its_question_sentences() -> None:
    mail = " ".join(
        f"Our supplier wrote about invoices and shipping schedules in week {i}." for i in range(60)
    )
    question = mail + " Given all that, which charges may a cloud provider impose when we switch?"
    found = focus(question, words_as_tokens, max_tokens=256)
    assert found is not None
    assert found.query == "Given all that, which charges may a cloud provider impose when we switch?"
    assert "invoices" in found.keywords.split() and "question is long" in found.notice
    assert focus("Short question?", words_as_tokens, max_tokens=256) is None


def test_sentences_naming_a_provision_are_kept() -> None:
    text = (
        "Background sentence here. " * 100
        + "Article 25 of the Data Act sets notice periods. Is 60 days too long?"
    )
    found = focus(text, words_as_tokens, max_tokens=256)
    assert found is not None and found.query.startswith("Article 25 of the Data Act")

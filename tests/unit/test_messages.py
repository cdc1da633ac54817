"""The product's words in German and French (kb/messages.py): each message of the catalogue is
the one the code writes in English, and is rendered in the question's language; the law's words
(quotes) and text not in the catalogue stay as they are."""

from __future__ import annotations

import pytest

from kb import messages, outcome
from kb.instruments import Instrument
from kb.messages import localize


def test_the_declined_lead_is_the_code_s_and_reads_in_german_and_french() -> None:
    nothing = "Nothing in the acts comes close to this question."
    english = outcome.DECLINED.format(reason=nothing)
    assert messages.DECLINED.render("en", reason=nothing) == english
    assert localize(english, "de") == (
        "Die Rechtsakte in dieser Wissensbasis beantworten das nicht. Nichts in den Rechtsakten kommt "
        "dieser Frage nahe. Unten stehen die nächstliegenden Bestimmungen: Sie beantworten die Frage nicht."
    )
    french = localize(english, "fr")
    assert french.startswith("Les actes de cette base de connaissances n’y répondent pas. Rien")


def test_an_act_not_held_is_said_in_the_question_s_language() -> None:
    gdpr = Instrument(
        "DSGVO", 0, 5, "GDPR (General Data Protection Regulation)", None, "https://eur-lex.example"
    )
    assert localize(gdpr.notice, "de") == (
        "GDPR (General Data Protection Regulation) ist nicht in dieser Wissensbasis (EUR-Lex: https://eur-lex.example)."
    )
    assert "n’est pas dans cette base de connaissances" in localize(gdpr.notice, "fr")


def test_the_answer_in_part_lead_keeps_the_quote_verbatim() -> None:
    quote = "Each Member State shall establish or designate as national competent authorities"
    english = f"The AI Act leaves this to the Member States (Article 70(1)): “{quote}”"
    german = localize(english, "de")
    assert german == f"Die KI-Verordnung überlässt dies den Mitgliedstaaten (Article 70(1)): „{quote}“"
    assert quote in localize(english, "fr") and "aux États membres" in localize(english, "fr")


@pytest.mark.parametrize("language", ["en", "it", "es"])
def test_english_and_languages_without_a_catalogue_stay_english(language: str) -> None:
    text = outcome.DECLINED.format(reason="Nothing in the acts comes close to this question.")
    assert localize(text, language) == text


def test_text_outside_the_catalogue_is_left_as_it_is() -> None:
    quoted = "AI Act, Article 5(1)(f): “the placing on the market … of AI systems to infer emotions”."
    assert localize(quoted, "de") == quoted

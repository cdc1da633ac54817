"""A generated answer in the question's language (kb/answer_language.py): what is put back into
a translation and what makes a sentence stay in English, without the model."""

from __future__ import annotations

from kb.answer_language import QUOTED, faithful, finished, in_language, restore
from kb.generate import Restart
from kb.language import Language
from kb.results import Answer, Sentence

QUOTE = "Chapters I and II shall apply from 2 February 2025"
GERMAN = Language("de", "German")


def test_a_placeholder_becomes_the_quote_verbatim_whatever_marks_the_model_put_round_it() -> None:
    masked = "Article 113 says «Q1»."
    for said in (
        "Artikel 113 sagt «Q1».",
        'Artikel 113 sagt "Q1".',
        "Artikel 113 sagt „ Q1 “.",
        "Artikel 113 sagt Q1.",
    ):
        assert restore(said, [QUOTE], masked) == f"Artikel 113 sagt “{QUOTE}”."
    assert restore("Mit KI ist Q1 verboten.", [QUOTE], "It is «Q1».") == f"Mit KI ist “{QUOTE}” verboten."


def test_a_lost_or_added_placeholder_keeps_the_sentence_in_english() -> None:
    masked = "It is «Q1», unless «Q2»."
    assert restore("Es ist verboten, außer «Q2».", ["a b c", "d e f"], masked) is None
    assert restore("Es ist «Q1», «Q1», außer «Q2».", ["a b c", "d e f"], masked) is None
    assert restore("Es ist «Q1», außer «Q3».", ["a b c", "d e f"], masked) is None


def test_quotes_are_read_as_the_checker_reads_them() -> None:
    text = f'It says “{QUOTE}” and "for medical reasons".'
    found = [next(g for g in m.groups() if g) for m in QUOTED.finditer(text)]
    assert found == [QUOTE, "for medical reasons"]


def _answer(sentences: list[Sentence], mode: str = "generated") -> Answer:
    return Answer(
        question="Ab wann gelten die Verbote?",
        answer=" ".join(f"{s.text} [1]" for s in sentences),
        sentences=sentences,
        citations=[],
        abstained=False,
        versions=[],
        answer_mode=mode,  # type: ignore[arg-type]
        model="standin-1",
        language="de",
    )


def test_english_questions_pass_through_and_untranslatable_languages_say_so() -> None:
    sentence = Sentence(text="The prohibitions apply from 2 February 2025.", citation=1)
    items = [sentence, _answer([sentence])]
    assert list(in_language(items, None, None)) == items
    out = list(in_language(items, Language("pl", "Polish"), None))
    assert out[0] == sentence and isinstance(out[-1], Answer)
    said = out[-1].notices[-1]
    assert said.startswith("The answer is in English") and "German, French" in said
    out = list(in_language(items, GERMAN, None))
    said = out[-1].notices[-1]
    assert said.startswith("Die Antwort steht auf Englisch") and "KB_TRANSLATE" in said


def test_without_a_translator_the_stream_is_the_writer_s_restart_and_all() -> None:
    written = Sentence(text="It is fine.", citation=1)
    quoted = Sentence(text="AI Act, Article 5: “…”", citation=1)
    items = [written, Restart(), quoted, _answer([quoted], "extractive")]
    out = list(in_language(items, GERMAN, None))
    # The quoted answer gets no notice about a translation it never needed.
    assert out == items


def test_the_answer_is_rebuilt_with_its_markers_and_says_what_stayed_in_english() -> None:
    german = Sentence(
        text="Die Verbote gelten ab dem 2. Februar 2025.",
        citation=2,
        english="The bans apply from 2 February 2025.",
    )
    english = Sentence(text=f"Article 113 says “{QUOTE}”.", citation=2, citations=[2, 3])
    answer = finished(_answer([english, english]), [german, english], GERMAN, "qwen")
    assert answer.answer == f"{german.text} [2] {english.text} [2][3]"
    assert answer.answer_translated_by == "qwen"
    assert any("maschinell ins Deutsche" in n for n in answer.notices)
    assert any(n.startswith("Sätze, die auf Englisch bleiben") and n.endswith(": 1.") for n in answer.notices)
    # Nothing translated: not said to be.
    answer = finished(_answer([english]), [english], GERMAN, "qwen")
    assert answer.answer_translated_by is None and not any("maschinell" in n for n in answer.notices)


def test_a_translation_that_drops_a_not_changes_a_figure_or_stays_english_is_not_shown() -> None:
    masked = "Providers shall not keep the logs for more than six months."
    assert faithful("Anbieter müssen die Protokolle sechs Monate aufbewahren.", masked, [], "de") is None
    kept = "Anbieter dürfen die Protokolle nicht länger als sechs Monate aufbewahren."
    assert faithful(kept, masked, [], "de") == kept
    dated = "The prohibitions apply from 2 February 2025."
    assert faithful("Die Verbote gelten ab dem 2. Februar 2026.", dated, [], "de") is None
    assert faithful("Die Verbote gelten ab dem 2. Februar 2025.", dated, [], "de") is not None
    assert faithful('"The prohibitions apply from 2 February 2025."', dated, [], "de") is None
    assert faithful("Les interdictions ne s’appliquent pas avant le 2 février 2025.", dated, [], "fr") is None
    said = "L’article 113 dit « Q1 »."
    assert faithful(said, "Article 113 says «Q1».", ["a b c"], "fr") == "L’article 113 dit “a b c”."

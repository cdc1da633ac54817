"""The gate on generated answers (kb/check.py): what it removes and what it keeps.

Every rule of the checker is held here against provisions written for the test, so that a change
that lets a fabricated quote, a foreign marker or a wrong figure through fails in seconds.
"""

from __future__ import annotations

import re

import pytest

from kb.check import Checker, Source, normalise, sentences_of, split_sentences
from kb.generate import INSTRUCTIONS

PENALTIES = Source(
    1,
    "AI Act, Article 99(3)",
    "Non-compliance with the prohibition of the AI practices referred to in Article 5 shall be subject "
    "to administrative fines of up to EUR 35 000 000 or, if the offender is an undertaking, up to 7 % "
    "of its total worldwide annual turnover for the preceding financial year, whichever is higher.",
)
APPLICATION = Source(
    2,
    "AI Act, Article 113",
    "It shall apply from 2 August 2026. Chapters I and II shall apply from 2 February 2025.",
)
INCIDENTS = Source(
    3,
    "AI Act, Article 73(2)",
    "The report shall be made not later than 15 days after the provider becomes aware of the "
    "serious incident.",
)


@pytest.fixture
def checker() -> Checker:
    return Checker([PENALTIES, APPLICATION, INCIDENTS], INSTRUCTIONS)


def failures(checker: Checker, sentence: str) -> list[str]:
    return checker.check(sentence).failures


def test_a_supported_sentence_is_kept_without_its_markers(checker: Checker) -> None:
    verdict = checker.check("The AI Act applies from 2 August 2026 [2].")
    assert verdict.passed
    assert verdict.text == "The AI Act applies from 2 August 2026."
    assert verdict.citations == [2]


def test_a_verbatim_quote_with_an_ellipsis_and_other_quote_marks_is_kept(checker: Checker) -> None:
    verdict = checker.check(
        'Fines reach "up to EUR 35 000 000 or … up to 7 % of its total worldwide annual turnover" [1].'
    )
    assert verdict.passed, verdict.failures
    assert verdict.quotes == ["up to EUR 35 000 000 or … up to 7 % of its total worldwide annual turnover"]


def test_a_fabricated_quote_is_removed(checker: Checker) -> None:
    assert failures(checker, "The fine is “up to EUR 35 000 000 in every case” [1].") == [
        "quotes words that are not in the provisions it cites: “up to EUR 35 000 000 in every case”"
    ]


def test_a_quote_from_a_provision_the_sentence_does_not_cite_is_removed(checker: Checker) -> None:
    # The words are in [3], but the sentence cites [2].
    assert failures(checker, "A report is due “not later than 15 days” [2].")[0].startswith("quotes words")


def test_a_sentence_without_a_marker_is_removed(checker: Checker) -> None:
    assert failures(checker, "The AI Act applies from 2 August 2026.") == ["cites no provision"]


def test_a_foreign_marker_is_removed(checker: Checker) -> None:
    assert failures(checker, "The AI Act applies from 2 August 2026 [2][7].") == [
        "cites a provision that was not supplied: [7]"
    ]
    assert failures(checker, "It applies from 2 August 2026 [9].") == [
        "cites a provision that was not supplied: [9]"
    ]


DATE = "states a date that the provisions it cites do not: "
AMOUNT = "states an amount that the provisions it cites do not: "
PERIOD = "states a period that the provisions it cites do not: "


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("The AI Act applies from 2 August 2025 [2].", DATE + "2 August 2025"),
        ("The AI Act applies from August 2, 2027 [2].", DATE + "August 2, 2027"),
        ("Fines reach EUR 40 000 000 [1].", AMOUNT + "EUR 40 000 000"),
        ("Fines reach 10 % of turnover [1].", AMOUNT + "10 %"),
        ("A report is due within 30 days [3].", PERIOD + "30 days"),
        ("Article 6 sets the fines [1].", "names Article 6, which the provisions it cites do not"),
    ],
)
def test_a_wrong_date_amount_period_or_article_number_is_removed(
    checker: Checker, sentence: str, reason: str
) -> None:
    assert failures(checker, sentence) == [reason]


@pytest.mark.parametrize(
    "sentence",
    [
        "The AI Act applies from 2026-08-02 [2].",  # the same date, written the ISO way
        "Fines reach €35 million [1].",  # the same amount in words
        "Fines reach 7% of turnover [1].",
        "A report is due within fifteen days [3].",  # the same period in words
        "Article 5 practices are fined [1].",  # named in the provision's text
        "Article 99 sets the fines [1].",  # the provision's own label
        "Fines reach EUR 35 000 000 and the Act applies from 2 August 2026 [1, 2].",
    ],
)
def test_the_same_figure_written_another_way_is_kept(checker: Checker, sentence: str) -> None:
    assert failures(checker, sentence) == []


def test_an_echo_of_the_instructions_is_removed(checker: Checker) -> None:
    echo = "Put words you take from a provision in quotation marks, copied exactly [1]."
    assert "repeats the instructions" in failures(checker, echo)
    # Seven words in a row are not an echo: the threshold is LEAK_WORDS (8).
    assert failures(checker, "Use only the supplied provisions, as Article 99 does [1].") == []


def test_every_reason_is_given_at_once(checker: Checker) -> None:
    reasons = failures(checker, "Fines of EUR 1 000 apply from 1 May 2030 [1][8].")
    assert [r.split(":")[0] for r in reasons] == [
        "cites a provision that was not supplied",
        "states a date that the provisions it cites do not",
        "states an amount that the provisions it cites do not",
    ]


def test_sentences_are_checked_as_they_stream_in_pieces(checker: Checker) -> None:
    text = "The AI Act applies from 2 August 2026 [2]. Fines reach EUR 99 [1]. Reports take 15 days [3]."
    pieces = [text[i : i + 5] for i in range(0, len(text), 5)]
    verdicts = list(checker.stream(iter(pieces)))
    assert [v.text for v in verdicts] == [
        "The AI Act applies from 2 August 2026.",
        "Fines reach EUR 99.",
        "Reports take 15 days.",
    ]
    assert [v.passed for v in verdicts] == [True, False, True]


def test_a_sentence_is_complete_only_once_the_next_has_begun() -> None:
    done, rest = split_sentences("Providers shall act [1]. Deployers")
    assert (done, rest) == (["Providers shall act [1]."], "Deployers")
    assert split_sentences("Providers shall act [1].") == ([], "Providers shall act [1].")
    assert sentences_of("Providers shall act [1][2]. “Deployers” too [3].\nA new line [1]") == [
        "Providers shall act [1][2].",
        "“Deployers” too [3].",
        "A new line [1]",
    ]


def test_markers_written_before_their_sentences_stay_with_them() -> None:
    out = sentences_of("[1] First claim here. [2] Second claim.")
    assert len(out) == 2
    assert all(re.sub(r"\[\d+\]", "", s).strip() for s in out), f"a sentence of markers only: {out}"
    assert out[0].startswith("[1] First claim here.") and out[1].endswith("Second claim.")


def test_normalise_folds_quote_marks_dashes_and_spaces() -> None:
    assert normalise("“a”  ‘b’ —\n c – d") == "\"a\" 'b' - c - d"

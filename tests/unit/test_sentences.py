"""The one sentence splitter (kb/sentences.py): generated answers with their markers, the acts'
provisions, and questions."""

from __future__ import annotations

from kb.sentences import sentences_of, split_sentences


def test_a_leading_marker_starts_its_sentence() -> None:
    # The known hole: this gave ['[1]', 'First claim here. [2]', 'Second claim.'].
    assert sentences_of("[1] First claim here. [2] Second claim.") == [
        "[1] First claim here.",
        "[2] Second claim.",
    ]


def test_a_marker_before_or_against_the_full_stop_closes_its_sentence() -> None:
    assert sentences_of("First claim here [1]. Second claim [2].") == [
        "First claim here [1].",
        "Second claim [2].",
    ]
    assert sentences_of("First.[1] Second.[2]") == ["First.[1]", "Second.[2]"]
    assert sentences_of("First claim. [1] Second claim. [2]") == ["First claim. [1]", "Second claim. [2]"]


def test_markers_alone_are_no_sentence() -> None:
    assert sentences_of("[1]") == []
    assert sentences_of("A claim.\n[1]\nAnother claim [2].") == ["A claim.\n[1]", "Another claim [2]."]
    assert sentences_of("A claim. [1] [2]") == ["A claim. [1] [2]"]


def test_abbreviations_and_capitals() -> None:
    assert sentences_of("See cf. Article 5 of it [1]. Done [2].") == [
        "See cf. Article 5 of it [1].",
        "Done [2].",
    ]
    # A sentence ending in a numeral or an abbreviation in capitals ends there.
    assert sentences_of("It is listed in Annex III. The rule applies [1].") == [
        "It is listed in Annex III.",
        "The rule applies [1].",
    ]


def test_the_acts_clauses() -> None:
    text = "Member States shall ensure compliance; (a) the first; Providers shall inform customers."
    assert sentences_of(text) == [text]
    assert sentences_of(text, clauses=True) == [
        "Member States shall ensure compliance;",
        "(a) the first;",
        "Providers shall inform customers.",
    ]


def test_a_streamed_text_gives_each_sentence_once_its_markers_are_known() -> None:
    def stream(text: str) -> tuple[list[str], str]:
        buffer, out = "", []
        for char in text:
            buffer += char
            done, buffer = split_sentences(buffer)
            out += done
        return out, buffer

    assert stream("[1] First claim here. [2] Second claim.\n[3] Third.") == (
        ["[1] First claim here.", "[2] Second claim."],
        "[3] Third.",
    )
    assert stream("Claim one.\n[1]\nClaim two [2]. Claim three. [3] Four.") == (
        ["Claim one.\n[1]", "Claim two [2].", "Claim three. [3]"],
        "Four.",
    )

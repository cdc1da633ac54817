"""Questions about when a rule applies, told apart from other uses of "when"."""

from __future__ import annotations

from kb.query import Lexicon, read


def asks_when(question: str) -> bool:
    return read(question, Lexicon({})).asks_when


def asks_when_applies(question: str) -> bool:
    return read(question, Lexicon({})).asks_when_applies


def test_when_questions() -> None:
    assert asks_when("When does the Data Act apply?")
    assert asks_when("From when do the prohibitions apply?")
    assert asks_when("By what date must providers comply?")
    assert not asks_when("Must a deployer inform workers when it uses a high-risk system?")


def test_the_strict_reading_asks_when_rules_apply() -> None:
    assert asks_when_applies("When does the Data Act apply?")
    assert asks_when_applies("When will the prohibitions enter into force?")
    assert asks_when("How long must logs be kept?")
    assert not asks_when_applies("How long must logs be kept?")

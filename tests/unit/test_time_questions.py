"""Questions about when a rule applies, told apart from other uses of "when"."""

from __future__ import annotations

from kb.search.hybrid import asks_when


def test_when_questions() -> None:
    assert asks_when("When does the Data Act apply?")
    assert asks_when("From when do the prohibitions apply?")
    assert asks_when("By what date must providers comply?")
    assert not asks_when("Must a deployer inform workers when it uses a high-risk system?")

"""Instruments outside the knowledge base, recognised as such, with their EUR-Lex links."""

from __future__ import annotations

import pytest

from kb.grammar import find_instruments
from kb.instruments import eli_url

CORPUS = {"ai act": "ai-act", "2024/1689": "ai-act", "data act": "data-act", "2023/2854": "data-act"}


@pytest.mark.parametrize(
    ("query", "name", "url"),
    [
        (
            "What does Article 3 of Regulation (EU) 2022/1925 say?",
            "Regulation (EU) 2022/1925 (Digital Markets Act)",
            "https://eur-lex.europa.eu/eli/reg/2022/1925/oj",
        ),
        (
            "Directive (EU) 2019/1937 on whistleblowers",
            "Directive (EU) 2019/1937 (Whistleblower Protection Directive)",
            "https://eur-lex.europa.eu/eli/dir/2019/1937/oj",
        ),
        (
            "Art. 30 GDPR records",
            "GDPR (General Data Protection Regulation)",
            "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        ),
        ("Under NIS2, how fast?", "NIS2 Directive", "https://eur-lex.europa.eu/eli/dir/2022/2555/oj"),
        (
            "DORA Art. 19",
            "DORA (Digital Operational Resilience Act)",
            "https://eur-lex.europa.eu/eli/reg/2022/2554/oj",
        ),
        ("CRA Art. 14", "CRA (Cyber Resilience Act)", "https://eur-lex.europa.eu/eli/reg/2024/2847/oj"),
        ("DMA gatekeepers", "DMA (Digital Markets Act)", "https://eur-lex.europa.eu/eli/reg/2022/1925/oj"),
        ("DSA Art. 34", "DSA (Digital Services Act)", "https://eur-lex.europa.eu/eli/reg/2022/2065/oj"),
        ("§ 26 BDSG employee data", "BDSG (a national law)", None),
        ("the Colorado AI Act", "Colorado AI Act", None),
    ],
)
def test_other_instruments(query: str, name: str, url: str | None) -> None:
    (found,) = find_instruments(query, CORPUS)
    assert (found.name, found.url) == (name, url)
    assert query[found.start : found.end] == found.text


def test_acts_in_the_corpus_are_not_outside() -> None:
    assert find_instruments("Regulation (EU) 2024/1689 Article 5 and the Data Act", CORPUS) == []
    # Once the GDPR is added, it is in the knowledge base.
    assert find_instruments("Art. 30 GDPR", {**CORPUS, "gdpr": "gdpr", "2016/679": "gdpr"}) == []
    # "Art. 6 § 2" is a paragraph, not a statute.
    assert find_instruments("Art. 6 § 2 AI Act", CORPUS) == []
    assert find_instruments("the dma in lower case is a word", CORPUS) == []


def test_eli_links() -> None:
    assert eli_url("Directive", "95/46") == "https://eur-lex.europa.eu/eli/dir/1995/46/oj"
    (reach,) = find_instruments("Regulation (EC) No 1907/2006 (REACH)", CORPUS)
    assert reach.url == "https://eur-lex.europa.eu/eli/reg/2006/1907/oj"
    assert eli_url("Regulation", "2016/679") == "https://eur-lex.europa.eu/eli/reg/2016/679/oj"

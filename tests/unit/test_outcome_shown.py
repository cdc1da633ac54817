"""An answer in part is shown the same way by Slack, MCP and the command line: the line
`Answer.outcome_line()` first, then the answer; a declined one labels its nearest provisions."""

from __future__ import annotations

import json

from api.errors import EXIT_ABSTAINED, EXIT_IN_PART, MAPPING
from api.mcp_text import answer_text
from api.slack.blocks import answer_blocks
from kb.results import Answer, Sentence
from tests.unit.test_answer import hit

ART_70 = "1. Each Member State shall establish or designate as national competent authorities …"
LINE = "Answered in part. The AI Act leaves part of this to the Member States (Article 70(1))."


def in_part() -> Answer:
    lead = "The AI Act leaves this to the Member States (Article 70(1)): “…”"
    return Answer(
        question="Which authority has Portugal designated?",
        answer=f"{lead} [1]",
        sentences=[Sentence(text=lead, citation=1, quotes=[ART_70], lead=True)],
        citations=[hit("AI Act, Article 70(1)", ART_70)],
        abstained=False,
        reason=LINE.removeprefix("Answered in part. "),
        outcome="in_part",
        versions=[],
    )


def test_the_outcome_line() -> None:
    assert in_part().outcome_line() == LINE
    declined = in_part().model_copy(update={"outcome": "declined", "abstained": True})
    assert declined.outcome_line() == "Not answered by the acts."
    assert in_part().model_copy(update={"outcome": "answered"}).outcome_line() is None


def test_slack_and_mcp_lead_with_it() -> None:
    blocks = answer_blocks(in_part())
    assert LINE in json.dumps(blocks[1], ensure_ascii=False)
    assert answer_text(in_part()).startswith(LINE + "\n\n")


def test_the_exit_code_of_an_answer_in_part_is_its_own() -> None:
    codes = {m.exit_code for _, m in MAPPING} | {EXIT_ABSTAINED, 0}
    assert EXIT_IN_PART not in codes


def test_slack_shows_a_translated_answer_with_its_markers_and_the_english_as_checked() -> None:
    english = "Article 70(1) has each Member State designate national competent authorities."
    german = "Nach Artikel 70(1) benennt jeder Mitgliedstaat zuständige nationale Behörden."
    answer = in_part().model_copy(
        update={
            "outcome": "answered",
            "reason": None,
            "answer": f"{german} [1]",
            "sentences": [Sentence(text=german, citation=1, english=english)],
            "answer_mode": "generated",
            "model": "standin-1",
            "answer_translated_by": "qwen2.5-coder-0.5b-instruct",
            "language": "de",
            "notices": ["Die Antwort wurde auf Englisch geschrieben und an den Bestimmungen geprüft, …"],
        }
    )
    texts = [json.dumps(b, ensure_ascii=False) for b in answer_blocks(answer)]
    assert any(f"{german} *[1]*" in t for t in texts)
    assert any("machine-translated by qwen2.5-coder-0.5b-instruct" in t for t in texts)
    assert any(f"In English, as checked:* {english} [1]" in t for t in texts)
    assert any("Die Antwort wurde auf Englisch geschrieben" in t for t in texts)

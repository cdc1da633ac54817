"""The evaluation's arithmetic: hit@k, MRR@10, all-gold for multi items, abstention rates."""

from __future__ import annotations

from kb.evaluate import Gold, Item, Outcome, evaluate

ITEMS = [
    Item(id="1", question="q1", kind="paraphrase", gold=[Gold(doc="a", unit="art_1")]),
    Item(id="2", question="q2", kind="paraphrase", gold=[Gold(doc="a", unit="art_2")]),
    Item(
        id="3", question="q3", kind="multi", gold=[Gold(doc="a", unit="art_3"), Gold(doc="a", unit="anx_I")]
    ),
    Item(id="4", question="q4", kind="abstain", gold=[]),
    Item(id="5", question="q5", kind="abstain", gold=[]),
]
RUNS = {
    "q1": Outcome(units=[("a", "art_1"), ("a", "art_9")], declined=False, chars_top5=100),
    "q2": Outcome(units=[("a", "art_9"), ("a", "art_8"), ("a", "art_2")], declined=True, chars_top5=200),
    "q3": Outcome(units=[("a", "anx_I"), ("a", "art_3")], declined=False, chars_top5=300),
    "q4": Outcome(units=[], declined=True, chars_top5=0),
    "q5": Outcome(units=[("a", "art_1")], declined=False, chars_top5=50),
}


def test_scores() -> None:
    report = evaluate("test", ITEMS, lambda q, _version: RUNS[q])
    assert report.overall["n"] == 3
    assert report.overall["hit@1"] == round(2 / 3, 3)
    assert report.overall["hit@3"] == 1.0
    assert report.overall["mrr@10"] == round((1 + 1 / 3 + 1) / 3, 3)
    assert report.overall["all_gold@10"] == 1.0
    assert report.overall["chars_top5"] == 200
    assert report.by_kind["paraphrase"]["hit@1"] == 0.5
    assert report.abstention["declined"] == 1 and report.abstention["decline_rate"] == 0.5
    assert report.abstention["false_decline_rate"] == round(1 / 3, 3)
    assert report.abstention["precision"] == 0.5

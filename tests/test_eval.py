"""`kb eval` on the development set, beside the naive pipeline, through the real CLI; and the
questions about the 2026 amendments, on the law in force."""

from __future__ import annotations

import json
from pathlib import Path

from kb.config import Settings
from tests.helpers import kb, settings_env

ROOT = Path(__file__).resolve().parent.parent


def test_kb_eval_scores_regkb_and_the_naive_pipeline(index_settings: Settings, mirror: Path) -> None:
    dev = mirror.parent / "eval" / "dev.jsonl"
    # The set's gold provisions and its abstain items are those of the texts as published.
    args = ("eval", str(dev), "--json", "--version", "original")
    result = kb(*args, env=settings_env(index_settings), timeout=900)
    assert result.returncode == 0, result.stderr
    regkb, hybrid, naive = json.loads(result.stdout)
    assert (regkb["system"], hybrid["system"], naive["system"]) == ("regkb", "structured hybrid", "naive")
    assert regkb["questions"] == "dev.jsonl"
    assert regkb["overall"]["n"] == 105 and regkb["abstention"]["abstain_items"] == 15
    print("regkb", regkb["overall"], regkb["abstention"])
    print("naive", naive["overall"])
    print("structured hybrid", hybrid["overall"])
    # Better than both baselines on the first citations, and than the naive pipeline on every figure.
    for metric in ("hit@1", "mrr@10"):
        assert regkb["overall"][metric] > hybrid["overall"][metric], metric
    for metric in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "all_gold@10"):
        assert regkb["overall"][metric] > naive["overall"][metric], metric
    assert regkb["overall"]["chars_top5"] < naive["overall"]["chars_top5"]
    # The targets on this set.
    assert regkb["overall"]["hit@5"] >= 0.85 and regkb["overall"]["hit@1"] >= 0.60
    assert regkb["overall"]["mrr@10"] >= 0.70
    assert regkb["by_kind"]["reference"]["hit@1"] == 1.0
    assert regkb["by_kind"]["definition"]["hit@1"] >= 0.9
    assert regkb["abstention"]["decline_rate"] >= 0.8
    assert regkb["abstention"]["false_decline_rate"] <= 0.05


def test_questions_on_the_amended_law_are_answered_from_it(index_settings: Settings) -> None:
    questions = ROOT / "bench" / "questions" / "amended.jsonl"
    env = settings_env(index_settings)
    current = json.loads(kb("eval", str(questions), "--json", "--version", "current", env=env).stdout)
    original = json.loads(kb("eval", str(questions), "--json", "--no-baselines", env=env).stdout)
    regkb, naive = current[0]["overall"], current[2]["overall"]
    print("amended: regkb", regkb, "naive", naive, "regkb on the original text", original[0]["overall"])
    assert regkb["n"] == 16
    assert regkb["hit@5"] >= 0.9 and regkb["hit@1"] >= 0.7 and regkb["mrr@10"] > naive["mrr@10"]
    # The same questions against the 2024 text miss what only the amendments say.
    assert original[0]["overall"]["hit@5"] < regkb["hit@5"] - 0.2

"""`kb eval` on the development set, beside the naive pipeline, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from kb.config import Settings
from tests.helpers import kb, settings_env


def test_kb_eval_scores_regkb_and_the_naive_pipeline(index_settings: Settings, mirror: Path) -> None:
    dev = mirror.parent / "eval" / "dev.jsonl"
    result = kb("eval", str(dev), "--json", env=settings_env(index_settings), timeout=900)
    assert result.returncode == 0, result.stderr
    regkb, naive = json.loads(result.stdout)
    assert (regkb["system"], naive["system"]) == ("regkb", "naive")
    assert regkb["overall"]["n"] == 105 and regkb["abstention"]["abstain_items"] == 15
    print("regkb", regkb["overall"], regkb["abstention"])
    print("naive", naive["overall"])
    # Better than the naive pipeline on every figure, with less to read.
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

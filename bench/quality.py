"""Retrieval quality: regkb beside the naive pipeline, in one run, on the development set and on
the questions about the 2026 amendments.

The development set's gold provisions are those of the acts as published in 2024, so it is
scored on that text (`--version original`), and also on the law in force, where the
amendments moved some answers (Article 10(5) is now Article 4a, for one). The amendments set
is scored on the law in force. Writes bench/results/quality.json.

    python -m bench.quality
"""

from __future__ import annotations

from pathlib import Path

from bench.common import DEV, write
from kb.baselines import NaivePipeline
from kb.evaluate import Report, evaluate, load, regkb_system
from kb.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent

FIGURES = ("hit@1", "hit@5", "mrr@10", "all_gold@10", "chars_top5")


def compare(kb: KnowledgeBase, path: Path, version: str) -> dict[str, object]:
    items = load(path)
    ours = evaluate("regkb", items, regkb_system(kb), version)
    naive = evaluate("naive", items, NaivePipeline(kb).system(), version)
    _print(f"{path.name}, version {version}", ours, naive)
    return {"set": path.name, "version": version, "regkb": ours.model_dump(), "naive": naive.model_dump()}


def _print(title: str, ours: Report, naive: Report) -> None:
    print(f"\n{title} ({ours.overall['n']} answerable questions)")
    print(f"  {'figure':<14}{'regkb':>10}{'naive':>10}{'ratio':>8}")
    for figure in FIGURES:
        a, b = ours.overall.get(figure), naive.overall.get(figure)
        if a is None or b is None:
            continue
        ratio = f"{a / b:.2f}" if b else "-"
        print(f"  {figure:<14}{a:>10}{b:>10}{ratio:>8}")
    if ours.abstention.get("abstain_items"):
        a, b = ours.abstention, naive.abstention
        print(
            f"  {'declined':<14}{a['declined']:>7}/{a['abstain_items']}"
            f"{b['declined']:>7}/{b['abstain_items']}"
        )
        print(f"  {'false declines':<14}{a['false_decline_rate']:>10}{b['false_decline_rate']:>10}")


def main() -> None:
    kb = KnowledgeBase.open()
    runs = []
    if DEV.is_file():
        runs.append(compare(kb, DEV, "original"))
        runs.append(compare(kb, DEV, "current"))
    runs.append(compare(kb, ROOT / "bench" / "questions" / "amended.jsonl", "current"))
    write("quality", {"model": kb.manifest.model.name, "runs": runs})


if __name__ == "__main__":
    main()

"""Ablation of the ranking: every rule switched off in turn, scored on each question set and
pooled, so that a rule is kept only where it pays on all of them. Writes
bench/results/ablation.json; docs/ranking.md holds the table of the last run.

    python -m bench.ablation [--set FILE ...]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from bench.common import ROOT, write
from kb.evaluate import evaluate, load, regkb_system
from kb.knowledge import KnowledgeBase
from kb.search import Rules

EVAL = ROOT.parent / "shared" / "eval"
SETS = [EVAL / "dev.jsonl", EVAL / "field.jsonl", ROOT / "bench" / "questions" / "own.jsonl"]
FIGURES = ("hit@1", "hit@5", "mrr@10")


def variants() -> dict[str, Rules]:
    """All rules, then each rule off (a weight at 0, a switch False)."""
    full = Rules()
    out = {"all rules": full}
    for f in dataclasses.fields(Rules):
        if f.name in ("dense",):
            continue
        off = False if isinstance(getattr(full, f.name), bool) else 0.0
        out[f"without {f.name}"] = dataclasses.replace(full, **{f.name: off})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", type=Path, action="append", help="Question sets (default: dev, field, own).")
    parser.add_argument("--only", action="append", help="Run only these variants.")
    args = parser.parse_args()
    sets = {p.name: load(p) for p in (args.set or SETS) if p.is_file()}
    sets["pooled"] = [i for items in list(sets.values()) for i in items]
    base = KnowledgeBase.open()
    rows = []
    print(f"{'variant':<28}" + "".join(f"{name[:14]:>24}" for name in sets))
    print(f"{'':<28}" + "".join(f"{'  '.join(f[:5] for f in FIGURES):>24}" for _ in sets))
    for name, rules in variants().items():
        if args.only and name not in args.only:
            continue
        kb = KnowledgeBase(base.files, base.embedder, base.default_version, rules)
        system = regkb_system(kb)
        row: dict[str, object] = {"variant": name}
        cells = []
        for set_name, items in sets.items():
            report = evaluate(name, items, system, "original", questions=set_name)
            row[set_name] = {f: report.overall[f] for f in FIGURES} | {
                "declined": report.abstention["declined"],
                "false_decline_rate": report.abstention["false_decline_rate"],
            }
            cells.append("  ".join(f"{report.overall[f]:.3f}" for f in FIGURES))
        rows.append(row)
        print(f"{name:<28}" + "".join(f"{c:>24}" for c in cells), flush=True)
    write("ablation", {"model": base.manifest.model.name, "rows": rows})


if __name__ == "__main__":
    main()

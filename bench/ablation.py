"""Ablation of the ranking: each rule switched off in turn (or, for a rule that replaced an older
one, the older one back), scored on every question set, so that a rule is kept only where it
pays on all of them. The 2024-based sets are scored on the text as first published, items
marked amended and the amendments set on the law in force. Writes bench/results/ablation.json;
docs/ranking.md holds the table of the last run.

    python -m bench.ablation [--set FILE ...] [--only VARIANT ...]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from bench.common import EVAL, QUESTIONS, write
from kb.evaluate import evaluate, load, regkb_system
from kb.knowledge import KnowledgeBase
from kb.search import Rules

# (file, version its gold comes from)
SETS = [
    (EVAL / "dev.jsonl", "original"),
    (EVAL / "field.jsonl", "original"),
    (QUESTIONS / "own.jsonl", "original"),
    (QUESTIONS / "amended.jsonl", "current"),
]
FIGURES = ("hit@1", "hit@5", "mrr@10")


def variants() -> dict[str, Rules]:
    """The rules as shipped, then each one off."""
    full = Rules()
    off = {
        "keyword ranking": {"keyword": 0.0},
        "titles ranking": {"titles": 0.0},
        "recitals lend to articles": {"recital_lend": 0.0},
        "time questions": {"when": 0.0},
        "time questions read strictly": {"when_strict": False},
        "amending act only when asked": {"amending": 1.0, "instructions": 0.5},
        "act routing": {"route_share": 1.1},
        "act prior": {"act_prior": 0.0},
        "named act focus": {"named_act_focus": False},
        "definitions first": {"definitions": False},
        "named provision as context": {"context_margin": 1.0},
    }
    out = {"all rules": full}
    for name, changes in off.items():
        out[f"without {name}"] = dataclasses.replace(full, **changes)  # type: ignore[arg-type]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--set", type=Path, action="append", help="Question sets, scored on the original text."
    )
    parser.add_argument("--only", action="append", help="Run only these variants.")
    args = parser.parse_args()
    chosen = [(p, "original") for p in args.set] if args.set else SETS
    sets = {p.name: (load(p), version) for p, version in chosen if p.is_file()}
    base = KnowledgeBase.open()
    rows = []
    header = "".join(f"{name.removesuffix('.jsonl')[:20]:>22}" for name in sets)
    print(f"{'variant':<44}{header}\n{'':<44}" + f"{'hit@1 hit@5 MRR':>22}" * len(sets))
    for name, rules in variants().items():
        if args.only and name not in args.only:
            continue
        kb = KnowledgeBase(base.files, base.embedder, base.default_version, rules)
        system = regkb_system(kb)
        row: dict[str, object] = {"variant": name}
        cells = []
        for set_name, (items, version) in sets.items():
            report = evaluate(name, items, system, version, questions=set_name)
            row[set_name] = {f: report.overall[f] for f in FIGURES} | {
                "declined": report.abstention["declined"],
                "false_decline_rate": report.abstention["false_decline_rate"],
            }
            cells.append(" ".join(f"{report.overall[f]:.3f}" for f in FIGURES))
        rows.append(row)
        print(f"{name:<44}" + "".join(f"{c:>22}" for c in cells), flush=True)
    write("ablation", {"model": base.manifest.model.name, "rows": rows})


if __name__ == "__main__":
    main()

"""Breadth: what adding acts to the index does to the questions on the acts already there.

Scores every question set on two indexes, the corpus alone and the corpus with other acts added
(`kb ingest --source`), under the rules as shipped and variants of them, by set and by kind;
`--losses` lists, for each question whose gold ranks lower with the added acts, the acts of the
passages ranked above it and whether act routing fired. Writes bench/results/breadth.json;
docs/ranking.md holds the table of the last run.

    python -m bench.breadth --two CORPUS_INDEX --five INDEX_WITH_3_MORE_ACTS [--only VARIANT] [--losses]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from bench.common import EVAL, QUESTIONS, write
from kb.evaluate import Item, evaluate, load, regkb_system
from kb.knowledge import KnowledgeBase
from kb.search import Rules

# (file, version its gold comes from, whether the two-act index can answer it)
SETS = [
    (EVAL / "dev.jsonl", "original"),
    (EVAL / "field.jsonl", "original"),
    (QUESTIONS / "own.jsonl", "original"),
    (QUESTIONS / "amended.jsonl", "current"),
    (QUESTIONS / "added_acts.jsonl", "original"),
    (QUESTIONS / "new.jsonl", "original"),  # report only: never tuned on
]
FIGURES = ("hit@1", "hit@5", "mrr@10")
# The acts of the corpus: a question of the added-acts set whose gold is elsewhere is asked of the
# two-act index too (its cross items), the others only of the index that holds their act.
CORPUS_ACTS = {"ai-act", "data-act", "ai-act-amendment-2026-1744"}


def variants() -> dict[str, Rules]:
    """The rules as shipped, and the act prior off or at other weights."""
    full = Rules()
    changes: dict[str, dict[str, object]] = {
        "without the act prior": {"act_prior": 0.0},
        "with keywords by act": {"keyword_by_act": True},
        "defined terms not counted": {"act_defined": 0.0},
        "act prior 0.5": {"act_prior": 0.5},
        "act prior 1": {"act_prior": 1.0},
        "act floor 0.3": {"act_floor": 0.3},
        "without act routing": {"route_share": 1.1},
    }
    out = {"all rules": full}
    for name, change in changes.items():
        fields = {f.name for f in dataclasses.fields(Rules)}
        if set(change) <= fields:
            out[name] = dataclasses.replace(full, **change)  # type: ignore[arg-type]
    return out


def _answerable_on(items: list[Item], acts: set[str]) -> list[Item]:
    return [i for i in items if all(g.doc in acts for g in i.gold)]


def _losses(two: KnowledgeBase, five: KnowledgeBase, items: list[Item], version: str) -> list[dict]:
    """Questions whose first gold ranks lower on `five` than on `two`: what ranks above it."""
    out = []
    for item in items:
        gold = {(g.doc, g.unit) for g in item.gold}
        ranks = []
        for base in (two, five):
            hits = base.search(item.question, k=10, version="current" if item.amended else version).hits
            units = [(h.doc, h.unit) for h in hits]
            ranks.append((next((i for i, u in enumerate(units) if u in gold), 10), units))
        (r2, _), (r5, units5) = ranks
        if r5 <= r2:
            continue
        out.append(
            {
                "id": item.id,
                "kind": item.kind,
                "rank_two": r2 + 1 if r2 < 10 else None,
                "rank_five": r5 + 1 if r5 < 10 else None,
                "above": [f"{d}/{u}" for d, u in units5[: min(r5, 5)]],
                "routed": [_routed(b, item, version) for b in (two, five)],
            }
        )
    return out


def _routed(base: KnowledgeBase, item: Item, version: str) -> str | None:
    """The act that act routing lets lead for this question, if any."""
    view = base.view("current" if item.amended else version)
    query = base._read(item.question, view)
    ranker = view.searcher.ranker
    vector = base.embedder.encode([query.searched])[0]
    allowed = ranker._allowed(None, None)
    _, order = ranker._dense(vector, allowed)
    keyword = ranker._keyword(query.terms, allowed)
    return ranker._leading_act(order[:10], keyword[:10])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--two", type=Path, required=True, help="The index of the corpus alone.")
    parser.add_argument("--five", type=Path, required=True, help="The same with the other acts added.")
    parser.add_argument("--only", action="append", help="Run only these variants.")
    parser.add_argument("--losses", action="store_true", help="List the questions the added acts cost.")
    parser.add_argument("--out", default="breadth", help="Name of the results file.")
    args = parser.parse_args()
    sets = {p.name.removesuffix(".jsonl"): (load(p), v) for p, v in SETS if p.is_file()}
    bases = {"two": KnowledgeBase.open(args.two), "five": KnowledgeBase.open(args.five)}
    held = {name: {a.id for a in b.acts} for name, b in bases.items()}
    rows: list[dict] = []
    print(f"{'variant':<36}{'index':<6}" + "".join(f"{s[:12]:>21}" for s in sets))
    for name, rules in variants().items():
        if args.only and name not in args.only:
            continue
        for index, base in bases.items():
            kb = KnowledgeBase(base.files, base.embedder, base.default_version, rules)
            system = regkb_system(kb)
            row: dict[str, object] = {"variant": name, "index": index}
            cells = []
            for set_name, (items, version) in sets.items():
                chosen = _answerable_on(items, held[index])
                report = evaluate(name, chosen, system, version, questions=set_name)
                row[set_name] = {"overall": report.overall, "by_kind": report.by_kind}
                figures = " ".join(f"{report.overall[f]:.3f}" for f in FIGURES)
                cells.append(f"{figures} {report.overall['n']}")
            rows.append(row)
            print(f"{name:<36}{index:<6}" + "".join(f"{c:>21}" for c in cells), flush=True)
    result: dict[str, object] = {"model": bases["two"].manifest.model.name, "rows": rows}
    if args.losses:
        losses = {}
        for set_name, (items, version) in sets.items():
            chosen = _answerable_on(items, held["two"])
            losses[set_name] = _losses(bases["two"], bases["five"], chosen, version)
            for loss in losses[set_name]:
                print(set_name, loss)
        result["losses"] = losses
        above = [a.split("/")[0] for ls in losses.values() for loss in ls for a in loss["above"]]
        print("acts ranked above the gold:", dict(zip(*np.unique(above, return_counts=True), strict=True)))
    write(args.out, result)


if __name__ == "__main__":
    main()

"""Ablation of the encoder's adaptation to the acts (kb/adapt/, docs/ranking.md "Adaptation"):
the ranking as shipped, with the views' ranking, with the adapter, each on its own and together,
on every question set: the calibration sets (dev, field, own, amended), edge's answerable items,
and new.jsonl, reported only (never tuned on). Per set and per kind of question. Writes
bench/results/adaptation.json.

    python -m bench.adaptation [--only VARIANT ...] [--set NAME ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

from bench.ablation import EVAL, FIGURES, QUESTIONS
from bench.common import RESULTS, all_units, write
from kb import adapt
from kb.adapt import adapter
from kb.config import settings
from kb.embed_cache import EmbeddingCache
from kb.evaluate import evaluate, load, regkb_system
from kb.knowledge import KnowledgeBase
from kb.search import Rules

# (name, file, version its gold comes from); new is reported only.
SETS = [
    ("dev", EVAL / "dev.jsonl", "original"),
    ("field", EVAL / "field.jsonl", "original"),
    ("own", QUESTIONS / "own.jsonl", "original"),
    ("amended", QUESTIONS / "amended.jsonl", "current"),
    ("edge", QUESTIONS / "edge.jsonl", "original"),
    ("new", QUESTIONS / "new.jsonl", "original"),
]


def variants() -> dict[str, tuple[Rules, dict[str, object]]]:
    """name -> (rules, how the adaptation is rebuilt: adapter kinds, regularisation)."""
    base = Rules(views=0.0, adapter=False)
    out: dict[str, tuple[Rules, dict[str, object]]] = {"shipped before": (base, {})}
    for w in (0.25, 0.5, 1.0):
        out[f"views {w}"] = (dataclasses.replace(base, views=w), {})
    out["views 0.5 citing only"] = (dataclasses.replace(base, views=0.5, view_kinds=("citing",)), {})
    out["views 0.5 recital only"] = (dataclasses.replace(base, views=0.5, view_kinds=("recital",)), {})
    for reg in (0.3, 1.0, 3.0):
        out[f"adapter reg {reg}"] = (dataclasses.replace(base, adapter=True), {"reg": reg})
    for share in (0.5,):
        out[f"adapter reg 1.0 share {share}"] = (
            dataclasses.replace(base, adapter=True, adapter_share=share),
            {"reg": 1.0},
        )
        out[f"adapter title share {share}"] = (
            dataclasses.replace(base, adapter=True, adapter_share=share),
            {"kinds": ("title",)},
        )
    for kinds in (("citing", "recital"), ("title",), ("definition",), ("citing",)):
        out[f"adapter {'+'.join(kinds)}"] = (dataclasses.replace(base, adapter=True), {"kinds": kinds})
    return out


def rebuild(kb: KnowledgeBase, how: dict[str, object]) -> None:
    """The index's adaptation rebuilt in memory with other adapter kinds or regularisation."""
    files = kb.files
    units = all_units(files)
    with files.db() as con:
        keys = [(r[0], r[1]) for r in con.execute("SELECT doc, unit FROM passages ORDER BY id")]
    saved = (adapt.ADAPTER_KINDS, adapter.REGULARISATION)
    adapt.ADAPTER_KINDS = tuple(how.get("kinds", saved[0]))  # type: ignore[arg-type]
    adapter.REGULARISATION = float(how.get("reg", saved[1]))  # type: ignore[arg-type]
    try:
        started = time.perf_counter()
        cache = EmbeddingCache(settings().embed_cache, kb.embedder)
        files._adaptation = adapt.build(  # type: ignore[attr-defined]
            units,
            lambda texts: cache.encode(texts).vectors,
            files.all_vectors(),
            keys,
            settings().embed_cache / "adapters",
        )
        cache.close()
        print(f"  adaptation rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        adapt.ADAPTER_KINDS, adapter.REGULARISATION = saved


def tables(rows: list[dict[str, object]]) -> str:
    """The last run as docs/ranking.md's tables: per set, then per kind of question pooled over
    the calibration sets (dev, field, own, amended)."""

    def cell(s: dict[str, float | int]) -> str:
        return " / ".join(f"{s[f]:.3f}" for f in FIGURES)

    names = [n for n, _p, _v in SETS]
    out = ["| variant | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for r in rows:
        out.append(f"| {r['variant']} | " + " | ".join(cell(r[n]["overall"]) for n in names if n in r) + " |")  # type: ignore[index]
    kinds = sorted({k for r in rows for n in names[:4] if n in r for k in r[n]["by_kind"]})  # type: ignore[index]
    out += ["", "| variant | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 1) + "|"]
    for r in rows:
        cells = []
        for kind in kinds:
            parts = [r[n]["by_kind"][kind] for n in names[:4] if n in r and kind in r[n]["by_kind"]]  # type: ignore[index]
            n = sum(p["n"] for p in parts)
            pooled = {f: sum(p[f] * p["n"] for p in parts) / n for f in FIGURES}
            cells.append(f"{cell(pooled)} ({n})")
        out.append(f"| {r['variant']} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", help="Run only these variants.")
    parser.add_argument("--set", action="append", help="Only these sets (dev, field, ...).")
    parser.add_argument("--table", action="store_true", help="Print the last run's tables.")
    args = parser.parse_args()
    if args.table:
        print(tables(json.loads((RESULTS / "adaptation.json").read_text())["rows"]))
        return
    sets = {n: (load(p), v) for n, p, v in SETS if not args.set or n in args.set}
    base = KnowledgeBase.open()
    out_path = RESULTS / "adaptation.json"
    rows = json.loads(out_path.read_text())["rows"] if out_path.is_file() else []
    print(f"{'variant':<30}" + "".join(f"{n:>20}" for n in sets))
    for name, (rules, how) in variants().items():
        if args.only and name not in args.only:
            continue
        if how:
            rebuild(base, how)
        elif hasattr(base.files, "_adaptation"):
            del base.files._adaptation  # type: ignore[attr-defined]  # the index's own
        kb = KnowledgeBase(base.files, base.embedder, base.default_version, rules)
        row: dict[str, object] = {"variant": name}
        cells = []
        for set_name, (items, version) in sets.items():
            report = evaluate(name, items, regkb_system(kb), version, questions=set_name)
            row[set_name] = {"overall": report.overall, "by_kind": report.by_kind}
            cells.append(" ".join(f"{report.overall[f]:.3f}" for f in FIGURES))
        rows = [r for r in rows if r["variant"] != name] + [row]
        print(f"{name:<30}" + "".join(f"{c:>20}" for c in cells), flush=True)
        write("adaptation", {"model": base.manifest.model.name, "rows": rows})


if __name__ == "__main__":
    main()

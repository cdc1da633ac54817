"""The abstention curve (issue 27): for each similarity floor, with and without reading what the
question asks for, how many out-of-scope questions are declined or answered in part, and how
many answerable ones are declined.

bench/questions/edge.jsonl is split by a fixed rule: odd ids calibrate (the rules and the depth of
kb/abstain.py were chosen looking at them), even ids report (never tuned on). Each question is
retrieved once; the verdict is recomputed for each floor. "asks off" judges the same hits with
`Query.asks_for` emptied: the decision before issue 27.

    python -m bench.abstention_curve [SET.jsonl ...]   # writes bench/results/abstention_curve.json
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from bench.common import DEV, RESULTS, ROOT
from kb.abstain import MIN_SIMILARITY, judge
from kb.evaluate import Item, load
from kb.knowledge import KnowledgeBase

# The floors tried: around the one in use (0.33, chosen on dev) in steps of about 0.03.
FLOORS = (0.25, 0.30, 0.33, 0.36, 0.40, 0.45)
SETS = (
    DEV,
    DEV.parent / "field.jsonl",
    ROOT / "bench" / "questions" / "own.jsonl",
    ROOT / "bench" / "questions" / "edge.jsonl",
)


def halves(path: Path, items: list[Item]) -> dict[str, list[Item]]:
    """edge.jsonl as its calibration (odd ids) and report (even ids) halves; any other set whole."""
    if path.name != "edge.jsonl":
        return {path.stem: items}
    odd = [i for i in items if int(i.id.rsplit("-", 1)[1]) % 2]
    return {"edge-odd (calibration)": odd, "edge-even (report)": [i for i in items if i not in odd]}


def curve(kb: KnowledgeBase, items: list[Item]) -> list[dict[str, object]]:
    """One row per (asks on/off, floor): declined and in-part counts per kind of item."""
    retrieved = []
    for item in items:
        r = kb.retrieve(item.question, k=10, version="current" if item.amended else "original")
        retrieved.append((item, r))
    rows = []
    for asks in (True, False):
        for floor in FLOORS:
            row: dict[str, object] = {"asks": asks, "floor": floor}
            counts = {"abstain": [0, 0, 0], "partial": [0, 0, 0], "answerable": [0, 0, 0]}
            for item, r in retrieved:
                query = r.query if asks else dataclasses.replace(r.query, asks_for={})
                verdict = judge(query, r.result, floor)
                kind = item.kind if item.kind in ("abstain", "partial") else "answerable"
                c = counts[kind]
                c[0] += 1
                c[1] += verdict.outcome == "declined"
                c[2] += verdict.outcome == "in_part"
            for kind, (n, declined, in_part) in counts.items():
                if n:
                    row[kind] = {"n": n, "declined": declined, "in_part": in_part}
            rows.append(row)
    return rows


def main(paths: list[Path]) -> None:
    kb = KnowledgeBase.open()
    out: dict[str, object] = {"floor_in_use": MIN_SIMILARITY, "sets": {}}
    for path in paths:
        for name, items in halves(path, load(path)).items():
            out["sets"][name] = curve(kb, items)  # type: ignore[index]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "abstention_curve.json").write_text(json.dumps(out, indent=2) + "\n")
    for name, rows in out["sets"].items():  # type: ignore[union-attr]
        print(f"\n{name}")
        for row in rows:
            parts = [f"asks {'on ' if row['asks'] else 'off'} floor {row['floor']:.2f}"]
            for kind in ("abstain", "partial", "answerable"):
                if kind in row:
                    c = row[kind]
                    parts.append(f"{kind} {c['n']}: declined {c['declined']}, in part {c['in_part']}")
            print("  " + " | ".join(parts))


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or list(SETS))

"""Obligations scored against a gold list: recall and precision per (doc, role, system), the
applies-from dates in both versions, and the p50 of GET /v1/obligations.

    python -m bench.obligations [--gold FILE] [--index DIR] [--no-route]

The gold (one JSON object a line: id, doc, role, system, must[{unit, pinpoint, applies_from
{original, current}}]) is written by someone who has not seen the code. A gold item is found
when an obligation of the same doc and unit has a pinpoint equal to or under the gold's ("16"
covers "16(a)"). Precision is counted on the obligations returned for the entry: at unit level
(their distinct units that the gold lists) and at pinpoint level (those equal to or under a gold
pinpoint). Dates: for each found gold item, the date of the obligation that matched it, in the
current and the original text (the gold's `current_literal` is accepted too, see its README).
Writes bench/results/obligations.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import machine, write
from kb.config import settings
from kb.errors import BadQuery
from kb.index import IndexFiles
from kb.obligations.lookup import find
from kb.obligations.store import load

# Written without sight of the code (bench/questions/obligations.md says how).
GOLD = Path(__file__).resolve().parent / "questions" / "obligations.jsonl"
# The gold names two kinds the acts do not define: what they are in the acts' own terms (an
# obligation about AI systems in general; Art. 50's systems are AI systems of given functions).
KINDS = {"any AI system": "AI system", "AI system subject to transparency obligations": "AI system"}


def under(pinpoint: str, gold: str | None) -> bool:
    """Whether `pinpoint` is `gold` or a part of it: "16(a)" is under "16"; "26(10)" is not under "26(1)"."""
    return gold is None or pinpoint == gold or pinpoint.startswith(gold + "(")


def _date(item: dict[str, Any], system: str | None) -> str | None:
    """The obligation's applies-from date for the gold's system (the annex it names)."""
    dates = item["applies_from"]
    if system and "Annex" in system:
        dates = [a for a in dates if not a["scope"] or a["scope"].endswith(system.split("(")[-1])] or dates
    return dates[0]["date"] if dates else None


def broader(entry: dict[str, Any], entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The gold's `must` items of the same act and role about a broader kind than the entry's: every
    AI system (and Art. 50's functions, which a high-risk system may have), no kind named, and the
    general-purpose AI model for one with systemic risk; every kind where the entry names none
    (what the role must do whatever it is about). regkb lists those with the narrower kind
    (a deployer of a high-risk system keeps Art. 4 and 5); the gold files them apart, so precision
    is reported both ways."""
    kinds = {"any AI system", "AI system subject to transparency obligations", None}
    if "systemic risk" in (entry["system"] or ""):
        kinds.add("general-purpose AI model")
    if "AI model" in (entry["system"] or ""):
        kinds -= {"AI system subject to transparency obligations"}  # a model is no AI system
    return [
        m
        for e in entries
        if e is not entry
        and e["doc"] == entry["doc"]
        and e["role"] == entry["role"]
        and (e["system"] in kinds or entry["system"] is None)  # no kind asked: every kind's
        for m in e["must"]
    ]


def score_entry(
    entry: dict[str, Any],
    items: list,  # type: ignore[type-arg]
    acts: list,  # type: ignore[type-arg]
    wider: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Recall, precision and dates for one gold entry (`wider`: the role's items of broader kinds)."""
    system = KINDS.get(entry["system"], entry["system"])
    got: dict[str, list[dict[str, Any]]] = {}
    error = ""
    for version in ("current", "original"):
        try:
            got[version] = find(items, acts, entry["doc"], entry["role"], system, version)
        except BadQuery as exc:
            got[version], error = [], str(exc)
    must = [m for m in entry["must"] if m["applies_from"].get("current")]
    found, dates_right, dates_total, missed = 0, 0, 0, []
    for m in must:
        hits = {
            v: [i for i in got[v] if i["unit"] == m["unit"] and under(i["pinpoint"], m["pinpoint"])]
            for v in got
        }
        if not hits["current"]:
            missed.append(m["pinpoint"] or m["unit"])
            continue
        found += 1
        for version in ("current", "original"):
            want = m["applies_from"].get(version)
            if want is None or not hits[version]:
                continue
            accepted = {want, m["applies_from"].get(f"{version}_literal")}
            dates_total += 1
            dates_right += _date(hits[version][0], entry["system"]) in accepted
    returned = got["current"]
    gold_units = {m["unit"] for m in must}
    units = {i["unit"] for i in returned}
    pin_ok = [
        i
        for i in returned
        if any(i["unit"] == m["unit"] and under(i["pinpoint"], m["pinpoint"]) for m in must)
    ]
    layered = [
        i
        for i in returned
        if any(i["unit"] == m["unit"] and under(i["pinpoint"], m["pinpoint"]) for m in must + (wider or []))
    ]
    return {
        "id": entry["id"],
        "doc": entry["doc"],
        "role": entry["role"],
        "system": entry["system"],
        "must": len(must),
        "found": found,
        "recall": round(found / len(must), 3) if must else None,
        "returned": len(returned),
        "precision_unit": round(len(units & gold_units) / len(units), 3) if units else None,
        "precision_pinpoint": round(len(pin_ok) / len(returned), 3) if returned else None,
        "precision_layered": round(len(layered) / len(returned), 3) if returned else None,
        "dates_right": dates_right,
        "dates_total": dates_total,
        "missed": missed,
        "error": error,
    }


def route_p50(index: Path, runs: int = 50) -> dict[str, float]:
    """p50 and p95 (ms) of GET /v1/obligations through the app in-process (ASGI), warm, beside
    the p50 of GET /healthz in the same run (the floor: the app's middleware on this machine
    now) and of the look-up alone (kb/obligations/lookup.py `find`)."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    config = settings().model_copy(update={"index_dir": index})
    params = {"doc": "ai-act", "role": "deployer", "system": "high-risk (Annex III)"}
    took = []
    # The request log's lines to a console cost more than the look-up: not what is measured.
    logging.disable(logging.INFO)
    with TestClient(create_app(config)) as client:
        for _ in range(600):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.2)
        client.get("/v1/obligations", params=params)
        floor = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get("/v1/obligations", params=params)
            took.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.get("/healthz")
            floor.append((time.perf_counter() - started) * 1000)
    logging.disable(logging.NOTSET)
    files = IndexFiles(index)
    items = load(files)
    lookup = []
    for _ in range(runs):
        started = time.perf_counter()
        find(items, files.manifest.acts, "ai-act", "deployer", "high-risk (Annex III)")
        lookup.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {
        "p50_ms": round(statistics.median(took), 2),
        "p95_ms": round(took[int(len(took) * 0.95) - 1], 2),
        "healthz_p50_ms": round(statistics.median(floor), 2),
        "lookup_p50_ms": round(statistics.median(lookup), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--index", type=Path, default=None, help="The index (default KB_INDEX_DIR)")
    parser.add_argument("--no-route", action="store_true", help="Skip timing the HTTP route")
    args = parser.parse_args()
    if not args.gold.is_file():
        raise SystemExit(f"No gold file at {args.gold}: give one with --gold.")
    index = args.index or settings().index_dir
    files = IndexFiles(index)
    items = load(files)
    entries = [
        json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    held = {a.id for a in files.manifest.acts}
    rows = [
        score_entry(e, items, files.manifest.acts, broader(e, entries)) for e in entries if e["doc"] in held
    ]
    must = sum(r["must"] for r in rows)
    found = sum(r["found"] for r in rows)
    returned = sum(r["returned"] for r in rows)
    summary: dict[str, Any] = {
        "entries": len(rows),
        "skipped_acts_not_held": sorted({e["doc"] for e in entries} - held),
        "must": must,
        "found": found,
        "recall": round(found / must, 3) if must else None,
        "precision_unit_macro": _mean(r["precision_unit"] for r in rows),
        "precision_pinpoint_micro": round(
            sum((r["precision_pinpoint"] or 0) * r["returned"] for r in rows) / returned, 3
        )
        if returned
        else None,
        "precision_layered_micro": round(
            sum((r["precision_layered"] or 0) * r["returned"] for r in rows) / returned, 3
        )
        if returned
        else None,
        "dates_right": sum(r["dates_right"] for r in rows),
        "dates_total": sum(r["dates_total"] for r in rows),
    }
    if not args.no_route:
        summary["route"] = route_p50(index)
    path = write("obligations", {"machine": machine(), "summary": summary, "entries": rows})
    for r in rows:
        head = f"{r['id']} {r['doc']:8} {r['role'][:32]:32} {str(r['system'])[:28]:28}"
        scores = f"recall {r['found']:>3}/{r['must']:<3} P(unit) {r['precision_unit']}"
        scores += f" P(pin) {r['precision_pinpoint']} P(layered) {r['precision_layered']}"
        dates = f"dates {r['dates_right']}/{r['dates_total']}"
        print(f"{head} {scores} {dates}" + (f"  [{r['error'][:60]}]" if r["error"] else ""))
    print(json.dumps(summary, indent=2))
    print(f"written to {path}")


def _mean(values: Any) -> float | None:
    got = [v for v in values if v is not None]
    return round(sum(got) / len(got), 3) if got else None


if __name__ == "__main__":
    main()

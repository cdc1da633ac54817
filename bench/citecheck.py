"""The citation check measured on a labelled set of claims (bench/questions/claims.jsonl, written
without sight of the checker): how many wrong claims it flags, how many right ones it flags
wrongly, how often it suggests the provision that does say it, and how long a text takes; then
each rule switched off in turn (the ablation). Writes bench/results/citecheck.json.

    python -m bench.citecheck [--set FILE] [--only VARIANT ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.common import ROOT, percentiles, write
from kb.citecheck.checker import check_citations
from kb.citecheck.support import CheckRules
from kb.knowledge import KnowledgeBase

CLAIMS = ROOT / "bench" / "questions" / "claims.jsonl"


def variants() -> dict[str, CheckRules]:
    """The rules as shipped, then each one off, then the meaning thresholds moved."""
    full = CheckRules()
    changes: dict[str, dict[str, object]] = {
        "no figures": {"figures": False},
        "no modality": {"modality": False},
        "no roles": {"roles": False},
        "rank 1": {"rank": 1},
        "rank 5": {"rank": 5},
        "similar 0.55": {"similar": 0.55},
        "similar 0.70": {"similar": 0.70},
        "unrelated 0.45": {"unrelated": 0.45},
        "unrelated 0.25": {"unrelated": 0.25},
    }
    return {"as shipped": full} | {name: dataclasses.replace(full, **c) for name, c in changes.items()}  # type: ignore[arg-type]


def score(kb: KnowledgeBase, items: list[dict], rules: CheckRules) -> dict[str, object]:
    """Figures of one variant. Items are judged on the version their label is for (the law in
    force; "original-only" items on both, by their own labels)."""
    by_error: dict[str, Counter[str]] = defaultdict(Counter)
    flagged_wrong = flagged_right = wrong = right = suggested = suggestable = 0
    refuted = unsure_right = 0
    missing_found = missing = 0
    ms: list[float] = []
    for item in items:
        for version, label, status in _cases(item):
            started = time.perf_counter()
            report = check_citations(kb, item["text"], None, version, rules)
            ms.append((time.perf_counter() - started) * 1000)
            mine = [
                c
                for c in report.citations
                if item["citation"] in c.reference or c.reference in item["citation"]
            ]
            c = mine[0] if mine else None
            verdict = c.verdict if c else "missed"
            by_error[item["error"] + ("" if version == "current" else " (original)")][verdict] += 1
            if status == "not_found":
                missing += 1
                missing_found += bool(c and c.status == "not_found")
            if label == "supported":
                right += 1
                flagged_right += verdict == "not_supported"
                unsure_right += verdict == "unverified"
            else:
                wrong += 1
                flagged_wrong += verdict in ("not_supported", "unverified") or bool(
                    c and c.status == "not_found"
                )
                refuted += verdict == "not_supported"
                gold = {(g["doc"], g["unit"]) for g in item["gold"]}
                cited = item.get("cited") or {}
                gold.discard((cited.get("doc"), cited.get("unit")))
                if gold and c is not None:
                    suggestable += 1
                    suggested += bool(gold & {(s.doc, s.unit) for s in c.suggestions})
    return {
        "wrong claims flagged": round(flagged_wrong / max(wrong, 1), 3),
        "wrong claims not_supported": round(refuted / max(wrong, 1), 3),
        "right claims flagged not_supported": round(flagged_right / max(right, 1), 3),
        "right claims unverified": round(unsure_right / max(right, 1), 3),
        "non-existent found": f"{missing_found}/{missing}",
        "right provision suggested": round(suggested / max(suggestable, 1), 3),
        "n": {"wrong": wrong, "right": right, "suggestable": suggestable},
        "by error": {k: dict(v) for k, v in sorted(by_error.items())},
        "ms per text": percentiles(ms),
    }


def page_speed(kb: KnowledgeBase, items: list[dict], repeats: int = 5) -> dict[str, object]:
    """A page of about 3,000 characters holding ten citations (the set's first ten claims that
    resolve, one after the other), checked whole `repeats` times after one warm-up: ms each."""
    claims = [i["text"] for i in items if i["status"] == "resolved"][:10]
    page = " ".join(claims)
    check_citations(kb, page)
    ms = []
    for _ in range(repeats):
        started = time.perf_counter()
        report = check_citations(kb, page)
        ms.append((time.perf_counter() - started) * 1000)
    return {"chars": len(page), "citations": len(report.citations), "ms": percentiles(ms)}


def _cases(item: dict) -> list[tuple[str, str, str]]:
    """(version, label, status) to judge an item on: the law in force, and for items whose label
    differs as first published, the original text as well."""
    cases = [("current", item["label"], item["status"])]
    if "label_original" in item:
        cases.append(("original", item["label_original"], item.get("status_original", item["status"])))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=CLAIMS)
    parser.add_argument("--only", nargs="*", help="Variants to run (default: all)")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.set.read_text().splitlines() if line.strip()]
    kb = KnowledgeBase.open()
    results = {}
    for name, rules in variants().items():
        if args.only and name not in args.only:
            continue
        results[name] = figures = score(kb, items, rules)
        print(
            f"{name:22} flagged wrong {figures['wrong claims flagged']:.3f}  "
            f"(refuted {figures['wrong claims not_supported']:.3f})  "
            f"right flagged {figures['right claims flagged not_supported']:.3f}  "
            f"(unverified {figures['right claims unverified']:.3f})  "
            f"non-existent {figures['non-existent found']}\n{'':22} "
            f"suggested {figures['right provision suggested']:.3f}  "
            f"p50 {figures['ms per text']['p50']} ms"  # type: ignore[index]
        )
        if name == "as shipped":
            for error, counts in figures["by error"].items():  # type: ignore[union-attr]
                print(f"    {error:28} {dict(counts)}")
    speed = page_speed(kb, items)
    print(f"a page of {speed['chars']} characters, {speed['citations']} citations: {speed['ms']} ms")
    write("citecheck", {"set": str(args.set.name), "variants": results, "page": speed})


if __name__ == "__main__":
    main()

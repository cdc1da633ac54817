"""The checker (kb/check.py) measured on sentences real models wrote, each labelled supported or
not by a person reading it against the provisions it cites, apart from the checker's code.

For each labelled sentence the checker gets the sources as the model got them (marker, label,
text) and the sentence as written, markers included; a sentence it passes is "kept". Per half
of the set ("calibrate": the checker's thresholds may be tuned on it; "report": never looked at
while tuning) and per error kind it prints:
- the share of kept sentences that are not supported (target ≤ 2 %), with how many;
- the share of supported sentences kept (target ≥ 80 %);
- for each kind of error the share of its sentences removed; "inverted law" is the union of
  inverted, negation, role and number, the sentences that say the law the wrong way round.

    python -m bench.checker_eval [--labels bench/questions/llm_labels.jsonl] [--show]

Writes bench/results/checker_eval.json. Labels: one JSON object a line with "sentence",
"sources": [{"marker", "label", "text", …}], "label": "supported" | "not_supported", "error",
"half" (bench/checker_eval.py reads nothing else).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from bench.common import write
from kb.check import Checker, Source
from kb.generate import INSTRUCTIONS

# Written apart from the checker's code (bench/questions/llm_labels.md says how).
LABELS = Path(__file__).resolve().parent / "questions" / "llm_labels.jsonl"
INVERTED = ("inverted", "negation", "role", "number")


def verdicts(items: list[dict]) -> list[tuple[dict, bool, list[str]]]:
    """(item, kept, the checker's reasons) for every labelled sentence."""
    out = []
    for item in items:
        sources = [
            Source(int(s["marker"]), s.get("label") or f"{s.get('doc')} {s.get('unit')}", s["text"])
            for s in item["sources"]
        ]
        verdict = Checker(sources, INSTRUCTIONS).check(item["sentence"])
        out.append((item, verdict.passed, verdict.failures))
    return out


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(rows: list[tuple[dict, bool, list[str]]]) -> dict[str, object]:
    """The measures of one half: kept-but-unsupported share, supported-kept share, per error kind."""
    kept = [r for r in rows if r[1]]
    supported = [r for r in rows if r[0]["label"] == "supported"]
    kinds: dict[str, list[bool]] = defaultdict(list)
    for item, passed, _ in rows:
        if item["label"] == "not_supported":
            kinds[item.get("error") or "other"].append(passed)
            if item.get("error") in INVERTED:
                kinds["inverted law (all four)"].append(passed)
    return {
        "sentences": len(rows),
        "supported": len(supported),
        "not_supported": len(rows) - len(supported),
        "kept": len(kept),
        "kept_not_supported": sum(r[0]["label"] == "not_supported" for r in kept),
        "kept_not_supported_share": _share(sum(r[0]["label"] == "not_supported" for r in kept), len(kept)),
        "supported_kept_share": _share(sum(r[1] for r in supported), len(supported)),
        "removed_by_error": {
            k: {"n": len(v), "removed": v.count(False), "share": _share(v.count(False), len(v))}
            for k, v in sorted(kinds.items())
        },
    }


def _print(name: str, f: dict) -> None:
    print(
        f"{name}: {f['sentences']} sentences ({f['supported']} supported); kept {f['kept']}, of which "
        f"not supported {f['kept_not_supported']} ({_pct(f['kept_not_supported_share'])}, target ≤ 2 %); "
        f"supported kept {_pct(f['supported_kept_share'])} (target ≥ 80 %)"
    )
    for kind, v in f["removed_by_error"].items():  # type: ignore[attr-defined]
        print(f"    {kind:<24} removed {v['removed']:>3} of {v['n']:>3} ({_pct(v['share'])})")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--show", action="store_true", help="print every wrong verdict with its reasons")
    parser.add_argument("--name", default="checker_eval", help="the results file's name")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.labels.read_text().splitlines() if line.strip()]
    rows = verdicts(items)
    report: dict[str, object] = {"labels": str(args.labels)}
    for half in ("calibrate", "report", None):
        chosen = [r for r in rows if half is None or r[0].get("half") == half]
        if chosen:
            report[half or "all"] = figures(chosen)
            _print(half or "all", report[half or "all"])  # type: ignore[arg-type]
    if args.show:
        for item, passed, reasons in rows:
            if passed != (item["label"] == "supported"):
                state = "KEPT, not supported" if passed else "REMOVED, supported"
                print(f"\n{state} [{item.get('half')}/{item.get('error')}] {item['sentence']}")
                print("   checker: " + "; ".join(reasons) if reasons else "")
                print(f"   label: {item.get('why', '')}")
    write(args.name, report)


if __name__ == "__main__":
    main()

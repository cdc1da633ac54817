"""The point an extractive answer leads with, against the gold pinpoint (docs/ranking.md, "The
point an answer leads with"): with and without scoring a list's points by the words that tell them
apart (kb/answer.py `DISTINCTIVE`), in one run, on the index in KB_INDEX_DIR.

Counted: questions whose gold names a paragraph or point and whose first hit is a gold unit (so the
retrieval is right and the choice inside the provision is what is measured), and of those, how
many answers lead with the gold pinpoint or a point inside it. Writes
bench/results/answer_points.json.

    python -m bench.answer_points
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.common import EVAL, QUESTIONS, write
from kb import answer
from kb.config import settings
from kb.knowledge import KnowledgeBase
from kb.results import Hit

# The sets with pinpoints, and the version of the acts their gold is in (None: the law in force).
SETS: dict[str, tuple[Path, str | None]] = {
    "dev": (EVAL / "dev.jsonl", "original"),
    "field": (EVAL / "field.jsonl", "original"),
    "own": (QUESTIONS / "own.jsonl", "original"),
    "amended": (QUESTIONS / "amended.jsonl", None),
    "new": (QUESTIONS / "new.jsonl", "original"),
    "edge": (QUESTIONS / "edge.jsonl", "original"),
}
_BASE = re.compile(r"^[0-9A-Z]+[a-z]?")
_PARAGRAPH = re.compile(r"^[0-9A-Z]+[a-z]?(\(\d+\))")


def led_with(hit: Hit, piece: answer._Piece) -> str:
    """The pinpoint of the piece an answer leads with: "5(1)(f)" for point (f) of a hit on
    Article 5(1)(d) to (f), "3(39)" for a definition, "25(4)" for a paragraph's sentence."""
    pin = hit.pinpoint or ""
    found = _BASE.match(pin)
    base = found.group(0) if found else pin
    if re.fullmatch(r"\(\d+\)", piece.point) and not piece.paragraph:
        return base + piece.point  # a numbered point: a definition
    if piece.paragraph:
        return f"{base}({piece.paragraph}){piece.point}"
    if not piece.point:
        return pin
    paragraph = _PARAGRAPH.match(pin)
    return base + (paragraph.group(1) if paragraph else "") + piece.point


def score(kb: KnowledgeBase, path: Path, version: str | None) -> dict[str, int]:
    """How many answers lead with a gold pinpoint, with DISTINCTIVE off and on."""
    counts = {"counted": 0, "before": 0, "distinctive": 0}
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line) if line.strip() else None
        golds = [g for g in (item or {}).get("gold", []) if "(" in (g.get("pinpoint") or "")]
        if not item or not golds:
            continue
        found = kb.retrieve(item["question"], k=5, version=version)
        hits = found.result.hits
        if (
            found.verdict.abstain
            or not hits
            or (hits[0].doc, hits[0].unit) not in {(g["doc"], g["unit"]) for g in golds}
        ):
            continue
        counts["counted"] += 1
        for name, flag in (("before", False), ("distinctive", True)):
            answer.DISTINCTIVE = flag
            chosen = answer.choose(found.query, hits, kb.embedder)
            pin = led_with(hits[0], chosen[0]) if chosen and chosen[0].citation == 0 else ""
            counts[name] += any(pin == g["pinpoint"] or pin.startswith(g["pinpoint"] + "(") for g in golds)
    answer.DISTINCTIVE = True
    return counts


def main() -> None:
    kb = KnowledgeBase.from_settings(settings())
    results = {}
    for name, (path, version) in SETS.items():
        if path.is_file():
            results[name] = counts = score(kb, path, version)
            n = counts["counted"] or 1
            before, after = counts["before"] / n, counts["distinctive"] / n
            print(f"{name:8} {counts['counted']:3}  before {before:.3f}  distinctive {after:.3f}")
    write("answer_points", results)


if __name__ == "__main__":
    main()

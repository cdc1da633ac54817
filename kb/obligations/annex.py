"""Which point of AI Act Annex III a question's system may fall under: the question matched
against the annex's points with the knowledge base's own model (all-MiniLM-L6-v2).

Each point is embedded as its clauses ("to analyse and filter job applications"), since a
question names one use, not the point's whole list; a point scores its best clause. A point is
a candidate when it scores at least FLOOR, at least MARGIN above the annex's own lead-in (the
question is about a use, not about high-risk systems in general: "what must we do if we deploy
an AI system?" names none) and within WINDOW of the best; at most MAX_POINTS. The constants were
set by hand on eight questions (docs/obligations.md), not validated on a held-out set.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

import numpy as np

from kb.document import Block, Unit

if TYPE_CHECKING:
    from kb.embed import Embedder
    from kb.query import Query

FLOOR = 0.30
MARGIN = 0.15
WINDOW = 0.10
MAX_POINTS = 3
_CLAUSE = re.compile(r",\s*|;\s*|\bin particular\b|\band\b(?=\s+to\b)")
_CACHE: dict[tuple[str, int], tuple[list[str], np.ndarray, np.ndarray]] = {}
_LOCK = threading.Lock()


def _points(unit: Unit) -> list[tuple[str, str]]:
    """(pinpoint, clause) for every clause of every innermost point: ("III(4)(a)", "to analyse
    and filter job applications"), with the area's own heading as a clause of its points."""
    out: list[tuple[str, str]] = []

    def walk(block: Block, trail: list[Block]) -> None:
        path = [*trail, block]
        if block.kind == "point" and not block.children:
            pin = unit.num + "".join(f"({b.num})" for b in path if b.kind == "point" and b.num)
            out.extend((pin, c.strip()) for c in _CLAUSE.split(block.text) if len(c.split()) >= 2)
            if trail and trail[-1].kind == "point":
                out.append((pin, trail[-1].text))
        for child in block.children:
            walk(child, path)

    for block in unit.blocks:
        walk(block, [])
    return out


def candidates(query: Query, unit: Unit, embedder: Embedder) -> list[tuple[str, float]]:
    """The points of `unit` (Annex III) the question's system may fall under, best first, with
    their cosine similarity; [] when none stands out."""
    key = (unit.id, id(unit))
    with _LOCK:
        if key not in _CACHE:
            points = _points(unit)
            lead = next((b.text for b in unit.blocks if b.kind == "text"), unit.title)
            vectors = embedder.encode([c for _, c in points] + [lead])
            _CACHE[key] = ([p for p, _ in points], vectors[:-1], vectors[-1])
        pins, vectors, lead_vector = _CACHE[key]
    asked = embedder.encode([query.searched])[0]
    scores = vectors @ asked
    best: dict[str, float] = {}
    for pin, score in zip(pins, scores, strict=True):
        best[pin] = max(best.get(pin, -1.0), float(score))
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    if not ranked:
        return []
    floor = max(FLOOR, float(lead_vector @ asked) + MARGIN, ranked[0][1] - WINDOW)
    return [(pin, round(score, 3)) for pin, score in ranked[:MAX_POINTS] if score >= floor]

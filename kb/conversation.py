"""A follow-up ("and for deployers?") is searched with the question it follows (kb/query.py
reads it so) and on its own, and the two rankings are interleaved."""

from __future__ import annotations

from kb.results import Hit


def interleave(first: list[Hit], second: list[Hit]) -> list[Hit]:
    """Hits of two rankings taken in turn, each unit once."""
    out: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for pair in zip(first, second, strict=False):
        for hit in pair:
            if (hit.doc, hit.unit) not in seen:
                seen.add((hit.doc, hit.unit))
                out.append(hit)
    longer = first if len(first) > len(second) else second
    out.extend(h for h in longer[min(len(first), len(second)) :] if (h.doc, h.unit) not in seen)
    return out

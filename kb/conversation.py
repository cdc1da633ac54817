"""A question read with the conversation it belongs to: a follow-up ("and for deployers?")
is searched with the question it follows, and the two rankings are interleaved."""

from __future__ import annotations

import re

from kb.results import Hit, Turn

_FOLLOW_UP = re.compile(
    r"^(and|also|but|what about|how about|then|so|for|same for|and what|what if)\b"
    r"|\b(that|this|those|these|it|they|them|such|there)\b",
    re.IGNORECASE,
)


def resolve_follow_up(question: str, history: list[Turn]) -> str:
    """Read a follow-up ("and for deployers?", "what are the fines for that?") together with
    the question it follows, so that retrieval knows what "that" is."""
    if not history:
        return question
    words = re.findall(r"[A-Za-z]+", question)
    if len(words) > 12 or not _FOLLOW_UP.search(question):
        return question
    return f"{history[-1].question.strip()} {question}"


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

"""The provisions a language model is given, trimmed to what the answer needs.

A small model on a CPU reads its prompt at ~43 tokens/s (Qwen2.5-Coder 1.5B, two threads): five
whole provisions (~2,500 tokens) kept the first sentence a minute away (issue #29). So the model
gets the first `MAX_PROVISIONS` provisions of the answer, each cut to its sentences (clauses, in
the acts' long lists) that share most words with the question, kept in their order, within
`PROVISION_CHARS` each and `CONTEXT_CHARS` in all. The checker holds every sentence to the same
trimmed text: a model is only ever judged on what it was shown.
"""

from __future__ import annotations

import re

from kb.sentences import spans_of

# Four provisions of 600 characters, 2,000 in all: on the first 20 answerable dev questions the
# user message falls from a median of 886 tokens (five provisions of up to 2,000 characters) to
# 512, and the gold provision is still supplied for 19 of 20 (as with five; with three, 16).
# 512 tokens are read in ~12 s at 43 tokens/s, which leaves the first sentence within 20 s on
# two threads (the rules are read once: llama.cpp keeps the prompt's common prefix).
MAX_PROVISIONS = 4
CONTEXT_CHARS = 2000
PROVISION_CHARS = 600
# The lead-in of a list ("It shall be prohibited to …") is what gives a point its meaning: kept,
# but cut at this length.
LEAD_CHARS = 300
_STEM = 5
_STOP = frozenset(
    {
        *("what", "which", "when", "where", "whom", "whose", "does", "that", "this", "these"),
        *("those", "with", "from", "have", "shall", "must", "their", "there", "under", "about"),
        *("into", "other", "such", "than", "them", "they", "will", "would", "could", "should"),
        *("can", "may"),
    }
)


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _STOP}


def trim(text: str, question: str, limit: int, quoted: list[str] | None = None) -> str:
    """The sentences (or clauses) of `text` most relevant to `question`, in their order, within
    `limit` characters. Relevant first: those holding words the extractive answer `quoted` from
    this provision (kb/answer.py chose them by meaning, with the embedding model), then those
    sharing most words with the question; the first sentence breaks ties, so a provision's
    opening is kept when nothing else tells. Whole text when it fits."""
    if len(text) <= limit:
        return text
    spans = spans_of(text, clauses=True)
    asked = _stems(question)
    # The parts of each quote ("…" skips words); a part of a few words would match any clause.
    quoted_parts = [f for q in quoted or [] for p in re.split(r"…|\.\.\.", q) if len(f := _fold(p)) > 20]

    def relevance(i: int) -> tuple[int, int, int]:
        clause = text[spans[i][0] : spans[i][1]]
        folded = _fold(clause)
        by_answer = any(p in folded or folded in p for p in quoted_parts)
        return (-by_answer, -len(asked & _stems(clause)), i)

    ranked = sorted(range(len(spans)), key=relevance)
    chosen: list[int] = []
    used = 0
    for i in ranked:
        size = spans[i][1] - spans[i][0] + 5
        if used + size <= limit:
            chosen.append(i)
            used += size
    if not chosen:  # one sentence longer than the limit: its opening words
        return text[:limit].rsplit(" ", 1)[0] + " …"
    chosen.sort()
    parts: list[str] = []
    for k, i in enumerate(chosen):
        if k and chosen[k - 1] != i - 1:
            parts.append("…")
        parts.append(text[spans[i][0] : spans[i][1]])
    if chosen[0] != 0:
        parts.insert(0, "…")
    return " ".join(parts)


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def budget(count: int) -> list[int]:
    """Characters each of `count` provisions may have: PROVISION_CHARS each, within CONTEXT_CHARS."""
    count = min(count, MAX_PROVISIONS)
    return [min(PROVISION_CHARS, CONTEXT_CHARS // max(count, 1))] * count

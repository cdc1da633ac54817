"""When the acts do not answer a question, say so instead of quoting something unrelated.

The corpus is legal text. It cannot answer questions about other laws (kb/instruments.py
recognises them), about what has
happened since (fines imposed, authorities named, market moves), or about provisions it
does not contain; and a question that nothing in it resembles is out of scope too.
Calibrated on ../shared/eval/dev.jsonl (see `kb eval`): the similarity floor sits below the
least similar answerable question, so it only declines questions that are clearly elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.results import SearchResult

# Questions about facts in the world rather than about what the law says.
WORLD_FACTS = re.compile(
    r"\b(so far|to date|have already|has already|have been (?:fined|named|designated|appointed)|"
    r"has been (?:fined|named|designated|appointed)|how much does .{0,60}\bcost|how many (?:companies|firms|"
    r"organisations|organizations|businesses) have|biggest fine|largest fine|in practice)\b",
    re.IGNORECASE,
)
MIN_SIMILARITY = 0.33


@dataclass(frozen=True)
class Verdict:
    abstain: bool
    reason: str | None = None


def judge(question: str, result: SearchResult) -> Verdict:
    """Whether to decline `question`, given what search found for it, and why."""
    has_pinned = any(h.match in ("reference", "definition") for h in result.hits)
    elsewhere = [o.name for o in result.outside if o.in_index]
    if elsewhere and not result.acts_named:
        # "What did the 2026 Omnibus change in Annex III?", asked of the text as first published.
        return Verdict(True, f"{' and '.join(elsewhere)} is not part of the version of the acts searched.")
    if result.missing and not has_pinned:
        return Verdict(True, " ".join(result.missing))
    if has_pinned:
        return Verdict(False)
    if result.outside and not result.acts_named:
        names = " and ".join(o.name for o in result.outside)
        return Verdict(True, f"The question is about {names}, which is not in this knowledge base.")
    if WORLD_FACTS.search(question):
        return Verdict(
            True,
            "The question asks about facts in the world (what has happened, who was named, what it "
            "costs), which the text of the acts cannot tell.",
        )
    if result.top_similarity < MIN_SIMILARITY:
        return Verdict(True, "Nothing in the acts comes close to this question.")
    return Verdict(False)

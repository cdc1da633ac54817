"""When the acts do not answer a question, say so instead of quoting something unrelated.

The corpus is legal text. It cannot answer questions about other laws (kb/instruments.py
recognises them), about what has
happened since (fines imposed, authorities named, market moves), or about provisions it
does not contain; and a question that nothing in it resembles is out of scope too.
Calibrated on ../shared/eval/dev.jsonl (see `kb eval`): the similarity floor sits below the
least similar answerable question, so it only declines questions that are clearly elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb import multilingual
from kb.query import Query
from kb.results import SearchResult

MIN_SIMILARITY = 0.33
# The same floor for a question matched with multilingual-e5-small (kb/search/crosslingual.py),
# whose cosines lie higher and closer together: below the least similar answerable question of
# dev (0.833, asked in English) and of its German, French and Italian translations (0.804,
# bench/questions/dev_translated.jsonl); `python -m bench.crosslingual` prints both.
MULTILINGUAL_MIN_SIMILARITY = 0.80


@dataclass(frozen=True)
class Verdict:
    abstain: bool
    reason: str | None = None


def judge(query: Query, result: SearchResult) -> Verdict:
    """Whether to decline `query`, given what search found for it, and why."""
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
    if query.asks_world_facts:
        return Verdict(
            True,
            "The question asks about facts in the world (what has happened, who was named, what it "
            "costs), which the text of the acts cannot tell.",
        )
    floor = MULTILINGUAL_MIN_SIMILARITY if result.encoder == multilingual.NAME else MIN_SIMILARITY
    if result.top_similarity < floor:
        return Verdict(True, "Nothing in the acts comes close to this question.")
    return Verdict(False)

"""When the acts do not answer a question, say so instead of quoting something unrelated; when they
answer it only in part, say who settles the rest.

Three outcomes (`Verdict.outcome`): "answered"; "in_part", when the question asks for what the acts
leave to others (a country's law or authority, a future act of the Commission, an instrument
still to be adopted, an event of record) and one of the best provisions found is the one that
leaves it (kb/delegation.py): the answer cites it and says so; "declined", when the question asks
for what the acts cannot hold (another field of law none of the provisions found mentions, an
event in the world with nothing delegated, a future plan, a corrigendum) or nothing comes close.
What the question asks for is read once, in kb/query.py (`Query.asks_for`); see docs/abstention.md.

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
from kb.delegation import COMMISSION, MEMBER_STATES, Delegation, leaves_to, mentions
from kb.query import Query
from kb.results import Hit, Outcome, SearchResult

MIN_SIMILARITY = 0.33
# How many of the best passages are read for a delegation or for the field of law asked about:
# the answer cites the top five (`kb ask` default k), so a provision beyond them is not shown.
# Chosen on the odd ids of bench/questions/edge.jsonl (docs/abstention.md).
DELEGATION_DEPTH = 5
# Who settles what each kind of question asks for.
LEFT_TO = {
    "national": (MEMBER_STATES,),
    "future": (COMMISSION,),
    "instrument": (COMMISSION,),
}
# The same floor for a question matched with multilingual-e5-small (kb/search/crosslingual.py),
# whose cosines lie higher and closer together: below the least similar answerable question of
# dev (0.833, asked in English) and of its German, French and Italian translations (0.804,
# bench/questions/dev_translated.jsonl); `python -m bench.crosslingual` prints both.
MULTILINGUAL_MIN_SIMILARITY = 0.80


@dataclass(frozen=True)
class Verdict:
    """Whether the acts answer a question. `abstain` is `outcome == "declined"`; `reason` says why
    it declines; for "in_part", `delegation` is the sentence that leaves the rest to others and
    `hit` the index (0-based, in the result's hits) of the provision it is in."""

    abstain: bool
    reason: str | None = None
    outcome: Outcome = "answered"
    delegation: Delegation | None = None
    hit: int | None = None


def _declined(reason: str) -> Verdict:
    return Verdict(True, reason, "declined")


def judge(query: Query, result: SearchResult, floor: float = MIN_SIMILARITY) -> Verdict:
    """Whether the acts answer `query` fully, in part or not at all, given what search found for
    it, and why. `floor` is the cosine similarity below which nothing comes close (bench/
    abstention_curve.py varies it)."""
    has_pinned = any(h.match in ("reference", "definition") for h in result.hits)
    elsewhere = [o.name for o in result.outside if o.in_index]
    if elsewhere and not result.acts_named:
        # "What did the 2026 Omnibus change in Annex III?", asked of the text as first published.
        return _declined(f"{' and '.join(elsewhere)} is not part of the version of the acts searched.")
    if result.missing and not has_pinned:
        return _declined(" ".join(result.missing))
    if has_pinned:
        return Verdict(False)
    if result.outside and not result.acts_named:
        names = " and ".join(o.name for o in result.outside)
        return _declined(f"The question is about {names}, which is not in this knowledge base.")
    verdict = _edge(query, result.hits[:DELEGATION_DEPTH])
    if verdict is not None and verdict.abstain:
        return verdict
    if result.encoder == multilingual.NAME:
        floor = MULTILINGUAL_MIN_SIMILARITY  # the multilingual encoder's cosines lie higher
    if result.top_similarity < floor:
        return _declined("Nothing in the acts comes close to this question.")
    return verdict or Verdict(False)


def _other_law(fields: tuple[str, ...], hits: list[Hit]) -> Verdict | None:
    """A question about another field of law: answered as usual where a provision found speaks of
    it (None); in part where one mentions it only to leave it to other law ("comply with Union
    law on copyright"); declined where none mentions it. Recitals explain, they do not govern: a
    recital that discusses the field does not count."""
    referral = None
    for i, hit in enumerate(hits):
        if hit.unit_kind == "recital":
            continue
        for field in fields:
            own, referred = mentions(hit.text, field)
            if own:
                return None
            if referred and referral is None:
                referral = Verdict(False, None, "in_part", referred, i)
    return referral or _declined(
        f"The question is about {', '.join(fields)}, a field of law these acts do not govern: none of "
        "the provisions found mentions it."
    )


def _edge(query: Query, hits: list[Hit]) -> Verdict | None:
    """The verdict on a question that asks for more than the acts' text, or None."""
    asks = query.asks_for
    if "corrigendum" in asks:
        return _declined(
            "The knowledge base holds the acts as published and as amended, not their corrigenda: "
            "check the corrigendum on EUR-Lex."
        )
    if fields := asks.get("other-law", ()):
        verdict = _other_law(tuple(dict.fromkeys(fields)), hits)
        if verdict is not None:
            return verdict
    world = "world" in asks or query.asks_world_facts
    for kind, to in LEFT_TO.items():
        # What happened in the world is answered in part only where it is a country's doing that
        # the acts leave to it ("has Austria designated its authority yet?"), not in general
        # ("how many companies have been fined so far?").
        if kind not in asks or (world and kind != "national"):
            continue
        for i, hit in enumerate(hits):
            found = next((d for d in (leaves_to(hit.text, t) for t in to) if d is not None), None)
            if found is not None:
                return Verdict(False, None, "in_part", found, i)
    if world:
        return _declined(
            "The question asks about facts in the world (what has happened, who was named, what it "
            "costs), which the text of the acts cannot tell."
        )
    if "future" in asks and not query.asks_when_applies:
        return _declined(
            "The question asks what an institution will do next, which the text of the acts cannot "
            "tell; none of the provisions found empowers it to."
        )
    return None

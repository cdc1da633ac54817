"""The extractive answer in each of the three outcomes kb/abstain.py decides: answered (the
provisions' own words, kb/answer.py), answered in part (a lead that says, in the product's words,
who the acts leave the rest to, citing the provision that does, then the provisions' own words),
and declined (why, and the nearest provisions labelled as not answering).

Every interface shows `Answer.outcome` the same way: API JSON, web page, Slack, `kb ask`'s exit
code (api/errors.py), MCP text. See docs/abstention.md.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from kb import messages
from kb.abstain import Verdict
from kb.answer import compose, render, renumber
from kb.delegation import MEMBER_STATES, OTHER_LAW
from kb.messages import localize
from kb.results import ActVersion, Answer, Sentence

if TYPE_CHECKING:
    from kb.embed import Embedder
    from kb.knowledge import Retrieval
    from kb.query import Query
    from kb.results import Hit

DECLINED = messages.DECLINED.en  # in German and French from kb/messages.py


def extractive(r: Retrieval, embedder: Embedder, versions: list[ActVersion]) -> Answer:
    """The answer to what `retrieve` found, in the provisions' own words, in its outcome;
    `versions` are those of the acts the hits cite."""
    hits, verdict = r.result.hits, r.verdict
    # Sources in the order the answer quotes them, numbered without gaps (kb/answer.py `renumber`).
    shown, hits = renumber(sentences(r.query, verdict, hits, embedder), hits)
    language = r.result.language
    return Answer(
        question=r.question,
        answer=localize(text(verdict, shown).strip(), language),
        sentences=shown,
        citations=hits,
        abstained=verdict.abstain,
        reason=localize(reason(verdict, hits) or "", language) or None,
        outcome=verdict.outcome,
        # "Cites …" names the versions of the sources; a declined answer cites nothing.
        versions=[] if verdict.abstain else versions,
        notices=r.result.notices,
        language=r.result.language,
        translation=r.result.translation,
        translated_by=r.result.translated_by,
        resolved_question=r.resolved if r.resolved != r.question else None,
        took_ms=round((time.perf_counter() - r.started) * 1000, 1),
    )


def sentences(query: Query, verdict: Verdict, hits: list[Hit], embedder: Embedder) -> list[Sentence]:
    """The answer's sentences for `verdict`: [] when it declines; for an answer in part, the lead
    on what is left to others, then the composed answer (kb/answer.py `compose`)."""
    if verdict.abstain:
        return []
    composed = compose(query, hits, embedder)
    if verdict.outcome != "in_part" or verdict.hit is None or verdict.delegation is None:
        return composed
    lead = in_part_lead(query, verdict, hits[verdict.hit])
    # The composed lead no longer leads: the answer starts with what the acts leave to others.
    rest = [s.model_copy(update={"lead": False}) for s in composed]
    return [lead, *rest]


def text(verdict: Verdict, shown: list[Sentence]) -> str:
    """The answer as text: the refusal for a declined question, else the sentences with markers."""
    if verdict.abstain:
        return DECLINED.format(reason=verdict.reason or "").replace("  ", " ")
    return render(shown)


def in_part_lead(query: Query, verdict: Verdict, hit: Hit) -> Sentence:
    """ "The AI Act leaves this to the Member States (Article 70(1)): “…”. Which body Austria
    designated is national law, which the acts do not hold." — citing `hit`, quoting the
    delegating sentence verbatim."""
    assert verdict.delegation is not None and verdict.hit is not None
    act, _, where = hit.label.partition(", ")
    quoted = verdict.delegation.sentence
    said = f"The {act} leaves this to {verdict.delegation.to} ({where or hit.label}): “{quoted}”"
    language = query.language.code if query.language else "en"
    return Sentence(
        text=f"{localize(said, language)} {localize(_not_held(query, verdict), language)}",
        citation=verdict.hit + 1,
        quotes=[quoted],
        lead=True,
    )


def reason(verdict: Verdict, hits: list[Hit]) -> str | None:
    """What `Answer.reason` says: why it declines, or for an answer in part what it leaves out."""
    if verdict.outcome != "in_part" or verdict.hit is None or verdict.delegation is None:
        return verdict.reason
    hit = hits[verdict.hit]
    act, _, where = hit.label.partition(", ")
    return f"The {act} leaves part of this to {verdict.delegation.to} ({where or hit.label})."


def _not_held(query: Query, verdict: Verdict) -> str:
    """What the answer cannot say, in the product's words."""
    assert verdict.delegation is not None
    if verdict.delegation.to == MEMBER_STATES:
        who = " and ".join(query.asks_for.get("place", ())) or "each Member State"
        return f"What {who} decided is national law, which this knowledge base does not hold."
    if verdict.delegation.to == OTHER_LAW:
        field = " and ".join(query.asks_for.get("other-law", ())) or "it"
        return f"What that law says on {field} is not in this knowledge base."
    return (
        "What the Commission has adopted under it since, or will adopt, is not in the text of the act "
        "and not in this knowledge base."
    )

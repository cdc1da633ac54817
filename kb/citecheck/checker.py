"""Check the citations in any text: does each cited provision exist, and does it say what the
sentence citing it claims?

`check_citations(kb, text)` finds every citation (`claims.find_citations`), resolves it in the
version asked (`resolved`, `not_found` with what the act has instead, `outside` with the act's
EUR-Lex link, `ambiguous` when several acts have it and the text names none), and judges its
claim (`support`): `supported` with the provision's words, `not_supported` with the provisions
that say it where search finds them, or `unverified` when the check cannot decide. A verdict
that differs in the act's other version (as first published / as amended) is noted.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.citecheck.claims import Citation, find_citations
from kb.citecheck.models import MAX_CHECK_CHARS, CheckReport, CitationCheck, CitedProvision
from kb.citecheck.support import (
    CheckRules,
    best_sentence,
    by_meaning,
    content_words,
    mechanical,
    roles_of,
)
from kb.document import Block, Unit
from kb.errors import BadQuery
from kb.query_refs import act_names, not_found
from kb.search.blocks import block_path, find_block
from kb.search.pinned import extent
from kb.versions import CURRENT, ORIGINAL

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase, View
    from kb.results import Hit


# Suggestions shown for a claim its citation does not support (the first hits of its search):
# three find the right provision for 13 of 19 wrong claims of the claims set, two for 10.
SUGGESTIONS = 3
# Hits searched for a claim: the cited span must be among them to count as matching (hit@10).
SEARCHED = 10
# Citations checked in one text: about 150 ms each on two busy cores (bench/citecheck.py), so a
# request stays under ~15 s however many citations the body limit lets through.
MAX_CITATIONS = 100
# Characters of a suggested provision shown (about three lines of the web page).
SUGGESTION_CHARS = 400


@dataclass
class _Outcome:
    status: str
    resolved: CitedProvision | None = None
    reason: str = ""
    verdict: str = "unverified"
    why: str = ""
    quote: str | None = None
    suggestions: list[CitedProvision] = field(default_factory=list)


def check_citations(
    kb: KnowledgeBase,
    text: str,
    docs: list[str] | None = None,
    version: str | None = None,
    rules: CheckRules | None = None,
) -> CheckReport:
    """Every citation of `text` checked against the acts `docs` (act ids, already checked; all
    when None) in `version` (current, original or YYYY-MM-DD). Raises BadQuery for an empty text.
    `KnowledgeBase.check_citations` is the entry point that checks its arguments."""
    started = time.perf_counter()
    if not text.strip():
        raise BadQuery("The text is empty: paste the paragraph whose citations to check.")
    if len(text) > MAX_CHECK_CHARS:
        raise BadQuery(f"The text is {len(text)} characters long; the limit is {MAX_CHECK_CHARS}.")
    view = kb.view(version)
    acts = [a for a in kb.acts if a.id in view.versions and (not docs or a.id in docs)]
    names = act_names(acts)
    judge = _Judge(kb, rules or CheckRules())
    checks: list[CitationCheck] = []
    found = find_citations(text, acts, names)
    notices = []
    if len(found) > MAX_CITATIONS:
        notices.append(
            f"The text has {len(found)} citations; the first {MAX_CITATIONS} were checked. "
            "Send the rest as a text of its own."
        )
    for citation in found[:MAX_CITATIONS]:
        outcome = judge.outcome(citation, view, version, [a.id for a in acts])
        note = judge.version_note(citation, outcome, view, version, [a.id for a in acts])
        checks.append(
            CitationCheck(
                reference=citation.text,
                start=citation.start,
                end=citation.end,
                status=outcome.status,
                resolved=outcome.resolved,
                reason=outcome.reason,
                outside_url=citation.external.url if citation.external else None,
                claim=citation.sentence,
                claim_start=citation.sentence_start,
                claim_end=citation.sentence_end,
                verdict=outcome.verdict,
                why=outcome.why,
                quote=outcome.quote,
                suggestions=outcome.suggestions,
                version_note=note,
            )
        )
    counts: dict[str, int] = {}
    for c in checks:
        counts[c.verdict] = counts.get(c.verdict, 0) + 1
        counts[c.status] = counts.get(c.status, 0) + 1
    took = round((time.perf_counter() - started) * 1000, 1)
    return CheckReport(
        citations=checks, version=version or kb.default_version, counts=counts, notices=notices, took_ms=took
    )


class _Judge:
    """Resolves citations and judges their claims in one view of the acts."""

    def __init__(self, kb: KnowledgeBase, rules: CheckRules) -> None:
        self.kb = kb
        self.t = rules
        self._roles: dict[int, dict[str, set[str]]] = {}

    def outcome(self, c: Citation, view: View, version: str | None, docs: list[str]) -> _Outcome:
        if c.external is not None:
            return _Outcome(
                "outside",
                reason=c.external.notice,
                why="The act cited is not in this knowledge base: nothing to check the claim against.",
            )
        candidates = [c.doc] if c.doc else docs
        present = [d for d in candidates if d in view.versions and (d, c.unit) in view.units]
        if not present:
            acts = view.searcher.acts
            where = extent(candidates, c.unit, acts, view.units)
            reason = not_found(c.text, [acts[d].short_name for d in candidates if d in acts], where)
            return self._missing(c, view, version, docs, reason)
        if len(present) > 1:
            names = " and ".join(view.searcher.acts[d].short_name for d in present)
            return _Outcome(
                "ambiguous",
                reason=f"{c.text} exists in the {names}; the text does not say which act it means.",
                why="Name the act beside the citation to check the claim.",
            )
        doc = present[0]
        unit = view.units[(doc, c.unit)]
        block = find_block(unit, c.pinpoint) if c.pinpoint else None
        if c.pinpoint and block is None and c.pinpoint != unit.num:
            label = view.searcher.citer.cite(doc, unit).label
            return self._missing(c, view, version, docs, f"{label} has {_parts(unit, c.pinpoint)}.")
        return self._judge(c, view, version, doc, unit, block)

    def _missing(
        self, c: Citation, view: View, version: str | None, docs: list[str], reason: str
    ) -> _Outcome:
        hits = self._search(c.claim, docs, version)
        return _Outcome(
            "not_found",
            reason=reason,
            verdict="not_supported",
            why="The cited provision does not exist, so it cannot say this.",
            suggestions=[_suggest(h) for h in hits[:SUGGESTIONS]],
        )

    def _judge(
        self, c: Citation, view: View, version: str | None, doc: str, unit: Unit, block: Block | None
    ) -> _Outcome:
        span, start, end = _span(unit, block)
        cited = view.searcher.citer.cite(doc, unit, c.pinpoint if block else None, (start, end))
        resolved = CitedProvision(
            doc=doc, unit=unit.id, pinpoint=c.pinpoint if block else None, label=cited.label, url=cited.url
        )
        claim = c.claim
        judgement = mechanical(claim, span, self._roles_in(view).get(doc, set()), self.t)
        hits: list[Hit] = []
        if judgement is None:
            if len(content_words(claim)) < 2:
                return _Outcome(
                    "resolved",
                    resolved,
                    verdict="unverified",
                    why="The sentence says too little beside the citation to check.",
                )
            hits = self._search(claim, [doc], version)
            rank = next(
                (
                    i + 1
                    for i, h in enumerate(hits)
                    if h.doc == doc and h.unit == unit.id and h.start < end and start < h.end
                ),
                None,
            )
            similarity = self._similarity(view, doc, unit.id, start, end, claim)
            judgement = by_meaning(rank, similarity, best_sentence(claim, span), self.t)
        else:
            hits = self._search(claim, [doc], version)
        others = [
            h for h in hits if (h.doc, h.unit) != (doc, unit.id) or not (h.start < end and start < h.end)
        ]
        suggestions = [] if judgement.verdict == "supported" else [_suggest(h) for h in others[:SUGGESTIONS]]
        resolved.text = judgement.quote or ""
        return _Outcome(
            "resolved",
            resolved,
            verdict=judgement.verdict,
            why=judgement.why,
            quote=judgement.quote if judgement.verdict == "supported" else None,
            suggestions=suggestions,
        )

    def version_note(
        self, c: Citation, outcome: _Outcome, view: View, version: str | None, docs: list[str]
    ) -> str | None:
        """When the act has another version and the citation fares differently there: "Supported
        by the text as first published; the provision was changed by …"."""
        doc = outcome.resolved.doc if outcome.resolved else c.doc
        if doc is None or doc not in view.versions:
            return None
        act = next(a for a in self.kb.acts if a.id == doc)
        if len(act.versions) < 2:
            return None
        chosen = view.versions[doc]
        other = ORIGINAL if chosen.id != act.versions[0].id else CURRENT
        other_view = self.kb.view(other)
        if doc not in other_view.versions or other_view.versions[doc].id == chosen.id:
            return None
        here, there_unit = view.units.get((doc, c.unit)), other_view.units.get((doc, c.unit))
        if here is not None and there_unit is not None and _cited_text(here, c) == _cited_text(there_unit, c):
            return None  # the same words in both versions: the same verdict, whatever the noise
        there = self.outcome(c, other_view, other, docs)
        if (there.status, there.verdict) == (outcome.status, outcome.verdict):
            return None
        other_v = other_view.versions[doc]
        what = "the text as first published" if other == ORIGINAL else f"the text {other_v.label}"
        return f"In {what} (in force from {other_v.in_force}) this citation is {there.status}, " + (
            f"its claim {there.verdict.replace('_', ' ')}." if there.status == "resolved" else there.reason
        )

    def _similarity(self, view: View, doc: str, unit_id: str, start: int, end: int, claim: str) -> float:
        """The best cosine of the claim with the indexed passages of the cited span: the vectors
        ingest stored, so nothing of the act is encoded again (the claim's vector is the one its
        search just computed, from the encoder's question cache)."""
        st = view.searcher.structure
        rows = st.unit_passages[st.unit_position[(doc, unit_id)]]
        if not len(rows):
            return 0.0
        passages = self.kb.files.passages([int(i) for i in st.passage_ids[rows]])
        keep = [
            row
            for row, pid in zip(rows, st.passage_ids[rows], strict=True)
            if passages[int(pid)].start < end and start < passages[int(pid)].end
        ] or list(rows)
        vector = self.kb.embedder.encode([claim])[0]
        return float((st.passage_vectors[keep] @ vector).max())

    def _roles_in(self, view: View) -> dict[str, set[str]]:
        key = id(view)
        if key not in self._roles:
            self._roles[key] = roles_of(view.units)
        return self._roles[key]

    def _search(self, claim: str, docs: list[str], version: str | None) -> list[Hit]:
        if not claim.strip():
            return []
        try:
            return self.kb.search(claim, k=SEARCHED, docs=docs or None, version=version).hits
        except BadQuery:
            return []


def _span(unit: Unit, block: Block | None) -> tuple[str, int, int]:
    """The cited words: a block with the lead-ins above it, or the whole unit; and the block's
    offsets in the unit text."""
    if block is None:
        return unit.text, 0, len(unit.text)
    lead = [unit.text[b.start : b.own_end] for b in block_path(unit, block)[:-1]]
    return "\n".join([*lead, unit.text[block.start : block.end]]), block.start, block.end


def _cited_text(unit: Unit, c: Citation) -> str:
    block = find_block(unit, c.pinpoint) if c.pinpoint else None
    return " ".join(_span(unit, block)[0].split())


def _parts(unit: Unit, pinpoint: str) -> str:
    """What a unit has where a pinpoint names a part it lacks: "paragraphs 1 to 3", "points (a)
    to (h) in paragraph 1", "no numbered parts"."""
    comps = re.findall(r"\(([^)]+)\)", pinpoint[len(unit.num) :])
    level: list[Block] = unit.paragraphs()
    where = ""
    for depth in range(len(comps)):
        prefix = unit.num + "".join(f"({x})" for x in comps[: depth + 1])
        found = find_block(unit, prefix)
        if found is None:
            break
        level = [b for b in found.walk()[1:] if b.kind == "point" and _parent_is(found, b)]
        where = f" in {unit.num}" + "".join(f"({x})" for x in comps[: depth + 1])
    nums = [b.num for b in level if b.num]
    if not nums:
        return f"no numbered parts{where}" if where else f"{len(level)} unnumbered paragraphs"
    kind = "paragraphs" if not where and level and level[0].kind == "paragraph" else "points"
    shown = [n if kind == "paragraphs" else f"({n})" for n in (nums[0], nums[-1])]
    return (
        f"{kind} {shown[0]} to {shown[1]}{where}" if len(nums) > 1 else f"only {kind[:-1]} {shown[0]}{where}"
    )


def _parent_is(parent: Block, child: Block) -> bool:
    """Whether `child` hangs directly from `parent`, or from a lead-in text of it."""
    return child in parent.children or any(child in b.children for b in parent.children if b.kind == "text")


def _suggest(hit: Hit) -> CitedProvision:
    text = (
        hit.text
        if len(hit.text) <= SUGGESTION_CHARS
        else hit.text[:SUGGESTION_CHARS].rsplit(" ", 1)[0] + " …"
    )
    return CitedProvision(
        doc=hit.doc, unit=hit.unit, pinpoint=hit.pinpoint, label=hit.label, url=hit.url, text=text
    )

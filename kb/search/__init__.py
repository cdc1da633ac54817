"""Search over one version of each act: the provisions a query names and the terms it asks
about first (`pinned`), then the hybrid ranking of units (`hybrid`), merged without repeats.

One job a module: `structure` precomputes what the ranking needs, `hybrid` ranks, `pinned`
finds named provisions and definitions, `hits` builds hits, `blocks` walks a unit's blocks."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from kb.citations import Citer
from kb.definitions import Glossary, definitions_in, is_definitions_article
from kb.document import Unit
from kb.embed import Embedder
from kb.index import IndexFiles
from kb.instruments import NOT_HELD, Instrument, find_instruments
from kb.manifest import ActInfo, VersionInfo
from kb.query_refs import QueryRef, act_mentions, act_names, find_query_refs, named_acts
from kb.results import Hit, Outside, SearchResult
from kb.search.hits import HitMaker
from kb.search.hybrid import HybridRanker, Ranked, Rules, asks_when
from kb.search.pinned import Pinner
from kb.search.structure import Structure
from kb.vocabulary import STOPWORDS, words

__all__ = ["Rules", "Searcher"]

# A question with fewer content words than this beside its reference is about the reference itself.
CONTEXT_WORDS = 3


class Searcher:
    """Search over the acts as they read in `versions` (act id -> version), whose units are
    `units` by (act id, unit id). `titles` caches unit-title vectors across views; `original`
    gives a unit as first published, so that citations say "as amended" only where it changed."""

    def __init__(
        self,
        files: IndexFiles,
        embedder: Embedder,
        units: dict[tuple[str, str], Unit],
        versions: dict[str, VersionInfo],
        titles: dict[str, np.ndarray] | None = None,
        rules: Rules | None = None,
        original: Callable[[str, str], Unit | None] | None = None,
    ) -> None:
        self.rules = rules = rules or Rules()
        self.files = files
        self.embedder = embedder
        self.units = units
        self.versions = versions
        self.acts: dict[str, ActInfo] = {a.id: a for a in files.manifest.acts if a.id in versions}
        self.act_names = act_names(self.acts.values())
        self._all_acts = {a.id: a for a in files.manifest.acts}
        self._other_names = act_names(a for a in files.manifest.acts if a.id not in self.acts)
        self.glossary = Glossary(
            [d for (doc, _), u in units.items() if is_definitions_article(u) for d in definitions_in(doc, u)]
        )
        self.citer = Citer(self.acts, {a.id: a for a in files.manifest.acts}, versions, units, original)
        self.hits = HitMaker(self.citer, units)
        self.pinner = Pinner(self.acts, units, self.hits)
        self.structure = Structure.build(
            files, embedder, units, versions, titles if titles is not None else {}
        )
        self.ranker = HybridRanker(files, embedder, self.structure, self.acts, rules)

    def search(
        self,
        query: str,
        k: int = 10,
        docs: list[str] | None = None,
        kinds: list[str] | None = None,
        keywords: str | None = None,
    ) -> SearchResult:
        """The k best hits for `query`, limited to the acts `docs` and unit kinds `kinds`;
        `keywords` are searched by keyword beside the query."""
        pinned: list[Hit] = []
        notices: list[str] = []
        missing: list[str] = []
        scope = docs or None
        outside = find_instruments(query, self.act_names) + self._not_in_view(query)
        named = named_acts(_without(query, outside), self.act_names)
        notices.extend(dict.fromkeys(i.notice for i in outside))

        spans = [(i.start, i.end, i.name) for i in outside]
        refs = find_query_refs(query, self.act_names, spans)
        for ref in refs:
            if ref.external:
                continue  # a provision of an instrument the knowledge base does not hold
            hits, notice = self.pinner.reference(ref, scope)
            pinned.extend(hits)
            if notice:
                notices.append(notice)
                missing.append(notice)
        if outside and not named:
            # Asked about another instrument: what the acts say about it is context, not an answer.
            numbers = list(dict.fromkeys(i.number for i in outside if i.number))
            pinned.extend(self.pinner.citing(numbers, scope))
        elif not pinned and self.rules.definitions:
            for d in self.glossary.lookup(query):
                if (scope is None or d.doc in scope) and (not named or d.doc in named):
                    pinned.append(self.pinner.definition(d))

        # A question that names one act is about that act; naming both keeps both in play. An
        # amending act's rules now stand in the act it amends, so that act stays in play too.
        focus = scope or (named if len(named) == 1 and self.rules.named_act_focus else None)
        if focus and not scope:
            focus = focus + [
                a for d in focus if (a := self.acts[d].amends) and a in self.acts and a not in focus
            ]
        vector = self.embedder.encode([query])[0]
        ranked, top_similarity = self.ranker.rank(query, vector, focus, kinds, k + len(pinned), keywords)
        passages = self.files.passages([r.passage_id for r in ranked])
        hits = [self.hits.passage(passages[r.passage_id], r.score) for r in ranked]
        references = pinned and all(h.match == "reference" for h in pinned)
        if references and hits and asks_when(query, self.rules.when_strict) and self._is_temporal(hits[0]):
            # "When does Annex III apply?" is answered by the provision on application, not by Annex III.
            pinned.insert(0, hits.pop(0))
        elif references and hits and self.rules.context_margin < 1:
            pinned = self._named_as_context(query, refs, vector, pinned, hits, ranked, notices)
        merged = _merge(pinned, hits, kinds)
        return SearchResult(
            hits=merged[:k],
            notices=notices,
            top_similarity=round(top_similarity, 4),
            acts_named=named,
            missing=missing,
            outside=list(
                {
                    i.name: Outside(name=i.name, url=i.url, in_index=i.why != NOT_HELD) for i in outside
                }.values()
            ),
        )

    def _named_as_context(
        self,
        query: str,
        refs: list[QueryRef],
        vector: np.ndarray,
        pinned: list[Hit],
        hits: list[Hit],
        ranked: list[Ranked],
        notices: list[str],
    ) -> list[Hit]:
        """A question that names a provision and asks about something else ("how long must the
        logs referred to in Article 12(1) be kept?", "Art. 62 AI Act serious incident reporting"):
        when the provision the question's words match best is not the one named, it goes first,
        the named one beside it, with a notice. A provision named in both acts keeps only the
        act whose text the question matches."""
        rest = query
        for ref in refs:
            rest = rest.replace(ref.text, " ")
        for name in self.act_names:
            rest = re.sub(r"(?i)\b" + re.escape(name) + r"\b", " ", rest)
        if len([w for w in words(rest) if w not in STOPWORDS and len(w) > 2]) < CONTEXT_WORDS:
            return pinned  # the question is the reference: "What does Article 5 say?"
        closeness = {(h.doc, h.unit): self._similarity(vector, h.doc, h.unit) for h in pinned}
        units = {h.unit for h in pinned}
        if len(units) < len(pinned) and all(r.doc is None for r in refs):
            # "Article 12(1)" of both acts: the one the question's words are about.
            best = max(pinned, key=lambda h: closeness[(h.doc, h.unit)])
            pinned = [h for h in pinned if h.unit != best.unit or h.doc == best.doc]
        top, top_similarity = hits[0], ranked[0].similarity
        named_similarity = max(closeness[(h.doc, h.unit)] for h in pinned)
        if (top.doc, top.unit) in closeness or top_similarity - named_similarity < self.rules.context_margin:
            return pinned
        first = pinned[0]
        notices.append(
            f"{first.label} is about {(first.title or 'another subject').lower()}; the question matches "
            f"{top.label} ({top.title.lower() or top.heading}) better."
        )
        return [hits.pop(0), *pinned]

    def _not_in_view(self, query: str) -> list[Instrument]:
        """Acts of the index that the query names but that are not part of the version searched:
        the 2026 amending act, asked about in the text as first published."""
        out = []
        for start, end, doc in act_mentions(query, self._other_names):
            act = self._all_acts[doc]
            why = "is not part of the text searched: ask about the law in force (version current)"
            out.append(Instrument(query[start:end], start, end, act.short_name, None, act.url, why))
        return out

    def _similarity(self, vector: np.ndarray, doc: str, unit: str) -> float:
        """The query's cosine similarity to the closest passage of a unit."""
        st = self.structure
        members = st.unit_passages[st.unit_position[(doc, unit)]]
        return float((st.passage_vectors[members] @ vector).max()) if len(members) else 0.0

    def _is_temporal(self, hit: Hit) -> bool:
        st = self.structure
        return bool(st.temporal[st.unit_position[(hit.doc, hit.unit)]])


def _without(query: str, outside: list[Instrument]) -> str:
    """The query with the other instruments blanked out, so that "Data Governance Act" does not
    read as the Data Act."""
    for i in reversed(outside):
        query = query[: i.start] + " " * (i.end - i.start) + query[i.end :]
    return query


def _merge(pinned: list[Hit], ranked: list[Hit], kinds: list[str] | None) -> list[Hit]:
    """References and definitions first, then the ranking without repeating them."""
    out = [h for h in pinned if not kinds or h.unit_kind in kinds]
    taken = [(h.doc, h.unit, h.start, h.end) for h in out]
    for hit in ranked:
        if any(d == hit.doc and u == hit.unit and s <= hit.start and hit.end <= e for d, u, s, e in taken):
            continue
        out.append(hit)
    return out

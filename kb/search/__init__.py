"""Search over one version of each act: the provisions a query names and the terms it asks
about first (`pinned`), then the hybrid ranking of units (`hybrid`), merged without repeats.

One job a module: `structure` precomputes what the ranking needs, `hybrid` ranks, `pinned`
finds named provisions and definitions, `hits` builds hits, `blocks` walks a unit's blocks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kb.citations import Citer
from kb.definitions import Glossary, definitions_in, is_definitions_article
from kb.document import Unit
from kb.embed import Embedder
from kb.index import IndexFiles
from kb.instruments import NOT_HELD
from kb.manifest import ActInfo, VersionInfo
from kb.query import Lexicon, Query
from kb.query_refs import act_names
from kb.results import Hit, Outside, SearchResult
from kb.search import crosslingual
from kb.search.act_prior import breadth
from kb.search.crosslingual import Crosslingual
from kb.search.hits import HitMaker
from kb.search.hybrid import HybridRanker, Ranked, Rules
from kb.search.pinned import Pinner
from kb.search.structure import Structure

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
        # Which act a question is about, learned from the acts' own words, and each act's keyword
        # statistics of its own (kb/search/act_prior.py, act_keyword.py).
        defined = {t: [d.doc for d in defs] for t, defs in self.glossary.by_term.items()}
        prior, keywords = breadth(files, self.structure, self.acts, defined, rules)
        self.ranker = HybridRanker(files, embedder, self.structure, self.acts, rules, prior, keywords)
        self.crosslingual = Crosslingual.build(
            files, embedder, self.structure, self.acts, rules, self.glossary.terms(), rules.multilingual
        )
        others = {a.id: (a.short_name, a.url) for a in files.manifest.acts if a.id not in self.acts}
        self.lexicon = Lexicon(self.act_names, self._other_names, others, self.glossary.terms())

    def search(
        self,
        query: Query,
        k: int = 10,
        docs: list[str] | None = None,
        kinds: list[str] | None = None,
    ) -> SearchResult:
        """The k best hits for `query` (read against `self.lexicon`), limited to the acts `docs`
        and unit kinds `kinds`."""
        pinned: list[Hit] = []
        notices: list[str] = []
        missing: list[str] = []
        scope = docs or None
        outside, named = query.outside, list(query.acts_named)
        # A question not in English is matched with the multilingual encoder, where there is one.
        # (A question read through its English translation takes the English path.)
        cross = self.crosslingual if query.language is not None and not query.translation else None
        notices.extend(dict.fromkeys(i.notice for i in outside))

        for ref in query.refs:
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
            for d in self.glossary.defining(query.defines or (cross.defines(query) if cross else ())):
                if (scope is None or d.doc in scope) and (not named or d.doc in named):
                    pinned.append(self.pinner.definition(d))

        # A question that names one act is about that act; naming both keeps both in play. An
        # amending act's rules now stand in the act it amends, so that act stays in play too.
        focus = scope or (named if len(named) == 1 and self.rules.named_act_focus else None)
        if focus and not scope:
            focus = focus + [
                a for d in focus if (a := self.acts[d].amends) and a in self.acts and a not in focus
            ]
        ranker = cross.ranker_for(query) if cross else self.ranker
        vector = cross.encode(query) if cross else self.embedder.encode([query.searched])[0]
        ranked, top_similarity = ranker.rank(query, vector, focus, kinds, k + len(pinned))
        ranked = self._with_asked(query, ranked, vector, focus, kinds, k + len(pinned))
        passages = self.files.passages([r.passage_id for r in ranked])
        hits = [self.hits.passage(passages[r.passage_id], r.score) for r in ranked]
        asked = query.translated_from or query
        if self.crosslingual is not None and asked.language is not None:
            # Found in an act's language version: said on the hit, cited in English.
            hits = self.crosslingual.found_in(asked, [r.passage_id for r in ranked], hits)
        references = pinned and all(h.match == "reference" for h in pinned)
        asks_when = query.asks_when_applies if self.rules.when_strict else query.asks_when
        if references and hits and asks_when and self._is_temporal(hits[0]):
            # "When does Annex III apply?" is answered by the provision on application, not by Annex III.
            pinned.insert(0, hits.pop(0))
        elif references and hits and self.rules.context_margin < 1:
            pinned = self._named_as_context(query, vector, pinned, hits, ranked, notices, ranker.structure)
        merged = _merge(pinned, hits, kinds)
        return SearchResult(
            hits=merged[:k],
            notices=notices,
            top_similarity=round(top_similarity, 4),
            acts_named=named,
            encoder=cross.encoder.name if cross else self.embedder.name,
            missing=missing,
            outside=list(
                {
                    i.name: Outside(name=i.name, url=i.url, in_index=i.why != NOT_HELD) for i in outside
                }.values()
            ),
        )

    def _named_as_context(
        self,
        query: Query,
        vector: np.ndarray,
        pinned: list[Hit],
        hits: list[Hit],
        ranked: list[Ranked],
        notices: list[str],
        st: Structure,
    ) -> list[Hit]:
        """A question that names a provision and asks about something else ("how long must the
        logs referred to in Article 12(1) be kept?", "Art. 62 AI Act serious incident reporting"):
        when the provision the question's words match best is not the one named, it goes first,
        the named one beside it, with a notice. A provision named in both acts keeps only the
        act whose text the question matches."""
        if query.context_words < CONTEXT_WORDS:
            return pinned  # the question is the reference: "What does Article 5 say?"
        closeness = {(h.doc, h.unit): _similarity(st, vector, h.doc, h.unit) for h in pinned}
        units = {h.unit for h in pinned}
        if len(units) < len(pinned) and all(r.doc is None for r in query.refs):
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

    def _with_asked(
        self,
        query: Query,
        ranked: list[Ranked],
        vector: np.ndarray,
        focus: list[str] | None,
        kinds: list[str] | None,
        k: int,
    ) -> list[Ranked]:
        """For a question read through its translation, the English ranking (`ranked`, the
        translation embedded as `vector`) fused with the multilingual encoder's ranking of the
        question as asked (kb/search/crosslingual.py `fuse`); `ranked` when there is none."""
        cross, asked = self.crosslingual, query.translated_from
        weight = crosslingual.translated_fusion(query.translated_by)
        if cross is None or asked is None or weight <= 0:
            return ranked
        depth = max(k, crosslingual.FUSED_DEPTH)
        english, _ = self.ranker.rank(query, vector, focus, kinds, depth)
        other, _ = cross.ranker_for(asked).rank(asked, cross.encode(asked), focus, kinds, depth)
        return crosslingual.fuse(english, other, self.structure, weight)[:k]

    def _is_temporal(self, hit: Hit) -> bool:
        st = self.structure
        return bool(st.temporal[st.unit_position[(hit.doc, hit.unit)]])


def _similarity(st: Structure, vector: np.ndarray, doc: str, unit: str) -> float:
    """The query's cosine similarity to the closest passage of a unit (vectors of `st`)."""
    members = st.unit_passages[st.unit_position[(doc, unit)]]
    return float((st.passage_vectors[members] @ vector).max()) if len(members) else 0.0


def _merge(pinned: list[Hit], ranked: list[Hit], kinds: list[str] | None) -> list[Hit]:
    """References and definitions first, then the ranking without repeating them."""
    out = [h for h in pinned if not kinds or h.unit_kind in kinds]
    taken = [(h.doc, h.unit, h.start, h.end) for h in out]
    for hit in ranked:
        if any(d == hit.doc and u == hit.unit and s <= hit.start and hit.end <= e for d, u, s, e in taken):
            continue
        out.append(hit)
    return out

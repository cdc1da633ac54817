"""Hybrid retrieval over the index: legal references and defined terms first, then dense
(FAISS) and keyword (SQLite FTS5, BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from kb.definitions import Definition, Glossary, definitions_in, is_definitions_article
from kb.embed import Embedder
from kb.headings import acronyms, heading_path
from kb.index import IndexFiles
from kb.manifest import ActInfo, VersionInfo
from kb.model import Block, Passage, Unit
from kb.refs import (
    QueryRef,
    act_names,
    citation_label,
    eurlex_url,
    find_query_refs,
    named_acts,
    paragraph_style,
    pinpoint_of,
)
from kb.results import AmendmentNote, Hit, RefLink, SearchResult
from kb.versions import amended_label, describe

RRF_K = 60
DENSE_WEIGHT = 1.0
KEYWORD_WEIGHT = 0.5
TITLE_WEIGHT = 0.5
RECITAL_LEND = 0.3
RECITAL_WEIGHT = 1.0
WHEN_WEIGHT = 2.0
INSTRUCTION_WEIGHT = 0.5
CANDIDATES = 100

_STOPWORDS = frozenset(
    """a an and are as at be been but by can could do does did for from has have how i if in into is it
    its may me might must my no not of on or our shall should so such than that the their them then
    there these they this those to under up us was we were what when where which who whom why will
    with would you your yes also any all about""".split()  # noqa: SIM905 (a word list reads best as words)
)


@dataclass
class _Candidate:
    passage_id: int
    score: float = 0.0
    dense: float = 0.0  # cosine similarity of the query and the passage


class Searcher:
    """Search over one version of each act (`versions`), whose units are `units`."""

    def __init__(
        self,
        files: IndexFiles,
        embedder: Embedder,
        units: dict[tuple[str, str], Unit],
        versions: dict[str, VersionInfo],
        titles: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.files = files
        self.embedder = embedder
        self.units = units
        self.versions = versions
        self.acts: dict[str, ActInfo] = {a.id: a for a in files.manifest.acts if a.id in versions}
        self._all_acts = {a.id: a for a in files.manifest.acts}
        self.act_names = act_names(self.acts.values())
        self.glossary = Glossary(
            [d for (doc, _), u in units.items() if is_definitions_article(u) for d in definitions_in(doc, u)]
        )
        self._acronyms = {
            doc: acronyms(u.text for (d, _), u in units.items() if d == doc and u.kind == "article")
            for doc in self.acts
        }
        self.structure = Structure.build(
            files, embedder, units, versions, titles if titles is not None else {}
        )
        self._passage_doc = self.structure.passage_doc
        self._passage_kind = self.structure.passage_kind

    # -- the entry point -------------------------------------------------------------------

    def search(
        self, query: str, k: int = 10, docs: list[str] | None = None, kinds: list[str] | None = None
    ) -> SearchResult:
        pinned: list[Hit] = []
        notices: list[str] = []
        named = named_acts(query, self.act_names)
        scope = docs or None

        for ref in find_query_refs(query, self.act_names):
            hits, notice = self._reference_hits(ref, scope)
            pinned.extend(hits)
            if notice:
                notices.append(notice)
        if not pinned:
            for d in self.glossary.lookup(query):
                if (scope is None or d.doc in scope) and (not named or d.doc in named):
                    pinned.append(self._definition_hit(d))

        # A question that names one act is about that act; naming both keeps both in play. An
        # amending act's rules now stand in the act it amends, so that act stays in play too.
        focus = scope or (named if len(named) == 1 else None)
        if focus and not scope:
            focus = focus + [
                a for d in focus if (a := self.acts[d].amends) and a in self.acts and a not in focus
            ]
        ranked, top_similarity = self._hybrid(query, focus, kinds, k + len(pinned))
        references = pinned and all(h.match == "reference" for h in pinned)
        if references and ranked and _asks_when(query) and self._is_temporal(ranked[0]):
            # "When does Annex III apply?" is answered by the provision on application, not by Annex III.
            pinned.insert(0, ranked.pop(0))
        hits = _merge(pinned, ranked, kinds)
        return SearchResult(hits=hits[:k], notices=notices, top_similarity=round(top_similarity, 4))

    def _is_temporal(self, hit: Hit) -> bool:
        st = self.structure
        return bool(st.temporal[st.unit_position[(hit.doc, hit.unit)]])

    # -- references and definitions ---------------------------------------------------------

    def _reference_hits(self, ref: QueryRef, scope: list[str] | None) -> tuple[list[Hit], str | None]:
        targets = [ref.doc] if ref.doc else list(self.acts)
        amended = self.acts[ref.doc].amends if ref.doc in self.acts else None
        if amended in self.acts and (ref.doc, ref.unit) not in self.units:
            # "Annex III, as the Digital Omnibus changed it": the provision is the amended act's.
            targets = [amended]
        if scope:
            targets = [d for d in targets if d in scope]
        hits = []
        for doc in targets:
            unit = self.units.get((doc, ref.unit))
            if unit is None:
                continue
            block = find_block(unit, ref.pinpoint) if ref.pinpoint else None
            if block is not None:
                hits.append(self._block_hit(doc, unit, block, 1.0, "reference"))
            else:
                hits.append(self._span_hit(doc, unit, 0, len(unit.text), unit.num, "", 1.0, "reference"))
        if hits:
            return hits, None
        where = " or ".join(self.acts[d].short_name for d in targets) or "the selected acts"
        return [], f"{ref.text.strip()} does not exist in {where}{self._extent(targets, ref.unit)}."

    def _extent(self, docs: list[str], unit_id: str) -> str:
        prefix = unit_id.split("_")[0]
        parts = []
        for doc in docs:
            nums = [u.num for (d, _), u in self.units.items() if d == doc and u.id.startswith(prefix + "_")]
            if nums:
                noun = {"art": "Articles", "rct": "Recitals", "anx": "Annexes"}[prefix]
                parts.append(f"{self.acts[doc].short_name} has {noun} {nums[0]} to {nums[-1]}")
            else:
                parts.append(f"{self.acts[doc].short_name} has none")
        return f" ({'; '.join(parts)})" if parts else ""

    def _definition_hit(self, d: Definition) -> Hit:
        unit = self.units[(d.doc, d.unit)]
        block = next(b for b in unit.all_blocks() if b.start == d.start and b.kind == "point")
        return self._block_hit(d.doc, unit, block, 1.0, "definition")

    def _block_hit(self, doc: str, unit: Unit, block: Block, score: float, match: str) -> Hit:
        path = block_path(unit, block)
        context = " … ".join(b.text for b in path[:-1] if b.text and b.kind != "heading")
        return self._span_hit(
            doc, unit, block.start, block.end, pinpoint_of(unit, path), context, score, match
        )

    # -- dense and keyword retrieval ----------------------------------------------------------

    def _hybrid(
        self, query: str, docs: list[str] | None, kinds: list[str] | None, k: int
    ) -> tuple[list[Hit], float]:
        """Rank units, not passages: a unit scores by its best passages, recitals lend their
        score to the articles they explain, and unit titles form a ranking of their own."""
        allowed = self._allowed(docs, kinds)
        vector = self.embedder.encode([query])[0]
        sims, order = self._dense(vector, allowed)
        passage_score = np.zeros(len(sims), dtype="float32")
        passage_score[order] += DENSE_WEIGHT / (RRF_K + np.arange(len(order)))
        st = self.structure
        for rank, pid in enumerate(self._keyword(query, allowed)):
            passage_score[pid] += KEYWORD_WEIGHT / (RRF_K + rank)

        unit_score = np.zeros(len(st.unit_keys), dtype="float32")
        np.maximum.at(unit_score, st.passage_unit, passage_score)
        if _asks_when(query):
            # When a rule applies is laid down in the act's final provisions.
            unit_score[st.temporal] += WHEN_WEIGHT / RRF_K
        title_sims = st.title_vectors @ vector
        title_order = np.argsort(-title_sims)[:CANDIDATES]
        unit_score[title_order] += TITLE_WEIGHT / (RRF_K + np.arange(len(title_order)))
        # A recital explains an article: what matches the recital is answered by the article.
        # Take the best lending recital only: summing would favour articles that many recitals explain.
        lent = np.zeros_like(unit_score)
        np.maximum.at(lent, st.article_of, unit_score[st.recital_of] * RECITAL_LEND)
        unit_score += lent
        unit_score[st.unit_is_recital] *= RECITAL_WEIGHT
        if not docs or not any(self.acts[d].amending_units for d in docs):
            # An amending instruction quotes text that the amended act now holds as its own: the
            # consolidated provision is the one to cite, unless the question is about the amendment.
            unit_score[st.unit_is_instruction] *= INSTRUCTION_WEIGHT
        unit_allowed = np.zeros(len(st.unit_keys), dtype=bool)
        np.logical_or.at(unit_allowed, st.passage_unit, allowed)
        unit_score[~unit_allowed] = -1.0

        ranked: list[tuple[int, float]] = []  # (best passage of the unit, unit score)
        # k already counts the pinned hits, and each pinned hit hides at most one ranked unit in
        # _merge: k units are enough, and building a hit is most of the cost after encoding.
        for u in np.argsort(-unit_score)[:k]:
            if unit_score[u] <= 0:
                break
            members = st.unit_passages[u]
            members = members[allowed[members]]
            best = members[np.argmax(passage_score[members] + 1e-3 * sims[members])]
            ranked.append((int(best), float(unit_score[u])))
        passages = self.files.passages([int(st.passage_ids[pid]) for pid, _ in ranked])
        hits = [self._passage_hit(passages[int(st.passage_ids[pid])], score) for pid, score in ranked]
        top = float(sims[allowed].max()) if allowed.any() else 0.0
        return hits, top

    def _dense(self, vector: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarity of the query to this view's passages, and the best allowed ones.

        A flat index is searched exactly, all at once; an approximate (HNSW) one is asked for
        its nearest neighbours, and passages it did not return count as dissimilar."""
        st = self.structure
        if self.files.manifest.index_type == "flat":
            sims = st.passage_vectors @ vector  # cosine: vectors are normalised
            masked = np.where(allowed, sims, -np.inf)
            top = np.argpartition(-masked, min(CANDIDATES, len(sims) - 1))[:CANDIDATES]
            top = top[np.isfinite(masked[top])]
            return sims, top[np.argsort(-masked[top])]
        sims = np.full(len(st.passage_ids), -1.0, dtype="float32")
        found_sims, found = self.files.vectors.search(vector[None], CANDIDATES * 4)
        local = st.local[found[0][found[0] >= 0]]
        keep = (local >= 0) & allowed[np.maximum(local, 0)]
        sims[local[keep]] = found_sims[0][found[0] >= 0][keep]
        return sims, local[keep][:CANDIDATES]

    def _allowed(self, docs: list[str] | None, kinds: list[str] | None) -> np.ndarray:
        mask = np.ones(len(self._passage_doc), dtype=bool)
        if docs:
            mask &= np.isin(self._passage_doc, docs)
        if kinds:
            mask &= np.isin(self._passage_kind, kinds)
        return mask

    def _keyword(self, query: str, allowed: np.ndarray) -> list[int]:
        """Passages (this view's positions) ranked by BM25."""
        words = [w for w in re.findall(r"[a-z0-9]+", query.lower()) if w not in _STOPWORDS and len(w) > 1]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
        with self.files.db() as con:
            rows = con.execute(
                "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?"
                " ORDER BY bm25(passages_fts) LIMIT ?",
                (match, CANDIDATES * 3),
            ).fetchall()
        local = self.structure.local
        out = [int(local[r[0]]) for r in rows if local[r[0]] >= 0 and allowed[local[r[0]]]]
        return out[:CANDIDATES]

    # -- building hits ----------------------------------------------------------------------

    def _passage_hit(self, p: Passage, score: float) -> Hit:
        unit = self.units[(p.doc, p.unit)]
        return self._span_hit(p.doc, unit, p.start, p.end, p.pinpoint, p.context, score, "search")

    def _span_hit(
        self,
        doc: str,
        unit: Unit,
        start: int,
        end: int,
        pinpoint: str,
        context: str,
        score: float,
        match: str,
    ) -> Hit:
        act = self.acts[doc]
        version = self.versions[doc]
        return Hit(
            doc=doc,
            unit=unit.id,
            unit_kind=unit.kind,
            pinpoint=pinpoint,
            label=citation_label(act.short_name, unit.kind, unit.num, pinpoint, paragraph_style(unit))
            + amended_label(unit),
            title=unit.title,
            heading=self.heading(act, unit),
            url=eurlex_url(version.url if version.amended_by else act.url, unit.anchor),
            page=unit.pages[0] if unit.pages and not unit.amendments else None,
            text=unit.text[start:end],
            context=context,
            score=round(score, 6),
            match=match,  # type: ignore[arg-type]
            refs=self.refs(doc, unit, start, end),
            version=describe(act, version),
            version_date=version.in_force,
            amended_by=amendment_notes(unit),
            unofficial=self.unofficial(act, unit),
            start=start,
            end=end,
        )

    def incoming(self) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        """Who refers to each unit: (doc, unit, reference as written) for every citing unit."""
        if not hasattr(self, "_incoming"):
            incoming: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
            for (src_doc, src_id), src in self.units.items():
                for r in src.refs:
                    if r.doc and r.unit and (r.doc, r.unit) != (src_doc, src_id):
                        bucket = incoming.setdefault((r.doc, r.unit), [])
                        if (src_doc, src_id, r.text) not in bucket:
                            bucket.append((src_doc, src_id, r.text))
            self._incoming = incoming
        return self._incoming

    def unofficial(self, act: ActInfo, unit: Unit) -> str | None:
        """Where the cited text rests on files that are not the official ones, say which."""
        notes = [act.unofficial] if act.unofficial else []
        for source_id in dict.fromkeys(a.act for a in unit.amendments):
            source = self._all_acts.get(source_id)
            if source is not None and source.unofficial:
                notes.append(f"Amended wording from {source.short_name}. {source.unofficial}")
        return "; ".join(notes) or None

    def heading(self, act: ActInfo, unit: Unit) -> str:
        return heading_path(act.short_name, unit, self._acronyms.get(act.id, set()))

    def refs(self, doc: str, unit: Unit, start: int, end: int) -> list[RefLink]:
        links: dict[tuple[str | None, str | None, str | None], RefLink] = {}
        for r in unit.refs:
            if r.start < start or r.end > end:
                continue
            if r.unit and r.doc:
                target = self.units.get((r.doc, r.unit))
                if target is None or (r.doc == doc and r.unit == unit.id):
                    continue
                act = self.acts[r.doc]
                label = citation_label(
                    act.short_name, target.kind, target.num, r.pinpoint, paragraph_style(target)
                )
                key = (r.doc, r.unit, r.pinpoint)
                links.setdefault(
                    key,
                    RefLink(
                        text=r.text,
                        label=label,
                        doc=r.doc,
                        unit=r.unit,
                        url=eurlex_url(act.url, target.anchor),
                    ),
                )
            elif r.external and r.unit is None and r.doc is None and r.external != "Treaty":
                links.setdefault(
                    (None, None, r.external), RefLink(text=r.text, label=r.external, external=r.external)
                )
        return list(links.values())


# "When …?" asks for a date; "… when it supervises …" does not: a bare "when" counts only at the
# start of a sentence.
_WHEN = re.compile(
    r"(?:^|[.?!]\s+)when\b|\b(what date|since when|from when|which date|from what|by what date|by when|"
    r"until when|deadline|how long|apply from|start(?:s|ed)? to apply|take effect|in force)\b",
    re.IGNORECASE,
)


_TEMPORAL = re.compile(r"entry into force|transitional", re.IGNORECASE)


def _asks_when(query: str) -> bool:
    return _WHEN.search(query) is not None


class Structure:
    """What the ranking knows about the acts beyond their passages: which unit each passage
    belongs to, unit titles as vectors, which articles each recital explains, and which
    units say when the act applies."""

    def __init__(self) -> None:
        self.unit_keys: list[tuple[str, str]] = []
        self.unit_position: dict[tuple[str, str], int] = {}
        self.passage_vectors = np.zeros((0, 0), dtype="float32")
        self.passage_unit = np.zeros(0, dtype=int)
        self.passage_doc = np.zeros(0, dtype=object)
        self.passage_kind = np.zeros(0, dtype=object)
        self.unit_passages: list[np.ndarray] = []
        self.unit_is_recital = np.zeros(0, dtype=bool)
        self.unit_is_instruction = np.zeros(0, dtype=bool)  # units of an amending act that amend
        self.title_vectors = np.zeros((0, 0), dtype="float32")
        self.recital_of = np.zeros(0, dtype=int)
        self.article_of = np.zeros(0, dtype=int)
        self.temporal = np.zeros(0, dtype=bool)  # units on entry into force, application, transition
        self.passage_ids = np.zeros(0, dtype=int)  # this view's passages, as rows of the index
        self.local = np.zeros(0, dtype=int)  # index row -> position in this view, -1 if not in it

    @classmethod
    def build(
        cls,
        files: IndexFiles,
        embedder: Embedder,
        units: dict[tuple[str, str], Unit],
        versions: dict[str, VersionInfo],
        titles: dict[str, np.ndarray],
    ) -> Structure:
        st = cls()
        with files.db() as con:
            every = con.execute(
                "SELECT id, doc, unit, unit_kind, versions FROM passages ORDER BY id"
            ).fetchall()
        rows = [r for r in every if r["doc"] in versions and versions[r["doc"]].id in r["versions"].split()]
        st.passage_ids = np.array([r["id"] for r in rows], dtype=int)
        st.local = np.full(len(every), -1, dtype=int)
        st.local[st.passage_ids] = np.arange(len(rows))
        st.unit_keys = list(units)
        position = st.unit_position = {key: i for i, key in enumerate(st.unit_keys)}
        st.passage_unit = np.array([position[(r["doc"], r["unit"])] for r in rows])
        st.passage_doc = np.array([r["doc"] for r in rows])
        st.passage_kind = np.array([r["unit_kind"] for r in rows])
        st.passage_vectors = files.all_vectors()[st.passage_ids]
        st.unit_passages = [np.flatnonzero(st.passage_unit == i) for i in range(len(st.unit_keys))]
        st.unit_is_recital = np.array([units[key].kind == "recital" for key in st.unit_keys])
        instructions = {(a.id, u) for a in files.manifest.acts for u in a.amending_units}
        st.unit_is_instruction = np.array([key in instructions for key in st.unit_keys], dtype=bool)
        # An amending act's own entry into force is not when the rules it changed apply: those
        # dates stand in the amended act's final provisions.
        amending = {a.id for a in files.manifest.acts if a.amends}
        st.temporal = np.array(
            [
                _TEMPORAL.search(units[key].title) is not None and key[0] not in amending
                for key in st.unit_keys
            ]
        )

        unit_titles = [
            f"{units[key].label}: {units[key].title}" if units[key].title else "" for key in st.unit_keys
        ]
        missing = [t for t in dict.fromkeys(unit_titles) if t and t not in titles]
        if missing:
            titles.update(zip(missing, embedder.encode(missing), strict=True))
        zero = np.zeros(files.vectors.d, dtype="float32")
        st.title_vectors = np.array([titles[t] if t else zero for t in unit_titles], dtype="float32")

        # Link each recital to the articles closest to it in meaning, within the same act.
        article_units = [i for i, key in enumerate(st.unit_keys) if units[key].kind == "article"]
        pairs_r, pairs_a = [], []
        for r, key in enumerate(st.unit_keys):
            if units[key].kind != "recital" or len(st.unit_passages[r]) == 0:
                continue
            same_act = [a for a in article_units if st.unit_keys[a][0] == key[0]]
            if not same_act:
                continue
            rv = st.passage_vectors[st.unit_passages[r]].mean(axis=0)
            scores = np.array([(st.passage_vectors[st.unit_passages[a]] @ rv).max() for a in same_act])
            for j in np.argsort(-scores)[:RECITAL_LINKS]:
                pairs_r.append(r)
                pairs_a.append(same_act[j])
        st.recital_of = np.array(pairs_r, dtype=int)
        st.article_of = np.array(pairs_a, dtype=int)
        return st


RECITAL_LINKS = 2


def _merge(pinned: list[Hit], ranked: list[Hit], kinds: list[str] | None) -> list[Hit]:
    """References and definitions first, then the ranking without repeating them."""
    out = [h for h in pinned if not kinds or h.unit_kind in kinds]
    taken = [(h.doc, h.unit, h.start, h.end) for h in out]
    for hit in ranked:
        if any(d == hit.doc and u == hit.unit and s <= hit.start and hit.end <= e for d, u, s, e in taken):
            continue
        out.append(hit)
    return out


def amendment_notes(unit: Unit) -> list[AmendmentNote]:
    return [AmendmentNote.model_validate(a, from_attributes=True) for a in unit.amendments]


def find_block(unit: Unit, pinpoint: str) -> Block | None:
    """The block a pinpoint names: "5(1)(f)" in Article 5, "III(5)" in Annex III."""
    if not pinpoint.startswith(unit.num):
        return None
    comps = re.findall(r"\(([^)]+)\)", pinpoint[len(unit.num) :])
    if not comps:
        return None
    level: list[Block] = unit.blocks
    found: Block | None = None
    for depth, comp in enumerate(comps):
        if depth == 0 and paragraph_style(unit) == "ordinal" and comp.isdigit():
            paragraphs = unit.paragraphs()
            found = paragraphs[int(comp) - 1] if int(comp) <= len(paragraphs) else None
        else:
            found = _find_num(level, comp)
        if found is None:
            return None
        level = found.children
    return found


def _find_num(blocks: list[Block], num: str) -> Block | None:
    for b in blocks:
        if b.num == num and b.kind != "text":
            return b
    # Points hang from their lead-in text, and annex points from section headings.
    for b in blocks:
        if b.kind in ("text", "heading"):
            found = _find_num(b.children, num)
            if found is not None:
                return found
    return None


def block_path(unit: Unit, target: Block) -> list[Block]:
    def walk(blocks: list[Block], trail: list[Block]) -> list[Block] | None:
        for b in blocks:
            if b is target:
                return [*trail, b]
            found = walk(b.children, [*trail, b])
            if found:
                return found
        return None

    return walk(unit.blocks, []) or [target]

"""The hybrid ranking: dense (FAISS) and keyword (SQLite FTS5, BM25) rankings of passages fused
by reciprocal rank, then lifted to units, where titles, recitals and the acts' final
provisions add what the passages alone miss.

Every weight below was set on ../shared/eval/dev.jsonl and kept only where it also pays on
field.jsonl; docs/ranking.md has the ablation of each (hit@1, MRR@10 on both sets)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.adapt.search import adapted, view_ranking
from kb.embed import Embedder
from kb.index import IndexFiles
from kb.manifest import ActInfo
from kb.query import Query
from kb.search.act_keyword import ActKeywords
from kb.search.act_prior import ActWeights, weighted_rrf, within
from kb.search.structure import Structure

# Reciprocal-rank fusion's constant, as in Cormack, Clarke and Büttcher (SIGIR 2009).
RRF_K = 60
# How many passages each ranking contributes: past 100 a passage adds < 1/160 to a fused score.
CANDIDATES = 100
# Within a unit, ties between passages of equal fused score go to the closer one in meaning;
# small enough never to reorder different fused scores (those differ by ≥ 1/(60+100)²).
TIE_BREAK = 1e-3


@dataclass(frozen=True)
class Rules:
    """The ranking's weights and rules; each can be switched off (0 or False) for an ablation
    (bench/ablation.py). The defaults, and why each is kept, are in docs/ranking.md."""

    # The dense ranking leads: it carries the meaning of an everyday question; BM25 adds the
    # acts' own terms.
    dense: float = 1.0
    keyword: float = 0.5
    # The unit titles' own ranking ("Article 26 Obligations of deployers of high-risk AI systems").
    titles: float = 0.5
    # The share of a recital's score lent to the articles it explains.
    recital_lend: float = 0.3
    # What a question about when a rule applies adds to the final provisions, as if they ranked
    # first in two rankings.
    when: float = 2.0
    # An amending act's instructions repeat text the amended act now holds: their weight unless
    # the question is about the amending act.
    instructions: float = 0.5
    # The weight of the rest of an amending act's text (its recitals, final articles, annex
    # tables) unless the question is about the amending act.
    amending: float = 1.0
    # When one act's passages lead both the dense and the keyword ranking (at least this share of
    # the first ROUTE_DEPTH of each), the other acts' units weigh `route_other`.
    route_share: float = 0.8  # above 1: off
    route_other: float = 0.5
    # The stricter reading of questions about time: "when does … apply", "from what date", not
    # "how long" or "deadline".
    when_strict: bool = True
    # A provision named as context gives way to the one the question's words match, when that
    # one is closer by at least this cosine margin (1 or more: off).
    context_margin: float = 0.1
    # A question that names one act is searched in that act (and the act it amends).
    named_act_focus: bool = True
    # A question about a defined term gets the definition first.
    definitions: bool = True
    # How strongly an act unlikely for the question (kb/search/act_prior.py) is weighed down:
    # its passages weigh (P(act)/max P)^act_prior, at least `act_floor`, in their scores and in
    # the ranks they take from the likelier acts' passages (0: off).
    act_prior: float = 0.25
    act_floor: float = 0.1
    # What a term only one act defines ("deployer", "data holder") adds to that act's log-odds:
    # log 4, as if the question said so four times likelier of that act.
    act_defined: float = 1.4
    # The keyword ranking with each act's own BM25 statistics (kb/search/act_keyword.py), so that
    # an added act does not reorder the others' passages: measured, off (it moved the two-act
    # index's dev hit@5 by two questions and cost the added acts' hit@5 one; docs/ranking.md).
    keyword_by_act: bool = False
    # A question not in English is matched with the multilingual encoder, where the index has its
    # vectors (kb/search/crosslingual.py; KB_MULTILINGUAL).
    multilingual: bool = True
    # The acts' own sentences about a unit (citing contexts, recitals naming it; kb/adapt/) as
    # a ranking of their own, and the kinds of them used; 0: off.
    views: float = 0.0
    view_kinds: tuple[str, ...] = ("citing", "recital")
    # The question's vector through the adapter learned from the acts' pairs (kb/adapt/).
    adapter: bool = False
    # The adapted vector's share of the dense ranking's weight; the model's own vector has the rest.
    adapter_share: float = 1.0


# How many of each ranking's first passages decide which act leads.
ROUTE_DEPTH = 10


@dataclass(frozen=True)
class Ranked:
    """A unit in the ranking, represented by its best passage (a row of the index)."""

    passage_id: int
    score: float
    similarity: float  # the cosine similarity of the query and that passage


class HybridRanker:
    """Ranks the units of one view for a query; `structure` is that view's precompute."""

    def __init__(
        self,
        files: IndexFiles,
        embedder: Embedder,
        structure: Structure,
        acts: dict[str, ActInfo],
        rules: Rules | None = None,
        prior: ActWeights | None = None,
        keywords: ActKeywords | None = None,
    ) -> None:
        self.rules = rules or Rules()
        self.files = files
        self.embedder = embedder
        self.structure = structure
        self.acts = acts
        self.prior = prior if self.rules.act_prior > 0 else None
        self.keywords = keywords if self.rules.keyword_by_act else None
        # With the act prior, each ranking is read until its passages weigh CANDIDATES together:
        # an unlikely act's passages then take no likelier one's place (act_prior.py `within`).
        # Reading the dense ranking by count instead cost own one question on five acts.
        self.depth = CANDIDATES * (len(set(self.prior.unit_act)) if self.prior else 1)

    def rank(
        self,
        query: Query,
        vector: np.ndarray,
        docs: list[str] | None,
        kinds: list[str] | None,
        k: int,
    ) -> tuple[list[Ranked], float]:
        """The k best units for `query` (its `searched` text embedded as `vector`, float32 (d,),
        L2-normalised), and the query's highest cosine similarity to any allowed passage (what
        abstention reads)."""
        st, rules = self.structure, self.rules
        allowed = self._allowed(docs, kinds)
        raw = vector  # abstention and the context margin read the model's own similarities
        if rules.adapter:
            vector = adapted(st.adaptation, vector)
        sims, order = self._dense(vector, allowed)
        own, own_order = (sims, order) if vector is raw else self._dense(raw, allowed)
        passage_score = np.zeros(len(sims), dtype="float32")
        keyword = np.array(self._keyword(query.terms, allowed), dtype=int)
        # Each passage's and unit's weight by how likely its act is for the question (all 1 without
        # the act prior, or within the acts a question or filter chose).
        pw, uw = self._act_weights(query, order, docs)
        order, keyword = within(order, pw[order], CANDIDATES), within(keyword, pw[keyword], CANDIDATES)
        keyword_order = keyword.tolist()
        share = rules.adapter_share if vector is not raw else 1.0
        passage_score[order] += share * rules.dense * weighted_rrf(pw[order], RRF_K)
        if share < 1.0:  # the model's own dense ranking keeps the rest of the dense weight
            own_order = within(own_order, pw[own_order], CANDIDATES)
            passage_score[own_order] += (1 - share) * rules.dense * weighted_rrf(pw[own_order], RRF_K)
        passage_score[keyword] += rules.keyword * weighted_rrf(pw[keyword], RRF_K)

        unit_score = np.zeros(len(st.unit_keys), dtype="float32")
        np.maximum.at(unit_score, st.passage_unit, passage_score)
        if query.asks_when_applies if rules.when_strict else query.asks_when:
            # When a rule applies is laid down in the act's final provisions.
            # (weighed by the act prior: an unlikely act's final provisions do not answer it)
            unit_score[st.temporal] += rules.when / RRF_K * uw[st.temporal]
        title_sims = st.title_vectors @ vector
        title_order = np.argsort(-title_sims)[: self.depth]
        title_order = within(title_order, uw[title_order], CANDIDATES)
        unit_score[title_order] += rules.titles * weighted_rrf(uw[title_order], RRF_K)
        if rules.views and st.views is not None:
            view_order = view_ranking(st.views, vector, rules.view_kinds, len(unit_score))[:CANDIDATES]
            unit_score[view_order] += rules.views / (RRF_K + np.arange(len(view_order)))
        # A recital explains an article: what matches the recital is answered by the article.
        # Take the best lending recital only: summing would favour articles that many recitals explain.
        lent = np.zeros_like(unit_score)
        np.maximum.at(lent, st.article_of, unit_score[st.recital_of] * rules.recital_lend)
        unit_score += lent
        if not docs or not any(self.acts[d].amending_units for d in docs):
            # An amending instruction quotes text that the amended act now holds as its own: the
            # consolidated provision is the one to cite, unless the question is about the amendment.
            unit_score[st.unit_is_instruction] *= rules.instructions
            unit_score[st.unit_is_amending & ~st.unit_is_instruction] *= rules.amending
        if not docs:
            leader = self._leading_act(order[:ROUTE_DEPTH], keyword_order[:ROUTE_DEPTH])
            if leader is not None:
                unit_score[st.unit_doc != leader] *= rules.route_other
        unit_allowed = np.zeros(len(st.unit_keys), dtype=bool)
        np.logical_or.at(unit_allowed, st.passage_unit, allowed)
        unit_score[~unit_allowed] = -1.0

        ranked: list[Ranked] = []
        # Only the k returned are built into hits (bench/query.py: a sixth of a search was hits).
        for u in np.argsort(-unit_score)[:k]:
            if unit_score[u] <= 0:
                break
            members = st.unit_passages[u]
            members = members[allowed[members]]
            best = members[np.argmax(passage_score[members] + TIE_BREAK * sims[members])]
            ranked.append(Ranked(int(st.passage_ids[best]), float(unit_score[u]), float(own[best])))
        top = float(own[allowed].max()) if allowed.any() else 0.0
        return ranked, top

    def _act_weights(
        self, query: Query, order: np.ndarray, docs: list[str] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Passage and unit weights (float, this view's positions) by the act prior: ones
        without it, or when the acts searched were chosen (`docs`)."""
        st = self.structure
        if self.prior is None or docs:
            return np.ones(len(st.passage_ids)), np.ones(len(st.unit_keys))
        w = self.prior.of_acts(query.searched, order, self.rules.act_prior, self.rules.act_floor)
        return w[self.prior.passage_act], w[self.prior.unit_act]

    def _leading_act(self, dense: np.ndarray, keyword: list[int]) -> str | None:
        """The act that holds at least `route_share` of the first passages of both rankings."""
        docs = self.structure.passage_doc
        if self.rules.route_share > 1 or len(dense) == 0 or not keyword:
            return None
        lead = docs[dense[0]]
        for ranking in (dense, np.array(keyword)):
            if np.mean(docs[ranking] == lead) < self.rules.route_share:
                return None
        return str(lead)

    def _dense(self, vector: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarity of the query to this view's passages, and the best allowed ones.

        A flat index is searched exactly, all at once; an approximate one (IVF or HNSW) is
        asked for its nearest neighbours, and passages it did not return count as dissimilar."""
        st = self.structure
        if self.files.manifest.index_type == "flat":
            sims = st.passage_vectors @ vector  # cosine: vectors are normalised
            masked = np.where(allowed, sims, -np.inf)
            depth = min(self.depth, len(sims) - 1)
            top = np.argpartition(-masked, depth)[:depth]
            top = top[np.isfinite(masked[top])]
            return sims, top[np.argsort(-masked[top])]
        sims = np.full(len(st.passage_ids), -1.0, dtype="float32")
        found_sims, found = self.files.vectors.search(vector[None], self.depth * 4)
        local = st.local[found[0][found[0] >= 0]]
        keep = (local >= 0) & allowed[np.maximum(local, 0)]
        sims[local[keep]] = found_sims[0][found[0] >= 0][keep]
        return sims, local[keep][: self.depth]

    def _allowed(self, docs: list[str] | None, kinds: list[str] | None) -> np.ndarray:
        mask = np.ones(len(self.structure.passage_doc), dtype=bool)
        if docs:
            mask &= np.isin(self.structure.passage_doc, docs)
        if kinds:
            mask &= np.isin(self.structure.passage_kind, kinds)
        return mask

    def _keyword(self, terms: tuple[str, ...], allowed: np.ndarray) -> list[int]:
        """Passages (this view's positions) ranked by BM25 for the query's terms."""
        if not terms:
            return []
        match = " OR ".join(f'"{w}"' for w in terms)
        if self.keywords is not None:
            rows = self.keywords.ranked(match, CANDIDATES * 3, self.depth * 3)
        else:
            with self.files.db() as con:
                rows = [
                    r[0]
                    for r in con.execute(
                        "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?"
                        " ORDER BY bm25(passages_fts) LIMIT ?",
                        (match, CANDIDATES * 3),
                    )
                ]
        local = self.structure.local
        out = [int(local[r]) for r in rows if local[r] >= 0 and allowed[local[r]]]
        return out[: self.depth]

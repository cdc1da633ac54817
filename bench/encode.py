"""Encoding alone: one question at a time with torch, ONNX Runtime on 2 threads and on 1 thread,
interleaved question by question in one process so that all three meet the same machine load;
then a batch of 128 passages with torch and ONNX. Latency p50 and CPU time per question.
Writes bench/results/encode.json.

    python -m bench.encode [--questions 40]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from pathlib import Path

from bench.common import questions, write
from kb.config import settings
from kb.embed import Embedder

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args()
    config = settings()
    qs = questions()[: args.questions]

    def embedder(backend: str, threads: int) -> Embedder:
        e = Embedder(config.embed_model, backend, config.model_cache, threads, query_cache=0)
        e.load()
        e.encode(qs[:3])  # warm-up
        return e

    encoders = {"torch": embedder("torch", 2), "onnx, 2 threads": embedder("onnx", 2)}
    encoders["onnx, 1 thread"] = embedder("onnx", 1)
    ms: dict[str, list[float]] = {name: [] for name in encoders}
    cpu = dict.fromkeys(encoders, 0.0)
    for q in qs:
        for name, e in encoders.items():
            c, started = time.process_time(), time.perf_counter()
            e.encode([q])
            ms[name].append((time.perf_counter() - started) * 1000)
            cpu[name] += (time.process_time() - c) * 1000
    out: dict[str, object] = {}
    for name in encoders:
        out[name] = {"p50_ms": round(statistics.median(ms[name]), 2), "cpu_ms": round(cpu[name] / len(qs), 2)}
        print(
            f"{name:<16} p50 {out[name]['p50_ms']:>8.2f} ms  CPU {out[name]['cpu_ms']:>7.2f} ms per question"
        )  # type: ignore[index]
    con = sqlite3.connect(f"file:{config.index_dir / 'passages.sqlite'}?mode=ro", uri=True)
    texts = [r[0] for r in con.execute("SELECT embed_text FROM passages LIMIT 128")]
    for name in ("torch", "onnx, 2 threads"):
        c, started = time.process_time(), time.perf_counter()
        encoders[name].encode(texts, 32)
        batch = {
            "wall_s": round(time.perf_counter() - started, 2),
            "cpu_s": round(time.process_time() - c, 2),
        }
        out[f"{name}, 128 passages"] = batch
        print(f"{name:<16} 128 passages: {batch['wall_s']} s wall, {batch['cpu_s']} s CPU")
    write("encode", {"questions": len(qs), "results": out})


if __name__ == "__main__":
    main()

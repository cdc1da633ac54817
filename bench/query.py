"""Query speed and memory: in-process `search` and `ask` latency over the dev questions, how the
search time splits (query encoding against the rest), CLI start-up, and the memory of a
serving process. Writes bench/results/query.json.

    python -m bench.query [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import peak_rss_mb, percentiles, questions, rss_mb, write
from kb.config import settings
from kb.knowledge import KnowledgeBase
from tests.process import Server

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, items: list[str], rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    ms = []
    for _ in range(rounds):
        for q in items:
            started = time.perf_counter()
            fn(q)
            ms.append((time.perf_counter() - started) * 1000)
    return ms


def in_process(rounds: int, backend: str) -> dict[str, object]:
    before = rss_mb()
    started = time.perf_counter()
    # The query-vector LRU is off: the rounds repeat the questions, and each must be encoded.
    config = settings().model_copy(update={"embed_backend": backend, "query_cache": 0})
    kb = KnowledgeBase.open(config=config)
    open_s = time.perf_counter() - started
    loaded = rss_mb()
    qs = questions()
    for q in qs[:3]:  # warm-up: first calls pay for lazy initialisation
        kb.search(q)
    cpu = time.process_time()
    search = timed(lambda q: kb.search(q), qs, rounds)
    cpu_per_search = (time.process_time() - cpu) * 1000 / len(search)
    encode = timed(lambda q: kb.embedder.encode([q]), qs, rounds)
    # Answers remember the vectors of the sentences they quote: the first round meets them cold.
    ask_cold = timed(lambda q: kb.ask(q), qs, 1)
    ask = timed(lambda q: kb.ask(q), qs, max(1, rounds - 1))
    original = timed(lambda q: kb.search(q, version="original"), qs, 1)
    result = {
        "backend": kb.embedder.backend,
        "torch_imported": "torch" in sys.modules,
        "search_cpu_ms": round(cpu_per_search, 2),
        "open_s": round(open_s, 2),
        "rss_mb": {
            "before_open": before,
            "after_open": loaded,
            "after_queries": rss_mb(),
            "peak": peak_rss_mb(),
        },
        "search_ms": percentiles(search),
        "query_encode_ms": percentiles(encode),
        "search_without_encode_p50_ms": round(statistics.median(search) - statistics.median(encode), 2),
        "ask_ms": percentiles(ask),
        "ask_first_round_ms": percentiles(ask_cold),
        "search_original_version_ms": percentiles(original),
    }
    print(
        f"open {open_s:.1f} s, RSS {loaded:.0f} MB after open, "
        f"{result['rss_mb']['after_queries']:.0f} MB after queries"
    )
    for name in (
        "search_ms",
        "query_encode_ms",
        "ask_first_round_ms",
        "ask_ms",
        "search_original_version_ms",
    ):
        p = result[name]
        assert isinstance(p, dict)
        print(f"{name:<28} p50 {p['p50']:>7.1f}  p95 {p['p95']:>7.1f}  p99 {p['p99']:>7.1f} ms  (n={p['n']})")
    return result


def cli_startup(runs: int = 5) -> dict[str, float]:
    kb = str(Path(sys.executable).parent / "kb")
    out = {}
    for args in (["--help"], ["ask", "--help"]):
        ms = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([kb, *args], capture_output=True, check=True)
            ms.append((time.perf_counter() - started) * 1000)
        out["kb " + " ".join(args)] = round(statistics.median(ms), 1)
    print("CLI start-up (median ms):", out)
    return out


def serving_memory(qs: list[str], backend: str) -> dict[str, float]:
    """RSS of a real `kb serve` once loaded, and after answering every dev question twice."""
    config = settings()
    env = {
        **os.environ,
        "KB_INDEX_DIR": str(config.index_dir.resolve()),
        "KB_MODEL_CACHE": str(config.model_cache.resolve()),
        "KB_EMBED_BACKEND": backend,
        "HF_HUB_OFFLINE": "1",
    }
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(env, Path(tmp) / "serve.log")
        try:
            server.wait_ready()
            pid = server.proc.pid
            loaded = rss_mb(pid)
            with httpx.Client(base_url=server.url, timeout=60) as client:
                for q in qs * 2:
                    client.post("/v1/search", json={"query": q}).raise_for_status()
                    client.post("/v1/ask", json={"question": q}).raise_for_status()
            out = {"after_load_mb": loaded, "after_load_test_mb": rss_mb(pid), "peak_mb": peak_rss_mb(pid)}
        finally:
            server.stop()
    print(f"serving memory ({backend}):", out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", help="measure one backend in this process and print JSON")
    args = parser.parse_args()
    if args.backend:
        print("JSON " + json.dumps(in_process(args.rounds, args.backend)))
        return
    runs = {}
    for backend in ("torch", "onnx"):
        # Each backend in a process of its own, so that its memory and imports are its own.
        done = subprocess.run(
            [sys.executable, __file__, "--rounds", str(args.rounds), "--backend", backend],
            capture_output=True,
            text=True,
            check=True,
        )
        print(done.stdout.split("JSON ")[0], end="")
        runs[backend] = json.loads(done.stdout.split("JSON ", 1)[1])
    ratios = {
        name: round(runs["torch"][name]["p50"] / max(runs["onnx"][name]["p50"], 0.01), 2)
        for name in ("search_ms", "query_encode_ms", "ask_ms")
    }
    ratios["search_cpu"] = round(runs["torch"]["search_cpu_ms"] / max(runs["onnx"]["search_cpu_ms"], 0.01), 2)
    print("torch / onnx (p50):", ratios)
    result = {
        "in_process": runs,
        "speedup_torch_over_onnx": ratios,
        "cli_ms": cli_startup(),
        "serving": {b: serving_memory(questions(), b) for b in ("torch", "onnx")},
    }
    write("query", result)


if __name__ == "__main__":
    main()

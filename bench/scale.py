"""Exact (flat) against approximate (HNSW, IVF-Flat) FAISS search as the corpus grows: 10k, 100k, 1M vectors.

The vectors are synthetic but shaped like a legal corpus: each is one of the real passage
vectors of the index plus noise (cosine about 0.8 to it), so they come in topical clusters as
real passages do, and the queries are the dev questions embedded by the real model. For each
size: build time, memory, p50/p95 latency of one query at a time, and recall@10 against
exact search. Writes bench/results/scale.json and docs/scale.png.

    python -m bench.scale [--sizes 10000,100000,1000000] [--ef 64,256,1024,2048] [--nprobe 4,16,64]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import faiss
import numpy as np

from bench.common import percentiles, questions, write
from kb.config import settings
from kb.embed import Embedder
from kb.index import HNSW_EF_CONSTRUCTION, HNSW_M, IndexFiles, build_faiss

ROOT = Path(__file__).resolve().parent.parent

K = 10
NOISE = 0.8  # norm of the noise added to a real passage vector before normalising


def corpus(centres: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, centres.shape[1]), dtype="float32")
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        base = centres[rng.integers(0, len(centres), m)]
        noise = rng.standard_normal((m, centres.shape[1]), dtype="float32")
        noise *= NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
        block = base + noise
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + m] = block
    return out


def timed_search(index: faiss.Index, queries: np.ndarray) -> tuple[dict[str, float], np.ndarray]:
    """One query at a time, as a server answers them."""
    for q in queries[:5]:
        index.search(q[None], K)
    found = np.empty((len(queries), K), dtype="int64")
    ms = []
    for i, q in enumerate(queries):
        started = time.perf_counter()
        _, ids = index.search(q[None], K)
        ms.append((time.perf_counter() - started) * 1000)
        found[i] = ids[0]
    return percentiles(ms), found


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return round(float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True)])), 4)


def size_of(index: faiss.Index) -> float:
    return round(len(faiss.serialize_index(index)) / 2**20, 1)


def sweep(
    label: str,
    n: int,
    index: faiss.Index,
    built_s: float,
    param: str,
    values: list[int],
    truth: np.ndarray,
    queries: np.ndarray,
) -> list[dict[str, object]]:
    """Latency and recall of an approximate index at each value of its search-width parameter."""
    out: list[dict[str, object]] = []
    for value in values:
        faiss.ParameterSpace().set_index_parameter(index, param, value)
        latency, found = timed_search(index, queries)
        out.append({param: value, "latency_ms": latency, "recall@10": recall(found, truth)})
        print(
            f"{n:>9,} {label:<6} build {built_s:6.1f} s  {param} {value:>4}  p50 {latency['p50']:7.2f} ms  "
            f"recall@10 {out[-1]['recall@10']:.3f}",
            flush=True,
        )
    return out


def timed_build(vectors: np.ndarray, index_type: str) -> tuple[faiss.Index, float]:
    """The index regkb's own ingest would build (kb.index.build_faiss), and how long it took."""
    started = time.perf_counter()
    index, _ = build_faiss(vectors, index_type)
    return index, time.perf_counter() - started


def run(sizes: list[int], efs: list[int], probes: list[int]) -> dict[str, object]:
    config = settings()
    files = IndexFiles(config.index_dir)
    centres = files.all_vectors()
    embedder = Embedder(files.manifest.model.name)
    queries = embedder.encode(questions())
    rows = []
    for n in sizes:
        vectors = corpus(centres, n)
        flat, flat_build = timed_build(vectors, "flat")
        flat_latency, truth = timed_search(flat, queries)
        print(f"{n:>9,} flat   build {flat_build:6.1f} s  p50 {flat_latency['p50']:7.2f} ms", flush=True)
        row: dict[str, object] = {
            "n": n,
            "flat": {"build_s": round(flat_build, 2), "memory_mb": size_of(flat), "latency_ms": flat_latency},
        }
        del flat
        hnsw, hnsw_build = timed_build(vectors, "hnsw")
        row["hnsw"] = {
            "m": HNSW_M,
            "ef_construction": HNSW_EF_CONSTRUCTION,
            "build_s": round(hnsw_build, 2),
            "memory_mb": size_of(hnsw),
            "by_ef_search": sweep("hnsw", n, hnsw, hnsw_build, "efSearch", efs, truth, queries),
        }
        del hnsw
        ivf, ivf_build = timed_build(vectors, "ivf")
        row["ivf_flat"] = {
            "nlist": faiss.extract_index_ivf(ivf).nlist,
            "build_s": round(ivf_build, 2),
            "memory_mb": size_of(ivf),
            "by_nprobe": sweep("ivf", n, ivf, ivf_build, "nprobe", probes, truth, queries),
        }
        rows.append(row)
        del ivf, vectors
    return {"dim": centres.shape[1], "k": K, "queries": len(queries), "noise": NOISE, "sizes": rows}


def plot(result: dict[str, object], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["sizes"]
    assert isinstance(rows, list)
    ns = [r["n"] for r in rows]
    fig, (lat, mem) = plt.subplots(1, 2, figsize=(11, 4.2))
    lat.plot(ns, [r["flat"]["latency_ms"]["p50"] for r in rows], "o-", label="flat (exact)")
    efs = [e["efSearch"] for e in rows[0]["hnsw"]["by_ef_search"]]
    for i, ef in enumerate(efs):
        lat.plot(
            ns,
            [r["hnsw"]["by_ef_search"][i]["latency_ms"]["p50"] for r in rows],
            "s--",
            label=f"HNSW efSearch={ef} (recall@10 {rows[-1]['hnsw']['by_ef_search'][i]['recall@10']:.2f})",
        )
    probes = [p["nprobe"] for p in rows[0]["ivf_flat"]["by_nprobe"]]
    for i, nprobe in enumerate(probes):
        lat.plot(
            ns,
            [r["ivf_flat"]["by_nprobe"][i]["latency_ms"]["p50"] for r in rows],
            "^:",
            label=f"IVF nprobe={nprobe} (recall@10 {rows[-1]['ivf_flat']['by_nprobe'][i]['recall@10']:.2f})",
        )
    lat.set(xscale="log", yscale="log", xlabel="vectors", ylabel="p50 latency, one query (ms)")
    lat.set_title("Search latency")
    lat.axhline(20, color="grey", lw=0.8, ls=":")
    lat.legend(fontsize=7)
    mem.plot(ns, [r["flat"]["memory_mb"] for r in rows], "o-", label="flat")
    mem.plot(ns, [r["hnsw"]["memory_mb"] for r in rows], "s--", label=f"HNSW M={rows[0]['hnsw']['m']}")
    mem.plot(ns, [r["ivf_flat"]["memory_mb"] for r in rows], "^:", label="IVF-Flat")
    mem.set(xscale="log", yscale="log", xlabel="vectors", ylabel="index size (MB)")
    mem.set_title(f"Memory (dimension {result['dim']})")
    mem.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--ef", default="64,256,1024,2048")
    parser.add_argument("--nprobe", default="4,16,64")
    args = parser.parse_args()
    result = run(
        [int(s) for s in args.sizes.split(",")],
        [int(e) for e in args.ef.split(",")],
        [int(p) for p in args.nprobe.split(",")],
    )
    write("scale", result)
    plot(result, ROOT / "docs" / "scale.png")


if __name__ == "__main__":
    main()

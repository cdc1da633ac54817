"""HTTP load on /v1/search and /v1/ask at concurrency 1, 8 and 32, on loopback only.

Starts its own `kb serve` on a free loopback port (or uses --url, which must be a loopback
address), sends the dev questions round-robin, and stops each level after a fixed number of
requests or seconds, whichever comes first. Prints p50/p95/p99 latency, throughput and errors,
and writes bench/results/http_load.json.

    python -m bench.http_load [--url http://127.0.0.1:8000] [--requests 200] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

from api.process import Server

ROOT = Path(__file__).resolve().parent.parent

LEVELS = (1, 8, 32)


def questions() -> list[str]:
    dev = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    if dev.is_file():
        return [json.loads(line)["question"] for line in dev.read_text().splitlines() if line.strip()]
    return ["Can we use emotion recognition on our staff?", "switching charges", "Article 5(1)(f)"]


async def level(
    url: str, path: str, field: str, concurrency: int, n: int, seconds: float, qs: list[str]
) -> dict:
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds
    lock = asyncio.Lock()

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors, sent
        while True:
            async with lock:
                if sent >= n or time.perf_counter() > deadline:
                    return
                q = qs[sent % len(qs)]
                sent += 1
            started = time.perf_counter()
            try:
                r = await client.post(path, json={field: q})
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    wall = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {
        "endpoint": path,
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(wall, 2),
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server on loopback; by default one is started")
    parser.add_argument("--requests", type=int, default=200, help="requests per level for /v1/search")
    parser.add_argument("--ask-requests", type=int, default=40, help="requests per level for /v1/ask")
    parser.add_argument("--seconds", type=float, default=30, help="time limit per level")
    args = parser.parse_args()

    server = None
    url = args.url
    if url is None:
        server = Server({}, ROOT / "bench" / "results" / "http_load_server.log")
        server.wait_ready()
        url = server.url
    elif urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("Load is only sent to loopback addresses.")
    qs = questions()
    results = []
    try:
        for path, field, n in (
            ("/v1/search", "query", args.requests),
            ("/v1/ask", "question", args.ask_requests),
        ):
            asyncio.run(level(url, path, field, 1, 5, 10, qs))  # warm up
            for c in LEVELS:
                r = asyncio.run(level(url, path, field, c, n, args.seconds, qs))
                results.append(r)
                print(
                    f"{path:12s} c={c:<3d} n={r['requests']:<4d} errors={r['errors']:<3d} "
                    f"p50={r['p50_ms']:7.1f} ms  p95={r['p95_ms']:7.1f} ms  p99={r['p99_ms']:7.1f} ms  "
                    f"{r['rps']:6.1f} req/s"
                )
    finally:
        if server is not None:
            server.stop()
    out = ROOT / "bench" / "results" / "http_load.json"
    out.write_text(json.dumps({"machine": "2 cores, 24 GB", "results": results}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

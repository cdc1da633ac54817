"""How a question is read before it is searched: which language it is in, and what of a long
one is searched (a pasted e-mail or contract clause with the question at the end)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from kb.vocabulary import STOPWORDS, words

if TYPE_CHECKING:
    from lingua import LanguageDetector

# The official languages of the EU that its acts are most often read in. Lingua's low-accuracy
# mode (trigram models only) loads these in about 1 s and 50 MB and tells English from them on
# every question of ../shared/eval (dev and field: none taken for another language).
LANGUAGES = (
    "ENGLISH FRENCH GERMAN SPANISH ITALIAN DUTCH POLISH PORTUGUESE SWEDISH DANISH ROMANIAN CZECH".split()  # noqa: SIM905
)
# Below this confidence, or in fewer words, a question counts as English: "Art 6 para 2" is no
# language at all. Lingua gives ≥ 0.98 to the French and German questions of the tests.
MIN_CONFIDENCE = 0.9
MIN_WORDS = 4
# Keywords of the rest of a long question kept beside its question sentences.
LONG_KEYWORDS = 12

_SENTENCE = re.compile(r"(?<=[.?!])\s+|\n+")
_PROVISION = re.compile(r"\b(?:art(?:icle)?s?\.?|annex|recital)\s*[\dIVX]", re.IGNORECASE)


@dataclass(frozen=True)
class Language:
    """The language a question is written in: ISO 639-1 code and English name."""

    code: str  # "fr"
    name: str  # "French"


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import Language as L
    from lingua import LanguageDetectorBuilder

    languages = [getattr(L, name) for name in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def warm_up() -> None:
    """Load the language models now (about 1 s) rather than on the first question."""
    _detector().compute_language_confidence_values("warm up")


def language_of(text: str) -> Language | None:
    """The language of `text` when it is clearly not English; None for English or too little text."""
    prose = _PROVISION.sub(" ", text)
    if len(re.findall(r"[^\W\d_]{2,}", prose)) < MIN_WORDS:
        return None
    best = _detector().compute_language_confidence_values(prose)[0]
    if best.language.name == "ENGLISH" or best.value < MIN_CONFIDENCE:
        return None
    return Language(best.language.iso_code_639_1.name.lower(), best.language.name.capitalize())


@dataclass(frozen=True)
class Focus:
    """What of a long question is searched: `query` for meaning and references, `keywords`
    added for the keyword ranking, and a notice that says so."""

    query: str
    keywords: str
    notice: str


def focus(question: str, tokens: Callable[[str], int], max_tokens: int) -> Focus | None:
    """For a question longer than the embedder's window (`max_tokens`, counted by `tokens`), the
    sentences that ask (the last one, any with a question mark, any naming a provision) and
    the most frequent content words of the rest; None when the whole question fits."""
    if tokens(question) <= max_tokens:
        return None
    sentences = [s.strip() for s in _SENTENCE.split(question) if s.strip()]
    asking = [
        i for i, s in enumerate(sentences) if i == len(sentences) - 1 or "?" in s or _PROVISION.search(s)
    ]
    kept: list[str] = []
    for i in reversed(asking):  # the last sentences first: the question is usually at the end
        if tokens(" ".join([sentences[i], *kept])) > max_tokens and kept:
            break
        kept.insert(0, sentences[i])
    rest = " ".join(s for i, s in enumerate(sentences) if i not in asking)
    counts = Counter(w for w in words(rest) if w not in STOPWORDS and len(w) > 3 and not w.isdigit())
    keywords = " ".join(w for w, _ in counts.most_common(LONG_KEYWORDS))
    query = " ".join(kept)
    notice = (
        f"The question is long ({len(question):,} characters, more than the {max_tokens} tokens the "
        f"embedder reads): it was searched by its question sentences (“{_clip(query)}”) and the "
        f"keywords of the rest ({keywords or 'none'})."
    )
    return Focus(query, keywords, notice)


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"

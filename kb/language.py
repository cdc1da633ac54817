"""Which language a text is in: the detector behind `Query.language` (kb/query.py decides what
of a question it is given)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

# The official languages of the EU that its acts are most often read in. Lingua's low-accuracy
# mode (trigram models only) loads these in about 1 s and 50 MB and tells English from them on
# every question of ../shared/eval (dev and field: none taken for another language).
LANGUAGES = (
    "ENGLISH FRENCH GERMAN SPANISH ITALIAN DUTCH POLISH PORTUGUESE SWEDISH DANISH ROMANIAN CZECH".split()  # noqa: SIM905
)
# Below this confidence a text counts as English. Lingua gives ≥ 0.98 to the French and German
# questions of the tests.
MIN_CONFIDENCE = 0.9


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


def detect(prose: str) -> Language | None:
    """The language of `prose` when it is clearly not English; None for English or when unsure."""
    best = _detector().compute_language_confidence_values(prose)[0]
    if best.language.name == "ENGLISH" or best.value < MIN_CONFIDENCE:
        return None
    return Language(best.language.iso_code_639_1.name.lower(), best.language.name.capitalize())

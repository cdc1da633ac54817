"""The words and limits the whole core shares: kinds of units, stopwords, months, ordinals,
roman numerals and the size of a question. One place, so that a rule reads the same in
ranking, answers, references and the interfaces."""

from __future__ import annotations

import re
from typing import Literal

UnitKind = Literal["recital", "article", "annex"]
UNIT_KINDS: tuple[UnitKind, ...] = ("article", "recital", "annex")
# EUR-Lex element ids: "art_5", "rct_27", "anx_III".
UNIT_PREFIX: dict[str, UnitKind] = {"art": "article", "rct": "recital", "anx": "annex"}
UNIT_NOUNS: dict[str, str] = {"art": "Articles", "rct": "Recitals", "anx": "Annexes"}

# The longest question accepted (characters): about two pages. People paste an e-mail or a
# contract clause with their question at the end (kb/questions.py decides what of it is searched).
MAX_QUERY_CHARS = 8000

# Words that carry no subject in an English question about the acts. One list for the keyword
# ranking and for matching an answer's sentences to the question.
STOPWORDS = frozenset(
    """a an and are as at be been but by can could do does did for from has have how i if in into is it
    its may me might must my no not of on or our shall should so such than that the their them then
    there these they this those to under up us was we were what when where which who whom why will
    with would you your yes also any all about""".split()  # noqa: SIM905 (a word list reads best as words)
)

MONTHS = (
    "January February March April May June July August September October November December".split()  # noqa: SIM905
)

# Numbers the acts write in words ("within fifteen days", "thirty days"), with their values.
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}

# "the third paragraph", "the second subparagraph": how the acts count unnumbered paragraphs.
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")

# Points of the acts go to (xx) at most; annexes to XX (the AI Act has XIII, XIV after 2026).
SMALL_ROMANS = tuple(
    "i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split()  # noqa: SIM905
)
ROMANS = tuple(r.upper() for r in SMALL_ROMANS)
_ROMAN = re.compile(r"(?i)x{0,3}(ix|iv|v?i{0,3})")


def is_roman(num: str) -> bool:
    """'III' or 'iv' -> True; '' or 'IIII' or 'C' -> False (numerals up to XXXIX)."""
    return num != "" and _ROMAN.fullmatch(num) is not None


def words(text: str) -> list[str]:
    """Lower-cased alphanumeric words of `text`."""
    return re.findall(r"[a-z0-9]+", text.lower())


def content_words(text: str) -> set[str]:
    """The words of `text` that carry its subject, crudely stemmed: "emotion" and "emotions" are
    the same word to a reader. Used to match an answer's sentences to the question."""
    return {re.sub(r"(?:ies|es|s)$", "", w) for w in words(text) if w not in STOPWORDS and len(w) > 2}


def normal_term(term: str) -> str:
    """A defined term as compared: lower case, hyphens as spaces, and singular, so that
    "Deployers" and "deployer" name the same definition."""
    found = re.findall(r"[a-z0-9]+", term.lower().replace("-", " "))
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in found)

"""Where a unit sits in its act, written the way a reader scans it:
"AI Act › Chapter II Prohibited AI practices › Article 5 Prohibited AI practices"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.document import Unit


def acronyms(texts: Iterable[str]) -> set[str]:
    """Words an act writes in capitals in running text ("AI", "SMEs", "EU")."""
    return {w for text in texts for w in re.findall(r"\b[A-Z][A-Z0-9]+s?\b", text) if len(w) <= 6}


def proper_words(texts: Iterable[str]) -> set[str]:
    """Words an act capitalises inside its sentences more often than not ("Commission",
    "European", "Central", "Bank", "Union", "Directive"): the names that a title printed in
    capitals keeps capitalised in sentence case. A capital after a sentence's end is not counted."""
    capital: dict[str, int] = {}
    lower: dict[str, int] = {}
    for text in texts:
        for m in re.finditer(r"(?<=[a-z0-9,;)’] )([A-Za-z][a-z]+)\b", text):
            word = m.group(1)
            counts = capital if word[0].isupper() else lower
            counts[word.lower()] = counts.get(word.lower(), 0) + 1
    # Twice at least: one capital in a quoted title ("‘Data Act’") does not make a name.
    return {w.capitalize() for w, n in capital.items() if n >= 2 and n > lower.get(w, 0)}


def sentence_case(title: str, keep: set[str]) -> str:
    """'PROHIBITED AI PRACTICES' -> 'Prohibited AI practices' (chapter titles are printed in
    capitals); `keep` holds the act's acronyms ("AI") and names ("Commission"), which keep their
    case, and an act number ("96/9/EC") stays as printed."""
    out = " ".join(_word_case(w, keep) for w in title.split(" "))
    return out[:1].upper() + out[1:]


def _word_case(word: str, keep: set[str]) -> str:
    core = word.strip(".,;:()‘’“”")
    if core in keep or any(c.isdigit() for c in core):
        return word
    if core.capitalize() in keep:
        return word.replace(core, core.capitalize())
    return word.lower()


def heading_path(short_name: str, unit: Unit, keep: set[str]) -> str:
    parts = [short_name]
    if unit.chapter:
        parts.append(f"{unit.chapter.label} {sentence_case(unit.chapter.title, keep)}")
    if unit.section:
        parts.append(f"{unit.section.label} {unit.section.title}")
    parts.append(f"{unit.label} {unit.title}".strip())
    return " › ".join(parts)

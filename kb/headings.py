"""Where a unit sits in its act, written the way a reader scans it:
"AI Act › Chapter II Prohibited AI practices › Article 5 Prohibited AI practices"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.document import Unit


def acronyms(texts: Iterable[str]) -> set[str]:
    """Words an act writes in capitals in running text ("AI", "SMEs", "EU")."""
    return {w for text in texts for w in re.findall(r"\b[A-Z][A-Z0-9]+s?\b", text) if len(w) <= 6}


def sentence_case(title: str, keep: set[str]) -> str:
    """'PROHIBITED AI PRACTICES' -> 'Prohibited AI practices' (chapter titles are printed in capitals)."""
    words = [w if w in keep else w.lower() for w in title.split(" ")]
    out = " ".join(words)
    return out[:1].upper() + out[1:]


def heading_path(short_name: str, unit: Unit, keep: set[str]) -> str:
    parts = [short_name]
    if unit.chapter:
        parts.append(f"{unit.chapter.label} {sentence_case(unit.chapter.title, keep)}")
    if unit.section:
        parts.append(f"{unit.section.label} {unit.section.title}")
    parts.append(f"{unit.label} {unit.title}".strip())
    return " › ".join(parts)

"""The words an act's headings and title are written with, in English, French and German: what
tells a parser that "Article premier", "Artikel 1", "ANNEXE III", "ANHANG III", "CHAPITRE II",
"KAPITEL II" and "RÈGLEMENT (UE) 2024/1689" / "VERORDNUNG (EU) 2024/1689" are what the English
parsers know as "Article 1", "ANNEX III", "CHAPTER II" and "REGULATION (EU) 2024/1689".

The words are those of the Official Journal's French and German renditions (the French AI Act
in ../shared/corpus/fr; the German words from the EUR-Lex style guide's headings, untested on a
real German file here).
"""

from __future__ import annotations

import re

# Article headings: "Article 5", "Artikel 5"; the first article of a French act is "Article
# premier" (the OJ's French style), of a German one "Artikel 1".
ARTICLE = re.compile(r"^(?:Article|Artikel)\s+(premier|\d+[a-z]?)$")
CHAPTER = re.compile(r"^(?:CHAPTER|CHAPITRE|KAPITEL)\s+([IVXLC]+)$")
SECTION = re.compile(r"^(?:SECTION|ABSCHNITT)\s+(\d+)$")
ANNEX = re.compile(r"^(?:ANNEX|ANNEXE|ANHANG)\s+([IVXLC]+)$", re.IGNORECASE)
# The same words inside a longer heading (Formex TI elements: "CHAPITRE III", "Abschnitt 2").
DIVISION_WORDS = {
    "CHAPTER": "CHAPTER",
    "CHAPITRE": "CHAPTER",
    "KAPITEL": "CHAPTER",
    "SECTION": "SECTION",
    "ABSCHNITT": "SECTION",
    "TITLE": "TITLE",
    "TITRE": "TITLE",
    "TITEL": "TITLE",
    "PART": "PART",
    "PARTIE": "PART",
    "TEIL": "PART",
}
ARTICLE_WORDS = ("Article", "Artikel")
ANNEX_WORDS = ("ANNEX", "ANNEXE", "ANHANG")

# An act's number in its title, in each language: kind, union, year, number.
_KINDS = {
    "REGULATION": "REGULATION",
    "RÈGLEMENT": "REGULATION",
    "REGLEMENT": "REGULATION",
    "VERORDNUNG": "REGULATION",
    "DIRECTIVE": "DIRECTIVE",
    "RICHTLINIE": "DIRECTIVE",
    "DECISION": "DECISION",
    "DÉCISION": "DECISION",
    "BESCHLUSS": "DECISION",
}
TITLE_NUMBER = re.compile(
    r"(REGULATION|R[ÈE]GLEMENT|VERORDNUNG|DIRECTIVE|RICHTLINIE|D[ÉE]CISION|BESCHLUSS)\s+"
    r"\((EU|EC|UE|CE|EG)\)\s*(?:No\s+|n[o°]\s*|Nr\.\s*)?(\d{4})/(\d+)",
    re.IGNORECASE,
)
_UNION = {"EU": "EU", "UE": "EU", "EC": "EC", "CE": "EC", "EG": "EC"}


def article_number(word: str) -> str:
    """'premier' -> '1', '5' -> '5': the number an article heading gives."""
    return "1" if word.lower() == "premier" else word


def division(word: str) -> str | None:
    """'CHAPITRE' -> 'CHAPTER', 'Abschnitt' -> 'SECTION'; None for another word."""
    return DIVISION_WORDS.get(word.upper())


def act_number(title: str) -> tuple[str, str, str, int] | None:
    """(kind in English, union in English, year, number) of the act a title names first, in any
    of the three languages: 'RÈGLEMENT (UE) 2024/1689 …' -> ('REGULATION', 'EU', '2024', 1689)."""
    m = TITLE_NUMBER.search(title)
    if not m:
        return None
    kind = _KINDS[m.group(1).upper()]
    return kind, _UNION[m.group(2).upper()], m.group(3), int(m.group(4))


def celex(title: str) -> str | None:
    """The CELEX number of the act a title names: '32024R1689' for Regulation (EU) 2024/1689."""
    found = act_number(title)
    if found is None:
        return None
    kind, _union, year, number = found
    letter = {"REGULATION": "R", "DIRECTIVE": "L", "DECISION": "D"}[kind]
    return f"3{year}{letter}{number:04d}"

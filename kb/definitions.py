"""Defined terms: "what is a deployer?" should land on the point of Article 3 that defines it.

Definitions are read from each act's own definitions article ("‘deployer’ means …"), so any
act added to the corpus brings its terms along.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb.document import Block, Unit
from kb.vocabulary import normal_term

# "‘AI system’ means", "‘exportable data’, for the purpose of …, means", "‘small mid-cap
# enterprise’ or ‘SMC’ means"; the Data Act prints one definition without its opening quote,
# so that quote is optional.
_TERM = re.compile(
    r"^[‘'“\"]?(?P<term>[^’'”\"]{2,80})[’'”\"](?:\s+or\s+[‘'“\"](?P<alt>[^’'”\"]{2,80})[’'”\"])?"
    r"(?:,[^’]*?)?\s+means\b"
)


@dataclass(frozen=True)
class Definition:
    term: str
    doc: str
    unit: str  # the definitions article, e.g. "art_3"
    num: str  # the point number, e.g. "4"
    start: int  # span of the point in the unit text
    end: int


def definitions_in(doc: str, unit: Unit) -> list[Definition]:
    found = []
    blocks: list[Block] = unit.all_blocks()
    for block in blocks:
        # Definitions are numbered points: (4), and (14a) where an amendment inserted one.
        if block.kind != "point" or not block.num or not re.fullmatch(r"\d+[a-z]*", block.num):
            continue
        m = _TERM.match(block.text)
        for term in (m.group("term"), m.group("alt")) if m else ():
            if term:
                found.append(Definition(term.strip(), doc, unit.id, block.num, block.start, block.end))
    return found


def is_definitions_article(unit: Unit) -> bool:
    return unit.kind == "article" and unit.title.strip().lower() == "definitions"


class Glossary:
    """The defined terms of the acts in one version, by normal form (kb/vocabulary.normal_term)."""

    def __init__(self, definitions: list[Definition]) -> None:
        self.by_term: dict[str, list[Definition]] = {}
        for d in definitions:
            self.by_term.setdefault(normal_term(d.term), []).append(d)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_term.values())

    def terms(self) -> dict[str, str]:
        """Each defined term's normal form -> the term as its first definition writes it (what
        kb/query.py reads a question against)."""
        return {key: defs[0].term for key, defs in self.by_term.items()}

    def defining(self, terms: Iterable[str]) -> list[Definition]:
        """The definitions of the terms a question asks about (`Query.defines`, normal forms)."""
        return [d for term in terms for d in self.by_term.get(term, [])]

"""Defined terms: "what is a deployer?" should land on the point of Article 3 that defines it.

Definitions are read from each act's own definitions article ("‘deployer’ means …"), so any
act added to the corpus brings its terms along.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.document import Block, Unit

# "‘AI system’ means", "‘exportable data’, for the purpose of …, means", "‘small mid-cap
# enterprise’ or ‘SMC’ means"; the Data Act prints one definition without its opening quote,
# so that quote is optional.
_TERM = re.compile(
    r"^[‘'“\"]?(?P<term>[^’'”\"]{2,80})[’'”\"](?:\s+or\s+[‘'“\"](?P<alt>[^’'”\"]{2,80})[’'”\"])?"
    r"(?:,[^’]*?)?\s+means\b"
)
_QUOTED = re.compile(r"[‘'“\"]([^’'”\"]{2,80})[’'”\"]")
_CUES = re.compile(
    r"\b(what (?:is|are|does|counts)|who (?:is|are|counts)|meaning|mean|means|define[sd]?|definition|"
    r"counts? as|qualif(?:y|ies) as|considered (?:a|an)|in (?:legal|\w+ act) terms|under the \w+ act)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Definition:
    term: str
    doc: str
    unit: str  # the definitions article, e.g. "art_3"
    num: str  # the point number, e.g. "4"
    start: int  # span of the point in the unit text
    end: int


def _norm(term: str) -> str:
    words = re.findall(r"[a-z0-9]+", term.lower().replace("-", " "))
    # Singular and plural name the same thing: "deployers" asks about "deployer".
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


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
    def __init__(self, definitions: list[Definition]) -> None:
        self.by_term: dict[str, list[Definition]] = {}
        for d in definitions:
            self.by_term.setdefault(_norm(d.term), []).append(d)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_term.values())

    def lookup(self, query: str) -> list[Definition]:
        """The definitions a query asks for: a quoted term, or a defined term after a cue
        like "what is" or "meaning of". The longest matching term wins."""
        quoted = [_norm(q) for q in _QUOTED.findall(query)]
        hits = [d for q in quoted for d in self.by_term.get(q, [])]
        if hits:
            return hits
        if not _CUES.search(query):
            return []
        normalized = f" {_norm(query)} "
        best: list[Definition] = []
        best_len = 0
        for term, defs in self.by_term.items():
            if len(term) > best_len and f" {term} " in normalized:
                best, best_len = defs, len(term)
        # An unquoted term must be the subject of the question, not a passing word in it:
        # "what are the obligations for AI systems" does not ask what an AI system is.
        if best and not _asks_about(query, best[0].term):
            return []
        return best


def _asks_about(query: str, term: str) -> bool:
    pattern = (
        r"\b(?:what|who)\s+(?:is|are|counts as)\s+(?:a|an|the)?\s*" + re.escape(term) + r"s?\b"
        r"|\b(?:meaning of|define|definition of)\s+(?:a|an|the)?\s*[‘'“\"]?"
        + re.escape(term)
        + r"|\b"
        + re.escape(term)
        + r"s?[’'”\"]?\s+(?:means|mean)\b"
        + r"|\bis\s+(?:a|an|the)\s+"
        + re.escape(term)
        + r"\b"
    )
    return re.search(pattern, query, re.IGNORECASE) is not None

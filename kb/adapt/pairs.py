"""Pairs of (a text, the provision it is about) that the acts themselves hold: what the encoder is
adapted on (kb/adapt/). Nothing here comes from a question set.

Four sources, each named by its `kind`:
- `citing`: a sentence elsewhere in the acts that cites a provision ("the technical documentation
  referred to in Article 11 shall …"), with the reference cut out, so that what is left is the
  other provision's words for the cited one;
- `title`: an article's or annex's title and the unit ("Obligations of deployers of high-risk AI
  systems" -> Article 26);
- `definition`: a defined term and the article that defines it ("deployer" -> Article 3);
- `recital`: a recital that names the article it explains ("… as provided for in Article 50")
  and that article.

Every act in the index gets the same pairs, so an added act brings its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from kb.definitions import definitions_in, is_definitions_article
from kb.document import Unit
from kb.sentences import spans_of

PairKind = Literal["citing", "title", "definition", "recital"]
KINDS: tuple[PairKind, ...] = ("citing", "title", "definition", "recital")

# A citing sentence shorter than this (in words, once its references are cut) says too little
# of the cited provision to be its paraphrase ("as referred to in Article 6(2)."): 6 words drops
# the bare cross-references and keeps "the technical documentation … shall be kept up to date".
MIN_WORDS = 6
# A citing sentence longer than this (characters) is cut around the reference: the acts' long
# enumerations would otherwise stand for every provision they name. 400 characters is about
# 70 words, over a third of MiniLM's 256-token window.
MAX_CHARS = 400
# A sentence citing more than this many distinct units is a list of references, not a
# description of one ("Articles 8 to 15, 17 and 43").
MAX_TARGETS = 3
# What leads into a reference and means nothing once it is cut: "referred to in", "pursuant to".
_LEAD = re.compile(
    r"(?:\bas\s+)?\b(?:referred to in|laid down in|set out in|provided for in|pursuant to|"
    r"in accordance with|under|specified in|listed in|mentioned in)\s*$",
    re.IGNORECASE,
)
# What follows a reference and means nothing once it is cut: "of this Regulation", "thereof".
_TAIL = re.compile(r"^(?:,?\s+of this (?:Regulation|Directive)|\s+thereof)\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# "Article 4(2) TEU" is the Treaty's, whatever the reference resolver made of it.
_TREATY = re.compile(r",?\s*(?:TEU|TFEU|of the (?:Charter|Treaty))\b")
# A preposition left before a cut act's name or at the end: "Article 4 of Regulation (EU) …".
_ORPHAN = re.compile(r"(?:^|\s)(?:of|to|in)(?=\s*(?:[,;.)]|$))|^\s*of\b", re.IGNORECASE)
# An amending act's instruction ("paragraph 3 is replaced by the following:") says where text
# goes, not what a provision is about.
_INSTRUCTION = re.compile(
    r"\b(?:is|are) (?:hereby )?(?:replaced|amended|inserted|deleted|added)\b|\bthe following\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pair:
    """`text` is about the unit `unit` of act `doc` (its id: "art_11"); `kind` is its source."""

    text: str
    doc: str
    unit: str
    kind: PairKind


def pairs_of(units: Mapping[tuple[str, str], Unit]) -> list[Pair]:
    """Every pair the units (by (act id, unit id)) hold, without repeats, in the units' order:
    deterministic for the same units."""
    out: list[Pair] = []
    for (doc, uid), unit in units.items():
        if unit.title and unit.kind in ("article", "annex"):
            out.append(Pair(unit.title.strip(), doc, uid, "title"))
        if is_definitions_article(unit):
            out.extend(Pair(d.term, doc, uid, "definition") for d in definitions_in(doc, unit))
        out.extend(_citing(doc, uid, unit, units))
    return list(dict.fromkeys(out))


def _citing(doc: str, uid: str, unit: Unit, units: Mapping[tuple[str, str], Unit]) -> Iterable[Pair]:
    """The sentences of `unit` that cite another unit of the corpus, one pair per cited unit."""
    refs = [
        r
        for r in unit.refs
        if r.doc and r.unit and (r.doc, r.unit) != (doc, uid) and not _TREATY.match(unit.text, r.end)
    ]
    if not refs:
        return
    every = [(r.start, r.end) for r in unit.refs]  # an act's name is cut too, not only a provision's
    kind: PairKind = "recital" if unit.kind == "recital" else "citing"
    for start, end in spans_of(unit.text, clauses=True):
        inside = [r for r in refs if start <= r.start and r.end <= end]
        targets = list(dict.fromkeys((r.doc, r.unit) for r in inside))
        if not targets or len(targets) > MAX_TARGETS:
            continue
        text = _cut(unit.text, start, end, [(s, e) for s, e in every if start <= s and e <= end])
        if len(text.split()) < MIN_WORDS or _INSTRUCTION.search(text):
            continue
        for target_doc, target_unit in targets:
            if (target_doc, target_unit) in units:
                yield Pair(text, str(target_doc), str(target_unit), kind)


def _cut(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """The sentence text[start:end] without the references at `spans` and what they leave
    dangling, at most MAX_CHARS long around the first reference."""
    if end - start > MAX_CHARS:
        middle, first, last = spans[0][0], start, end
        start = max(start, middle - MAX_CHARS // 2)
        end = min(end, start + MAX_CHARS)
        # Whole words only, where the window cuts into the sentence.
        if start > first:
            start = text.find(" ", start, middle) + 1 or start
        if end < last:
            end = max(text.rfind(" ", spans[0][1], end), spans[0][1])
    parts, pos = [], start
    for s, e in sorted(spans):
        s, e = max(s, start), min(e, end)
        if s < pos:
            continue
        lead = _LEAD.search(text, pos, s)
        tail = _TAIL.match(text[e:end])
        parts.append(text[pos : lead.start() if lead else s])
        pos = e + (tail.end() if tail else 0)
    parts.append(text[pos:end])
    joined = _SPACES.sub(" ", " ".join(parts))
    joined = _ORPHAN.sub("", joined).strip(" ,;")
    return re.sub(r"\s+([,;.)])", r"\1", re.sub(r",(\s*,)+", ",", joined))

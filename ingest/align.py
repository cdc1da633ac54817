"""A language version of an act aligned with its English text, passage by passage.

Both texts are parsed into the same block tree (ingest/eurlex_html.py for the English act,
ingest/rendition_md.py or the same parsers for the rendition), and every block has an address
in its unit: its kind and number ("paragraph 1", "point h"), or for an unnumbered block its
place among its unnumbered siblings ("the 2nd text block of paragraph 3"). For each English
passage of the version the rendition is of (the text as first published), the rendition's
passage is the span of the rendition's blocks at the addresses of the English passage's blocks:
the same unit, the same pinpoint. A unit that is one passage takes the rendition's whole unit.
Nothing is aligned by guess: a passage none of whose blocks has a counterpart gets none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kb.document import Act, Block, Passage, Unit

Address = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class LanguagePassage:
    """The rendition's text of one English passage (`passage`, its row in the index)."""

    passage: int
    doc: str
    unit: str
    pinpoint: str
    text: str  # a verbatim slice of the rendition's unit
    embed_text: str  # what the multilingual encoder sees: the unit's title, lead-in and text
    complete: bool  # every block of the English passage has its counterpart


@dataclass
class Alignment:
    """What aligned: the passages, and the units on either side without a counterpart."""

    passages: list[LanguagePassage] = field(default_factory=list)
    units_aligned: int = 0
    english_without: list[str] = field(default_factory=list)  # English unit ids
    rendition_without: list[str] = field(default_factory=list)  # rendition unit ids
    passages_unaligned: int = 0  # English passages of aligned units with no counterpart
    passages_partial: int = 0  # aligned passages missing some of the English blocks

    def summary(self, language: str) -> str:
        """One line for the ingest's output."""
        line = (
            f"{language}: {self.units_aligned} units aligned, {len(self.passages)} passages "
            f"({self.passages_partial} partial, {self.passages_unaligned} English passages without "
            "a counterpart)"
        )
        if self.english_without:
            line += f"; English units without a counterpart: {_short(self.english_without)}"
        if self.rendition_without:
            line += f"; units of the rendition without an English unit: {_short(self.rendition_without)}"
        return line


def align(english: list[Unit], passages: list[tuple[int, Passage]], rendition: Act) -> Alignment:
    """The rendition's passages for the English `passages` ((row, passage), of the English
    units `english`, the version the rendition is of), and what had no counterpart."""
    out = Alignment()
    theirs = {u.id: u for u in rendition.units}
    ours = {u.id: u for u in english}
    out.english_without = [u.id for u in english if u.id not in theirs]
    out.rendition_without = [u.id for u in rendition.units if u.id not in ours]
    out.units_aligned = sum(1 for u in english if u.id in theirs)
    by_unit: dict[str, list[tuple[int, Passage]]] = {}
    for row, p in passages:
        by_unit.setdefault(p.unit, []).append((row, p))
    for unit in english:
        other = theirs.get(unit.id)
        if other is None:
            continue
        mine = by_unit.get(unit.id, [])
        if len(mine) == 1 and mine[0][1].start == 0 and mine[0][1].end >= len(unit.text):
            row, p = mine[0]
            out.passages.append(_passage(row, p, other, other.text, "", True))
            continue
        counterpart = _counterparts(unit, other)
        for row, p in mine:
            found = _span(unit, other, counterpart, p)
            if found is None:
                out.passages_unaligned += 1
                continue
            text, context, complete = found
            out.passages_partial += not complete
            out.passages.append(_passage(row, p, other, text, context, complete))
    return out


def _passage(row: int, p: Passage, other: Unit, text: str, context: str, complete: bool) -> LanguagePassage:
    embed = "\n".join(part for part in (other.title, context, text) if part)
    return LanguagePassage(row, p.doc, p.unit, p.pinpoint, text, embed, complete)


def addresses(blocks: list[Block], prefix: Address = ()) -> dict[Address, Block]:
    """Every block of a tree by its address: kind and number, or kind and place among the
    unnumbered blocks of that kind beside it ("#0", "#1")."""
    out: dict[Address, Block] = {}
    seen: Counter[str] = Counter()
    for b in blocks:
        if b.num:
            key = (b.kind, b.num)
        else:
            key = (b.kind, f"#{seen[b.kind]}")
            seen[b.kind] += 1
        here = (*prefix, key)
        out.setdefault(here, b)
        out.update({a: c for a, c in addresses(b.children, here).items() if a not in out})
    return out


def _counterparts(unit: Unit, other: Unit) -> dict[int, tuple[Block, Block | None]]:
    """English block (by id()) -> (its rendition counterpart, the counterpart's parent). An
    unnumbered block is known only by its place among its unnumbered siblings: where the two
    texts do not have as many of them under the same parent (a subparagraph one rendition splits
    in two), their places say nothing, and neither they nor what they hold are aligned."""
    mine, theirs = addresses(unit.blocks), addresses(other.blocks)
    my_places, their_places = _places(mine), _places(theirs)
    out: dict[int, tuple[Block, Block | None]] = {}
    for address, block in mine.items():
        found = theirs.get(address)
        if found is not None and _same_places(address, my_places, their_places):
            out[id(block)] = (found, theirs.get(address[:-1]) if len(address) > 1 else None)
    return out


def _places(tree: dict[Address, Block]) -> Counter[tuple[Address, str]]:
    """How many unnumbered blocks of each kind each parent holds."""
    return Counter((a[:-1], a[-1][0]) for a in tree if a[-1][1].startswith("#"))


def _same_places(
    address: Address, mine: Counter[tuple[Address, str]], theirs: Counter[tuple[Address, str]]
) -> bool:
    """Whether every unnumbered step of `address` has as many siblings of its kind in both."""
    return all(
        mine[(address[:depth], kind)] == theirs[(address[:depth], kind)]
        for depth, (kind, num) in enumerate(address)
        if num.startswith("#")
    )


def _span(
    unit: Unit, other: Unit, counterpart: dict[int, tuple[Block, Block | None]], p: Passage
) -> tuple[str, str, bool] | None:
    """The rendition's text of the blocks of `p`, the lead-in of its first block where the
    passage starts below it, and whether every block had a counterpart; None when none had."""
    inside = [b for b in unit.all_blocks() if b.start < p.end and b.own_end > p.start]
    found = [counterpart[id(b)] for b in inside if id(b) in counterpart]
    if not found:
        return None
    start = min(b.start for b, _ in found)
    end = max(b.own_end for b, _ in found)
    parent = found[0][1]
    context = ""
    if parent is not None and parent.start < start and all(b is not parent for b, _ in found):
        context = other.text[parent.start : parent.own_end]
    return other.text[start:end], context, len(found) == len(inside)


def _short(ids: list[str], most: int = 12) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")

"""Hits that do not need ranking: the provision a query names ("Art. 5(1)(f) AI Act") and the
definition of a term it asks about. A named provision that does not exist gets a notice that
says what does."""

from __future__ import annotations

from kb.citations import pinpoint_of
from kb.definitions import Definition
from kb.document import Block, Unit
from kb.grammar import QueryRef
from kb.manifest import ActInfo
from kb.query_refs import not_found
from kb.results import Hit
from kb.search.blocks import block_path, find_block
from kb.search.hits import HitMaker, Match
from kb.vocabulary import UNIT_NOUNS


class Pinner:
    """References and definitions in one view: `acts` in view, `units` by (act id, unit id)."""

    def __init__(self, acts: dict[str, ActInfo], units: dict[tuple[str, str], Unit], hits: HitMaker) -> None:
        self.acts = acts
        self.units = units
        self.hits = hits

    def reference(self, ref: QueryRef, scope: list[str] | None) -> tuple[list[Hit], str | None]:
        """The named provision in each act it may belong to, or no hit and a notice saying that
        it does not exist and what the acts have instead."""
        targets = [ref.doc] if ref.doc else list(self.acts)
        amended = self.acts[ref.doc].amends if ref.doc in self.acts else None
        if amended in self.acts and (ref.doc, ref.unit) not in self.units:
            # "Annex III, as the Digital Omnibus changed it": the provision is the amended act's.
            targets = [amended]
        if scope:
            targets = [d for d in targets if d in scope]
        hits = []
        for doc in targets:
            unit = self.units.get((doc, ref.unit))
            if unit is None:
                continue
            block = find_block(unit, ref.pinpoint) if ref.pinpoint else None
            if block is not None:
                hits.append(self.block_hit(doc, unit, block, "reference"))
            else:
                hits.append(self.hits.span(doc, unit, 0, len(unit.text), unit.num, "", 1.0, "reference"))
        if hits:
            return hits, None
        names = [self.acts[d].short_name for d in targets]
        return [], not_found(ref.text, names, extent(targets, ref.unit, self.acts, self.units))

    def definition(self, d: Definition) -> Hit:
        """The point of the definitions article that defines the term."""
        unit = self.units[(d.doc, d.unit)]
        block = next(b for b in unit.all_blocks() if b.start == d.start and b.kind == "point")
        return self.block_hit(d.doc, unit, block, "definition")

    def citing(self, numbers: list[str], scope: list[str] | None, limit: int = 3) -> list[Hit]:
        """Provisions that cite the EU acts numbered `numbers` ("2022/1925"), at most `limit`:
        the block that holds the reference, marked as citing."""
        out: list[Hit] = []
        for (doc, _), unit in self.units.items():
            if scope and doc not in scope:
                continue
            for r in unit.refs:
                if r.doc is None and r.external and any(n in r.external for n in numbers):
                    block = _innermost(unit, r.start, r.end)
                    if block is None:
                        out.append(self.hits.span(doc, unit, 0, len(unit.text), unit.num, "", 1.0, "citing"))
                    else:
                        out.append(self.block_hit(doc, unit, block, "citing"))
                    break
            if len(out) >= limit:
                break
        return out

    def block_hit(self, doc: str, unit: Unit, block: Block, match: Match) -> Hit:
        path = block_path(unit, block)
        context = " … ".join(b.text for b in path[:-1] if b.text and b.kind != "heading")
        return self.hits.span(doc, unit, block.start, block.end, pinpoint_of(unit, path), context, 1.0, match)


def extent(
    docs: list[str], unit_id: str, acts: dict[str, ActInfo], units: dict[tuple[str, str], Unit]
) -> str:
    """What the acts have instead of a missing unit: " (AI Act has Articles 1 to 113)"."""
    prefix = unit_id.split("_")[0]
    parts = []
    for doc in docs:
        if doc not in acts:
            continue
        nums = [u.num for (d, _), u in units.items() if d == doc and u.id.startswith(prefix + "_")]
        if nums:
            parts.append(f"{acts[doc].short_name} has {UNIT_NOUNS[prefix]} {nums[0]} to {nums[-1]}")
        else:
            parts.append(f"{acts[doc].short_name} has none")
    return f" ({'; '.join(parts)})" if parts else ""


def _innermost(unit: Unit, start: int, end: int) -> Block | None:
    """The deepest block whose text holds unit.text[start:end]."""
    found = None
    for block in unit.all_blocks():
        if block.start <= start and end <= block.end and (found is None or block.start >= found.start):
            found = block
    return found

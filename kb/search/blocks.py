"""Finding a block inside a unit: the paragraph or point a pinpoint names, and the chain of
blocks from the unit's top to it."""

from __future__ import annotations

import re

from kb.citations import paragraph_style
from kb.document import Block, Unit


def find_block(unit: Unit, pinpoint: str) -> Block | None:
    """The block a pinpoint names: "5(1)(f)" in Article 5, "III(5)" in Annex III; None when the
    unit has no such part."""
    if not pinpoint.startswith(unit.num):
        return None
    comps = re.findall(r"\(([^)]+)\)", pinpoint[len(unit.num) :])
    if not comps:
        return None
    level: list[Block] = unit.blocks
    found: Block | None = None
    for depth, comp in enumerate(comps):
        if depth == 0 and paragraph_style(unit) == "ordinal" and comp.isdigit():
            paragraphs = unit.paragraphs()
            found = paragraphs[int(comp) - 1] if int(comp) <= len(paragraphs) else None
        else:
            found = _find_num(level, comp)
            if found is None and depth == 0:
                # "Art. 5 lit. f": a point named without its paragraph, where one paragraph has it.
                candidates = [b for p in unit.paragraphs() if (b := _find_num(p.children, comp))]
                found = candidates[0] if len(candidates) == 1 else None
        if found is None:
            return None
        level = found.children
    return found


def _find_num(blocks: list[Block], num: str) -> Block | None:
    for b in blocks:
        if b.num == num and b.kind != "text":
            return b
    # Points hang from their lead-in text, and annex points from section headings.
    for b in blocks:
        if b.kind in ("text", "heading"):
            found = _find_num(b.children, num)
            if found is not None:
                return found
    return None


def block_path(unit: Unit, target: Block) -> list[Block]:
    """The blocks from the unit's top down to `target`, `target` last."""

    def walk(blocks: list[Block], trail: list[Block]) -> list[Block] | None:
        for b in blocks:
            if b is target:
                return [*trail, b]
            found = walk(b.children, [*trail, b])
            if found:
                return found
        return None

    return walk(unit.blocks, []) or [target]

"""Apply an amending act's instructions to an act, giving the act as amended.

Each instruction is applied only when its place and its new text fit the act exactly: the
target exists, replaced and deleted numbers are found, and new text carries the numbers it
should. Anything else is not guessed at: the unit is flagged with the instruction and its
amending text, and keeps its earlier wording. Every unit an instruction touched records it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest import formex
from ingest.amend import Instruction
from kb.document import Act, Amendment, Block, Unit


class NotMechanical(Exception):
    """The instruction cannot be applied without reading it as a lawyer would."""


@dataclass
class AmendingAct:
    id: str  # "ai-act-amendment-2026-1744"
    citation: str  # "Regulation (EU) 2026/1744"
    in_force: str  # ISO date
    files: dict[str, Path] = field(default_factory=dict)  # included files by their Formex name


@dataclass
class Outcome:
    instruction: str  # "40(b)"
    point: int
    unit: str | None  # the unit it changed or flagged
    applied: bool
    reason: str = ""


@dataclass
class Consolidation:
    act: Act
    outcomes: list[Outcome]
    changed: set[str]  # units whose text differs from the earlier version (new ones included)
    removed: set[str]

    def points(self) -> tuple[list[int], list[int]]:
        """Amending points applied in full, and those with at least one flagged instruction."""
        flagged = sorted({o.point for o in self.outcomes if not o.applied})
        applied = sorted({o.point for o in self.outcomes} - set(flagged))
        return applied, flagged


def consolidate(base: Act, instructions: list[Instruction], amending: AmendingAct) -> Consolidation:
    act = copy.deepcopy(base)
    before = {u.id: (u.title, u.text) for u in base.units}
    outcomes = []
    for ins in instructions:
        unit_id = _unit_id(ins)
        try:
            unit_id = _apply(act, ins, amending)
            outcomes.append(Outcome(ins.number, ins.point, unit_id, True))
            _record(act, unit_id, ins, amending, applied=True)
        except NotMechanical as exc:
            outcomes.append(Outcome(ins.number, ins.point, unit_id, False, str(exc)))
            if unit_id and act.unit(unit_id) is not None:
                _record(act, unit_id, ins, amending, applied=False, reason=str(exc))
    for unit in act.units:
        unit.render()
    after = {u.id: (u.title, u.text) for u in act.units}
    changed = {uid for uid, state in after.items() if before.get(uid) != state}
    changed |= {u.id for u in act.units if any(not a.applied for a in u.amendments)}
    return Consolidation(act, outcomes, changed, set(before) - set(after))


def _record(
    act: Act, unit_id: str | None, ins: Instruction, amending: AmendingAct, applied: bool, reason: str = ""
) -> None:
    unit = act.unit(unit_id) if unit_id else None
    if unit is None:
        return
    unit.amendments.append(
        Amendment(
            act=amending.id,
            citation=f"{amending.citation}, Article 1, {ins.citation_point}",
            instruction=ins.wording,
            target=ins.target.describe() or unit.label,
            action=ins.action,
            in_force=amending.in_force,
            applied=applied,
            text="" if applied else ins.text,
            reason=reason,
        )
    )


def _unit_id(ins: Instruction) -> str | None:
    if ins.target.article:
        return f"art_{ins.target.article}"
    if ins.target.annex:
        return f"anx_{ins.target.annex}"
    return None


# -- applying one instruction --------------------------------------------------------------------


def _apply(act: Act, ins: Instruction, amending: AmendingAct) -> str:
    t = ins.target
    if ins.new_kind == "article":
        return _insert_units(act, [formex.article_unit(q, ins.outer) for q in _only(ins, "ARTICLE")])
    if ins.new_kind == "annex":
        return _add_annex(act, ins, amending)
    unit = _unit(act, ins)
    if t.article and not (t.paragraphs or t.paragraph_ordinal or t.points or t.part or ins.new_kind):
        if ins.action != "replace":
            raise NotMechanical(f"“{ins.wording}” names a whole article without replacing it")
        new = formex.article_unit(_only(ins, "ARTICLE")[0], ins.outer)
        if new.num != unit.num:
            raise NotMechanical(f"the new text is Article {new.num}, not Article {unit.num}")
        unit.title, unit.blocks = new.title, new.blocks
        return unit.id
    if t.part == "heading":
        unit.title = formex.text_of(_only(ins, "STI.ART")[0], ins.outer)
        return unit.id

    if ins.new_kind == "paragraph":
        if not unit.numbered_paragraphs:
            raise NotMechanical(f"{unit.label} has no numbered paragraphs to add one to")
        for block in _new_blocks(ins):
            _expect(block, "paragraph")
            _place(unit.blocks, block, ins.action)
        return unit.id
    if ins.new_kind == "subparagraph":
        paragraph = _paragraph(unit, ins)
        for block in _new_blocks(ins):
            _expect(block, "text")
            paragraph.children.append(block)
        return unit.id
    if ins.new_kind == "point":
        owner = _point_owner(unit, ins)
        for block in _new_blocks(ins):
            _expect(block, "point")
            _place(owner.children, block, ins.action)
        return unit.id

    if t.points:
        owner = _point_owner(unit, ins)
        if ins.action == "delete":
            for num in t.points:
                owner.children.remove(_numbered(owner.children, num, "point"))
            return unit.id
        if ins.action in ("replace", "amend"):
            # "point (14) is amended as follows: ‘(14) …’" quotes the point whole: a replacement.
            for block in _new_blocks(ins):
                _expect(block, "point")
                if block.num not in t.points:
                    raise NotMechanical(
                        f"the new text is point ({block.num}), not point ({' and '.join(t.points)})"
                    )
                old = _numbered(owner.children, block.num, "point")
                owner.children[owner.children.index(old)] = block
            return unit.id
        raise NotMechanical(f"“{ins.wording}”: no rule for this action on points")

    if t.subparagraph or t.part == "intro":
        return _replace_subparagraph(unit, ins)

    if t.paragraphs:
        if ins.action == "delete":
            for num in t.paragraphs:
                unit.blocks.remove(_numbered(unit.blocks, num, "paragraph"))
            return unit.id
        if ins.action == "replace":
            for num in t.paragraphs:
                _numbered(unit.blocks, num, "paragraph")
            new = _new_blocks(ins)
            if sorted(b.num or "" for b in new) != sorted(t.paragraphs):
                raise NotMechanical("the new paragraphs are not numbered as the ones they replace")
            for block in new:
                old = _numbered(unit.blocks, block.num or "", "paragraph")
                unit.blocks[unit.blocks.index(old)] = block
            return unit.id
    raise NotMechanical(f"“{ins.wording}”: no rule applies to it")


def _replace_subparagraph(unit: Unit, ins: Instruction) -> str:
    t = ins.target
    paragraph = _paragraph(unit, ins)
    new = _new_blocks(ins)
    if len(new) != 1:
        raise NotMechanical("the new text is not one subparagraph")
    block = new[0]
    if block.kind == "paragraph":
        if block.num != paragraph.num:
            raise NotMechanical(f"the new text is paragraph {block.num}, not paragraph {paragraph.num}")
        if any(c.kind == "text" for c in block.children):
            raise NotMechanical("the new text has more than one subparagraph")
    if t.part == "intro":
        # The wording before a list of points: the points stay.
        if block.children:
            raise NotMechanical("the new introductory part carries points of its own")
        target = paragraph if (t.subparagraph or 1) == 1 else _subparagraph(paragraph, t.subparagraph or 1)
        target.text = block.text
        return unit.id
    n = t.subparagraph or 1
    if n == 1:
        # The first subparagraph is the paragraph's own text and the points that follow it.
        rest = _after_first(paragraph)
        paragraph.text, paragraph.children = block.text, [*block.children, *rest]
        return unit.id
    old = _subparagraph(paragraph, n)
    if block.kind != "text":
        raise NotMechanical("the new subparagraph is not a plain subparagraph")
    paragraph.children[paragraph.children.index(old)] = block
    return unit.id


def _add_annex(act: Act, ins: Instruction, amending: AmendingAct) -> str:
    if len(ins.included) != 1 or ins.included[0] not in amending.files:
        raise NotMechanical("the new annex is in a file that was not supplied")
    path = amending.files[ins.included[0]]
    heading = formex.text_of(formex.load(path).find("TITLE/TI"))
    m = re.search(r"Annex ([IVXLC]+)", heading, re.IGNORECASE)
    if not m:
        raise NotMechanical(f"the new annex is headed {heading!r}, without a number")
    num = m.group(1).upper()
    if act.unit(f"anx_{num}") is not None:
        raise NotMechanical(f"Annex {num} exists already")
    unit = formex.annex_unit(path, num)
    act.units.append(unit)
    return unit.id


def _insert_units(act: Act, units: list[Unit]) -> str:
    for unit in units:
        if act.unit(unit.id) is not None:
            raise NotMechanical(f"{unit.label} exists already")
        articles = [i for i, u in enumerate(act.units) if u.kind == "article"]
        after = [i for i in articles if sort_key(act.units[i].num) < sort_key(unit.num)]
        position = (after[-1] if after else articles[0] - 1) + 1
        neighbour = act.units[position - 1]
        unit.chapter, unit.section = neighbour.chapter, neighbour.section
        act.units.insert(position, unit)
    return units[0].id


# -- finding places ------------------------------------------------------------------------------


def _unit(act: Act, ins: Instruction) -> Unit:
    unit_id = _unit_id(ins)
    unit = act.unit(unit_id) if unit_id else None
    if unit is None:
        raise NotMechanical(f"the act has no {ins.target.describe() or 'such provision'}")
    return unit


def _paragraph(unit: Unit, ins: Instruction) -> Block:
    t = ins.target
    if t.paragraph_ordinal:
        paragraphs = unit.paragraphs()
        if unit.numbered_paragraphs or t.paragraph_ordinal > len(paragraphs):
            raise NotMechanical(f"{unit.label} has no {t.describe()}")
        return paragraphs[t.paragraph_ordinal - 1]
    if len(t.paragraphs) != 1:
        raise NotMechanical(f"“{ins.wording}” does not name one paragraph")
    return _numbered(unit.blocks, t.paragraphs[0], "paragraph")


def _subparagraph(paragraph: Block, n: int) -> Block:
    texts = [c for c in paragraph.children if c.kind == "text"]
    if n - 2 >= len(texts):
        raise NotMechanical(f"paragraph {paragraph.num} has no subparagraph {n}")
    return texts[n - 2]


def _after_first(paragraph: Block) -> list[Block]:
    """What follows the first subparagraph: from the first plain-text child on."""
    for i, child in enumerate(paragraph.children):
        if child.kind == "text":
            return paragraph.children[i:]
    return []


def _point_owner(unit: Unit, ins: Instruction) -> Block:
    """The block whose children are the points the instruction is about."""
    t = ins.target
    if t.annex:
        owner: Block | None = None
        if t.section:
            owner = next((b for b in unit.blocks if b.kind == "heading" and b.num == t.section), None)
            if owner is None:
                raise NotMechanical(f"{unit.label} has no Section {t.section}")
            # A section's points may hang from its lead-in sentence.
            lead = [
                c for c in owner.children if c.kind == "text" and any(g.kind == "point" for g in c.children)
            ]
            if len(lead) == 1 and not any(c.kind == "point" for c in owner.children):
                owner = lead[0]
        if owner is None:
            raise NotMechanical(f"“{ins.wording}” names no section of {unit.label}")
        return owner
    if t.paragraphs or t.paragraph_ordinal:
        paragraph = _paragraph(unit, ins)
        if (t.subparagraph or 1) > 1:
            return _subparagraph(paragraph, t.subparagraph or 1)
        return paragraph
    # Points of an article with a single lead-in ("Article 3, point (14)").
    leads = [b for b in unit.blocks if b.kind == "text" and any(c.kind == "point" for c in b.children)]
    if unit.numbered_paragraphs or len(leads) != 1:
        raise NotMechanical(f"“{ins.wording}” does not say which list of {unit.label} it means")
    return leads[0]


def _numbered(blocks: list[Block], num: str, kind: str) -> Block:
    for b in blocks:
        if b.kind == kind and b.num == num:
            return b
    raise NotMechanical(f"there is no {kind} {num} where the instruction points")


def _only(ins: Instruction, tag: str) -> list:
    found = [q for q in ins.quoted if q.tag == tag]
    if not found or len(found) != len(ins.quoted):
        raise NotMechanical(f"the new text is not {'an article' if tag == 'ARTICLE' else tag}")
    return found


def _new_blocks(ins: Instruction) -> list[Block]:
    blocks = [b for q in ins.quoted for b in formex.block(q, ins.outer)]
    if not blocks:
        raise NotMechanical("the instruction quotes no new text")
    return blocks


def _expect(block: Block, kind: str) -> None:
    if block.kind != kind:
        raise NotMechanical(f"the new text is a {block.kind}, where a {kind} was announced")


def _place(siblings: list[Block], block: Block, action: str) -> None:
    """Insert among numbered siblings in their order; 'add' goes after the last of them."""
    same = [i for i, b in enumerate(siblings) if b.kind == block.kind]
    if any(siblings[i].num == block.num for i in same):
        raise NotMechanical(f"{block.kind} {block.num} exists already")
    if action == "add":
        if same and sort_key(block.num or "") < sort_key(siblings[same[-1]].num or ""):
            raise NotMechanical(f"{block.kind} {block.num} is added, but would not come last")
        position = same[-1] + 1 if same else len(siblings)
    else:
        before = [i for i in same if sort_key(siblings[i].num or "") < sort_key(block.num or "")]
        if not before:
            raise NotMechanical(f"nothing precedes the inserted {block.kind} {block.num}")
        position = before[-1] + 1
    siblings.insert(position, block)


def sort_key(num: str) -> tuple[int, int, str]:
    """Legal numbering order: 4 < 4a < 4b < 5; b < ba < bb < c."""
    m = re.fullmatch(r"(\d+)([a-z]*)", num)
    return (0, int(m.group(1)), m.group(2)) if m else (1, 0, num)

"""Reading every obligation of one version of an act: the reader's items, their roles completed
through the provisions that point to them, their dates and the provisions that limit them."""

from __future__ import annotations

import re

from kb.citations import pinpoint_of
from kb.document import Block, Unit
from kb.obligations.dates import applies_from, classes, own_date, read_rules
from kb.obligations.models import Limit, Obligation
from kb.obligations.reader import _REFERENCE_SUBJECT, _system, read_unit
from kb.obligations.terms import read_terms
from kb.sentences import sentences_of

# An article that limits others by its title (AI Act Art. 63 "Derogations for specific
# operators", Art. 111 "… already placed on the market …"), or a paragraph by its opening
# ("By derogation from paragraph 2, …", AI Act Art. 6(3)).
_LIMIT_TITLE = re.compile(r"derogation|transitional|exemption|already placed", re.I)
# A pointer that makes its role answer for the content it points to ("shall ensure that their
# high-risk AI systems are compliant with the requirements set out in Section 2", "in accordance
# with Article 47"), not one that only names it ("keep … the documentation referred to in …").
_COMPLY = re.compile(r"\b(?:compl(?:y|ies|iant)|ensure|meet|fulfil|in accordance with|undergoes)\b", re.I)
# Subjects that name people or bodies the act does not define: they are bound by what they
# are, not by a provider's obligation pointing to their article.
_NOT_BOUND = re.compile(r"\b(?:bod(?:y|ies)|authorit(?:y|ies)|personnel|staff|committee|panel|board)\b", re.I)
_LIMIT_OPENING = re.compile(r"^\s*By(?: way of)? derogation from\b", re.I)


def read_act(doc: str, version: str, units: list[Unit], short_name: str) -> list[Obligation]:
    """Every obligation of `units` (one version of act `doc`, in the act's order), with roles,
    systems, dates and limits. Pure: reads only the units given."""
    terms = read_terms(doc, units)
    items: list[Obligation] = []
    for unit in units:
        items.extend(read_unit(doc, version, unit, terms, ord_base=len(items)))
    _inherit_roles(items, units)
    items = _merge(items)
    rules = read_rules(units, short_name)
    annexes = classes(rules, units)
    for item in items:
        high_risk = "high-risk" in item.system
        own = own_date(item.sentence, item.label, item.pinpoint)
        item.applies_from = (
            [own]
            if own
            else applies_from(
                rules, item.pinpoint, item.chapter, item.section, high_risk, item.annex, annexes
            )
        )
    _attach_limits(items, units, terms)
    return items


def _inherit_roles(items: list[Obligation], units: list[Unit]) -> None:
    """An obligation that names no one (a requirement on the system: "High-risk AI systems shall
    be designed …") binds whoever a provision pointing to it binds: Article 16(a) makes providers
    ensure compliance with Chapter III, Section 2, so Articles 8 to 15 bind providers.

    Only a sentence about a thing inherits (not "This paragraph …", nor a body or an authority
    the act does not define), only from a pointer of the same chapter to the article or its section (a whole
    chapter is too wide), and only from a pointer that makes its role answer for the content
    (_COMPLY); authorities and institutions check the content, they are not bound by it."""
    by_unit = {u.id: u for u in units}
    pointers: dict[str, list[Obligation]] = {}
    for item in items:
        if item.role == "unknown" or item.role_source == "institution" or not _COMPLY.search(item.sentence):
            continue
        if re.search(r"authority|authorities|body|bodies", item.role):
            continue
        for target in item.points_to_units:
            if target.startswith("chapter:"):
                continue
            for unit_id in _expand(target, units):
                other = by_unit.get(unit_id)
                same_chapter = other is not None and other.chapter and other.chapter.num == item.chapter
                if unit_id != item.unit and same_chapter:
                    pointers.setdefault(unit_id, []).append(item)
    for item in items:
        if item.role != "unknown" or item.unit not in pointers:
            continue
        if _REFERENCE_SUBJECT.match(item.subject) or _NOT_BOUND.search(item.subject):
            continue  # "This paragraph shall …", "Dispute settlement bodies shall …"
        via = pointers[item.unit][0]
        item.role, item.role_defined = via.role, via.role_defined
        item.role_source = f"through {via.label}, which points to it"
        item.system = item.system or via.system


def _merge(items: list[Obligation]) -> list[Obligation]:
    """One obligation per provision and role: the sentences of one paragraph binding the same
    role are joined, their conditions and pointers kept."""
    out: dict[tuple[str, str, str], Obligation] = {}
    for item in items:
        key = (item.unit, item.pinpoint, item.role)
        first = out.get(key)
        if first is None:
            out[key] = item
            continue
        if item.sentence not in first.sentence:
            first.sentence = f"{first.sentence} {item.sentence}"
        first.conditions = list(dict.fromkeys(first.conditions + item.conditions))
        first.points_to = list(dict.fromkeys(first.points_to + item.points_to))
        first.points_to_units = list(dict.fromkeys(first.points_to_units + item.points_to_units))
    return list(out.values())


def _expand(target: str, units: list[Unit]) -> list[str]:
    """A pointer as unit ids: "art_17" stays; "section:III:2" is every article of that section."""
    if not target.startswith(("section:", "chapter:")):
        return [target]
    _, chapter, section = target.split(":")
    out = []
    for u in units:
        if u.kind != "article" or not u.chapter or u.chapter.num != chapter:
            continue
        if section and not (u.section and u.section.num == section):
            continue
        out.append(u.id)
    return out


def _attach_limits(items: list[Obligation], units: list[Unit], terms: object) -> None:
    """Each derogation or transitional paragraph, shown with the obligations it limits: those of
    the units it refers to, or, where it refers to none but names a kind of system (AI Act
    Art. 111(2): high-risk AI systems), every obligation about that kind."""
    for unit in units:
        if unit.kind != "article":
            continue
        whole = bool(_LIMIT_TITLE.search(unit.title))
        for block in unit.paragraphs():
            if not (whole or _LIMIT_OPENING.match(block.text)):
                continue
            first = (sentences_of(block.text) or [block.text])[0]
            pin = pinpoint_of(unit, [block])
            limit = Limit(unit.id, pin, f"Article {pin}", first)
            targets = {
                r.unit
                for r in unit.refs
                if r.unit
                and block.start <= r.start < block.end
                and r.unit != unit.id
                # "Without prejudice to the application of Article 5": not what it limits.
                and "prejudice" not in unit.text[max(block.start, r.start - 60) : r.start]
            }
            # Only a transitional article limits every obligation about the kind it names.
            transitional = re.search(r"transitional|already placed", unit.title, re.I)
            kind = _system([("paragraph", _text(block))], terms)[0] if transitional else ""  # type: ignore[arg-type]
            for item in items:
                if item.unit == unit.id:
                    continue
                hit = item.unit in targets or (
                    any(t.startswith("anx_") for t in targets) and "high-risk" in item.system
                )
                if not targets or not hit:
                    hit = (
                        bool(kind)
                        and bool(item.system)
                        and (kind in item.system or item.system in kind)
                        and not targets
                    )
                if hit and limit not in item.limits:
                    item.limits.append(limit)


def _text(block: Block) -> str:
    return " ".join(b.text for b in block.walk())

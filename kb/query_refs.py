"""The names people use for each act, and a provision asked for by reference (`kb show "AI Act
Art. 5(1)(f)"`, GET …/units/…), read with the citation grammar of kb/grammar.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb.errors import BadQuery, UnknownUnit
from kb.grammar import find_query_refs
from kb.manifest import ActInfo


def act_names(acts: Iterable[ActInfo]) -> dict[str, str]:
    """The names a query may use for each act: "ai act", "artificial intelligence act", "2024/1689"."""
    names: dict[str, str] = {}
    for act in acts:
        names[act.short_name.lower()] = act.id
        number = re.search(r"(\d{4})[RLD](\d{4})", act.celex)
        if number:
            names[f"{number.group(1)}/{int(number.group(2))}"] = act.id
        m = re.search(r"\(([^()]+)\)\s*$", act.title)
        if m:
            names[m.group(1).lower()] = act.id
        for alias in act.aliases:
            names[alias.lower()] = act.id
    return names


# -- a provision asked for by reference (`kb show`, GET …/units/…) ----------------------------

_UNIT_ID = re.compile(r"\s*([a-z0-9-]+)\s+((?:art|rct|anx)_\w+)\s*")


@dataclass(frozen=True)
class ProvisionRequest:
    """What "AI Act Art. 5(1)(f)" or "data-act art_25" asks for: a unit, maybe a part of it, in
    one of `docs` (act ids, in order; several when the reference names no act)."""

    text: str
    docs: list[str]
    unit: str
    pinpoint: str | None


def read_reference(reference: str, acts: list[ActInfo], doc: str | None = None) -> ProvisionRequest:
    """The provision `reference` names, among `acts`; `doc` fixes the act. The same reading for
    the local knowledge base and the HTTP client. Raises BadQuery when it names none."""
    m = _UNIT_ID.fullmatch(reference)
    if m:
        return ProvisionRequest(reference.strip(), [m.group(1)], m.group(2), None)
    refs = find_query_refs(reference, act_names(acts))
    if not refs:
        raise BadQuery(f"{reference!r} names no provision; try “AI Act Art. 5(1)(f)” or “data-act art_25”.")
    ref = refs[0]
    docs = [named] if (named := doc or ref.doc) else [a.id for a in acts]
    return ProvisionRequest(ref.text, docs, ref.unit, ref.pinpoint)


def pick_act(request: ProvisionRequest, present: list[str], acts: list[ActInfo], extent: str = "") -> str:
    """The one act of `present` (those of `request.docs` that have the unit) to show.

    Raises UnknownUnit when none has it (`extent` may say what the acts have instead), and
    BadQuery when several do and the reference names no act."""
    names = {a.id: a.short_name for a in acts}
    if not present:
        raise UnknownUnit(not_found(request.text, [names.get(d, d) for d in request.docs], extent))
    if len(present) > 1:
        both = " and ".join(names.get(d, d) for d in present)
        example = f"{request.text} {names[present[0]]}"
        raise BadQuery(f"{request.text} exists in both the {both}; name the act, e.g. “{example}”.")
    return present[0]


def not_found(written: str, act_names: list[str], extent: str = "") -> str:
    """ "Article 120 does not exist in AI Act (AI Act has Articles 1 to 113)." The one message for
    a named provision that is not there, in search, in `kb show` and over the API."""
    where = " or ".join(act_names) or "the selected acts"
    return f"{written.strip()} does not exist in {where}{extent}."

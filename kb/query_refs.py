"""The names people use for each act, and a provision asked for by reference (`kb show "AI Act
Art. 5(1)(f)"`, GET …/units/…), read with the citation grammar of kb/grammar.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb.errors import ActNotHeld, BadQuery, UnknownUnit
from kb.grammar import find_instruments, find_query_refs
from kb.instruments import Instrument, named_outside
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


def read_reference(
    reference: str, acts: list[ActInfo], doc: str | None = None, held: Iterable[ActInfo] = ()
) -> ProvisionRequest:
    """The provision `reference` names, among `acts`; `doc` fixes the act; `held` are acts of the
    knowledge base outside the version asked for (never reported as missing). The same reading
    for the local knowledge base and the HTTP client. Raises BadQuery when it names none, and
    ActNotHeld when it names a provision of an act the knowledge base does not hold ("GDPR
    Article 30", "gdpr art_30"): that is never shown from another act."""
    names = act_names(acts)
    everything = list({a.id: a for a in [*acts, *held]}.values())
    m = _UNIT_ID.fullmatch(reference)
    if m:
        refuse_outside(m.group(1), everything)
        return ProvisionRequest(reference.strip(), [m.group(1)], m.group(2), None)
    outside = find_instruments(reference, act_names(everything))
    refs = find_query_refs(reference, names, [(i.start, i.end, i.name) for i in outside])
    if outside and (not refs or refs[0].external or not (doc or refs[0].doc)):
        # The reference names an act outside the corpus and none inside it: search and ask
        # decline such a question, and a provision is not shown from another act either.
        bound = [i for i in outside if refs and i.name == refs[0].external]
        raise ActNotHeld(not_held((bound or outside)[0], everything))
    if not refs:
        raise BadQuery(f"{reference!r} names no provision; try “AI Act Art. 5(1)(f)” or “data-act art_25”.")
    ref = refs[0]
    docs = [named] if (named := doc or ref.doc) else [a.id for a in acts]
    return ProvisionRequest(ref.text, docs, ref.unit, ref.pinpoint)


def refuse_outside(doc: str, acts: list[ActInfo]) -> None:
    """Raise ActNotHeld when `doc`, given where an act id goes ("gdpr"), names a listed act the
    knowledge base does not hold; otherwise return (an unknown id is the caller's to report)."""
    if doc in {a.id for a in acts}:
        return
    instrument = named_outside(doc, act_names(acts))
    if instrument is not None:
        raise ActNotHeld(not_held(instrument, acts))


def not_held(instrument: Instrument, acts: list[ActInfo]) -> str:
    """ "GDPR (…) is not in this knowledge base (EUR-Lex: …); it holds: AI Act (ai-act) and Data Act
    (data-act). Add an act with: kb ingest --source FILE". The one message for an act not held."""
    names = [f"{a.short_name} ({a.id})" for a in acts]
    held = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names) or "no act"
    return f"{instrument.notice[:-1]}; it holds: {held}. Add an act with: kb ingest --source FILE"


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

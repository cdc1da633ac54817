"""The checks every entry point of the knowledge base makes on what it is given: a question, the
acts to search (by id or any of their names), the kinds of unit, an act asked of a version in
which it was not yet in force. Each raises with a message that says what to change."""

from __future__ import annotations

from collections.abc import Mapping

from kb.errors import BadQuery, UnknownDocument
from kb.manifest import ActInfo, VersionInfo
from kb.query_refs import act_names, refuse_outside
from kb.vocabulary import MAX_QUERY_CHARS, UNIT_KINDS


def act_ids(acts: list[ActInfo], docs: list[str] | None) -> list[str] | None:
    """Acts of a filter named by id or by any of their names ("dga", "DGA", "Data Governance
    Act"), as ids. Raises UnknownDocument for a name that is none, with the ids held."""
    if not docs:
        return docs
    ids = {a.id for a in acts}
    names = act_names(acts)
    found = [d if d in ids else names.get(d.strip().lower(), d) for d in docs]
    check_acts(acts, found)
    return found


def check_acts(acts: list[ActInfo], docs: list[str]) -> None:
    """Raises UnknownDocument unless every id of `docs` is an act of `acts`; ActNotHeld (one) for
    a listed act outside the index ("gdpr"), with its EUR-Lex link."""
    known = [a.id for a in acts]
    for doc in docs:
        refuse_outside(doc, acts)  # "gdpr": an act not held, named as such
        if doc not in known:
            raise UnknownDocument(f"Unknown act {doc!r}; the index holds: {', '.join(known)}.")


def check_question(text: str, kinds: list[str] | None = None) -> None:
    """Raises BadQuery for an empty question, one over MAX_QUERY_CHARS, or an unknown unit kind."""
    if not text or not text.strip():
        raise BadQuery("The question is empty.")
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(f"The question is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}.")
    for kind in kinds or []:
        if kind not in UNIT_KINDS:
            raise BadQuery(f"Unknown kind {kind!r}; use one of: {', '.join(UNIT_KINDS)}.")


def check_in_force(acts: list[ActInfo], docs: list[str] | None, chosen: Mapping[str, VersionInfo]) -> None:
    """Raises BadQuery when an act of `docs` has no version in `chosen` (the version asked
    precedes it), naming the day it entered into force."""
    for doc in docs or []:
        if doc not in chosen:
            act = next(a for a in acts if a.id == doc)
            first = act.versions[0].in_force if act.versions else "?"
            raise BadQuery(f"{act.short_name} was not yet in force then; it entered into force on {first}.")

"""Which version of each act a question is answered from, and how a citation says so.

An act has its original text and, once amended, a version in force from each amending act's
entry into force. A question is answered from the versions in force today unless it asks for
`original`, `current` or a date (ISO 8601).
"""

from __future__ import annotations

import re
from datetime import date

from kb.document import Unit
from kb.errors import BadQuery
from kb.manifest import ActInfo, IndexManifest, VersionInfo
from kb.results import ActVersion, Document, Documents
from kb.vocabulary import MONTHS

CURRENT = "current"
ORIGINAL = "original"


def choose(acts: list[ActInfo], spec: str | None, today: date | None = None) -> dict[str, VersionInfo]:
    """The version of each act that `spec` selects; acts not yet in force on a date are left out."""
    spec = (spec or CURRENT).strip().lower()
    if spec == ORIGINAL:
        # The acts as first published; the acts that amend them were not yet part of the law.
        return {a.id: a.versions[0] for a in acts if a.versions and not a.amends}
    if spec == CURRENT:
        day = (today or date.today()).isoformat()
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", spec):
        try:
            day = date.fromisoformat(spec).isoformat()
        except ValueError:
            raise BadQuery(f"{spec!r} is not a date; write it as YYYY-MM-DD.") from None
    else:
        raise BadQuery(f"Unknown version {spec!r}; use current, original or a date such as 2026-08-01.")
    chosen = {}
    for act in acts:
        found = act.version_at(day)
        if found is None and spec == CURRENT and act.versions:
            found = act.versions[0]  # an act not yet in force is still the law to come
        if found is not None:
            chosen[act.id] = found
    if not chosen:
        first = min((a.versions[0].in_force for a in acts if a.versions), default="")
        raise BadQuery(
            f"No act in the index was in force on {day}; the earliest entered into force on {first}."
        )
    return chosen


def long_date(iso: str) -> str:
    """'2026-07-27' -> '27 July 2026', as the Official Journal writes dates."""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def describe(act: ActInfo, version: VersionInfo) -> str:
    """'OJ L, 2024/1689, 12.7.2024, as amended by Regulation (EU) 2026/1744; in force from 27 July 2026'."""
    if version.amended_by:
        return f"{act.oj}, {version.label}; in force from {long_date(version.in_force)}"
    if version.label.startswith("consolidated text"):
        return f"{version.label}, version of {long_date(version.in_force)} (authentic text: {act.oj})"
    return f"{act.oj} (original text, in force from {long_date(version.in_force)})"


def amended_label(unit: Unit) -> str:
    """What a citation of the unit adds: ' (as amended by Regulation (EU) 2026/1744)', or, where an
    instruction could not be applied, where to read it."""
    if not unit.amendments:
        return ""
    flagged = [a for a in unit.amendments if not a.applied]
    if flagged:
        where = "; ".join(a.citation for a in flagged)
        return f" (amended by {where} — see the amending text)"
    acts = list(dict.fromkeys(a.citation.split(", Article")[0] for a in unit.amendments))
    return f" (as amended by {' and '.join(acts)})"


def act_versions(acts: list[ActInfo], chosen: dict[str, VersionInfo], docs: list[str]) -> list[ActVersion]:
    """The version `chosen` of each act of `docs` (ids, in that order), so that an answer says
    which text it rests on."""
    by_id = {a.id: a for a in acts}
    out = []
    for doc in docs:
        a, v = by_id[doc], chosen[doc]
        out.append(
            ActVersion(
                doc=a.id,
                short_name=a.short_name,
                title=a.title,
                celex=a.celex,
                version=describe(a, v),
                date=a.date,
                url=v.url,
                in_force=v.in_force,
                label=v.label,
                unofficial=v.unofficial or None,
            )
        )
    return out


def documents_of(manifest: IndexManifest, spec: str | None) -> Documents:
    """The acts of an index, each with the version `spec` picks (current, original or a date):
    what `kb documents`, GET /v1/documents and MCP's list_acts show. Reads only the manifest, so
    it needs no model. Raises BadQuery when `spec` picks no act."""
    chosen = choose(manifest.acts, spec)
    docs = [
        Document(
            **a.model_dump(),
            version=describe(a, chosen.get(a.id, a.versions[-1])),
            languages=[
                f"{v.language}: {v.units_aligned} units aligned, {v.passages} passages, from {v.source.file}"
                for v in manifest.languages
                if v.doc == a.id
            ],
        )
        for a in manifest.acts
    ]
    return Documents(documents=docs, built_at=manifest.built_at, model=manifest.model.name)

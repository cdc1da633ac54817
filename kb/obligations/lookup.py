"""Look-ups on the obligations table: by act, role, system kind and version; and the timeline.

Results are plain dicts (JSON as the API and the CLI show them). Bad values raise BadQuery
with one line naming the valid ones.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from functools import lru_cache

from kb.errors import BadQuery
from kb.manifest import ActInfo
from kb.obligations.models import Obligation
from kb.versions import choose
from kb.vocabulary import normal_term

_ANNEX = re.compile(r"annex\s+([ivxlc]+)\b", re.I)


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return normal_term(re.sub(r"\b(?:a|an|the)\b", " ", text))


def find(
    items: list[Obligation],
    acts: list[ActInfo],
    doc: str | None = None,
    role: str | None = None,
    system: str | None = None,
    version: str | None = None,
    on: str | None = None,
) -> list[dict]:  # type: ignore[type-arg]
    """The obligations of `role` (an act's term: "deployer", "provider of a general-purpose AI
    model") about `system` ("high-risk", "high-risk (Annex III)", "connected product"), in the
    version `version` selects (current, original, a date) or in force `on` a date, of act `doc`
    (id or all). Each dict has doc, unit, pinpoint, label, sentence, role, system, conditions,
    points_to, applies_from (narrowed to the annex asked), limits, url. Raises BadQuery."""
    held = [a for a in acts if not a.amends]
    if doc and doc not in {a.id for a in held}:
        raise BadQuery(
            f"Unknown act {doc!r}; the acts with obligations are: {', '.join(a.id for a in held)}."
        )
    if on and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", on):
        raise BadQuery(f"{on!r} is not a date; write it as YYYY-MM-DD.")
    chosen = choose(held, on or version)
    buckets = _buckets(items)
    pool = [o for d, v in chosen.items() if not doc or d == doc for o in buckets.get((d, v.id), [])]
    role_key, system = _role_filter(pool, role, system)
    found = _ANNEX.search(system or "")
    annex = found[1].upper() if found else ""
    if system:
        _check_system(pool, system)
    by_id = {a.id: a for a in held}
    out = []
    for o in pool:
        if role_key and _norm(o.role) != role_key:
            continue
        if system and not _system_matches(o, system, annex):
            continue
        dates = [a for a in o.applies_from if not a.scope or not annex or a.scope.endswith(f"Annex {annex})")]
        if on and dates and min(a.date for a in dates) > on:
            continue
        out.append(_as_dict(o, dates, by_id[o.doc], chosen[o.doc].url))
    return out


_BUCKETS: dict[int, tuple[list[Obligation], dict[tuple[str, str], list[Obligation]]]] = {}


def _buckets(items: list[Obligation]) -> dict[tuple[str, str], list[Obligation]]:
    """The items by (doc, version), built once per loaded table (kept with the list itself, so
    an id is never reused while its buckets are cached)."""
    found = _BUCKETS.get(id(items))
    if found is None or found[0] is not items:
        by: dict[tuple[str, str], list[Obligation]] = {}
        for o in items:
            by.setdefault((o.doc, o.version), []).append(o)
        found = _BUCKETS[id(items)] = (items, by)
    return found[1]


def _role_filter(pool: list[Obligation], role: str | None, system: str | None) -> tuple[str, str | None]:
    """The role's normal form, and the system it implies: "provider of a general-purpose AI
    model" is the provider, about general-purpose AI models, where no role is named so."""
    if not role:
        return "", system
    roles = {_norm(o.role) for o in pool}
    key = _norm(role)
    if key in roles:
        return key, system
    head, _, kind = role.partition(" of ")
    if kind and _norm(head) in roles:
        return _norm(head), system or kind
    counts: dict[str, int] = {}
    for o in pool:
        counts[o.role] = counts.get(o.role, 0) + 1
    valid = sorted(r for r, n in counts.items() if r != "unknown" and (n > 2 or len(r.split()) < 4))
    raise BadQuery(f"Unknown role {role!r}; the roles the acts bind are: {', '.join(valid)}.")


def _check_system(pool: list[Obligation], system: str) -> None:
    kinds = sorted({o.system for o in pool if o.system})
    if not any(_fits(o.system, system) for o in pool if o.system):
        extra = (
            ["high-risk (Annex III)", "high-risk (Annex I)"] if any("high-risk" in k for k in kinds) else []
        )
        raise BadQuery(f"Unknown system {system!r}; the kinds the acts name are: {', '.join(kinds + extra)}.")


def _fits(kind: str, asked: str) -> bool:
    a = _norm(_ANNEX.sub("", asked).replace("(", " ").replace(")", " "))
    k = _norm(kind)
    return bool(a) and (a in k or k in a)


def _system_matches(o: Obligation, asked: str, annex: str) -> bool:
    """An obligation about the kind asked, or about a broader kind that includes it (every AI
    system, or none named), but not about another kind or a narrower one."""
    if annex and o.annex and o.annex != annex:
        return False
    if not o.system:
        return True
    a = _norm(_ANNEX.sub("", asked).replace("(", " ").replace(")", " "))
    k = _norm(o.system)
    if a == "ai system":
        # AI systems in general, and those of a function the act defines (an emotion recognition
        # system "means an AI system …"), not the high-risk ones nor general-purpose AI models.
        return k.endswith("system") and "high risk" not in k
    if "high risk" in a and k == "ai system":
        return True  # an obligation about every AI system binds about high-risk ones too
    if "systemic risk" in a and k == "general purpose ai model":
        return True
    return k == a or (a in k and "systemic" not in k) or (k in a and len(k.split()) > 1 and a.startswith(k))


def _as_dict(o: Obligation, dates: list, act: ActInfo, url: str) -> dict:  # type: ignore[type-arg]
    # The item as JSON once (a loaded table never changes): asdict walks ~60 objects an item.
    cached = o.__dict__.get("_json")
    if cached is None:
        cached = o.__dict__["_json"] = asdict(o)
    data = dict(cached)
    data["applies_from"] = [asdict(a) for a in dates]
    data["short_name"] = act.short_name
    data["citation"] = f"{act.short_name}, {o.label}"
    data["url"] = f"{url}#{o.anchor}" if o.anchor else url
    for key in ("points_to_units", "ord"):
        data.pop(key, None)
    return data


def timeline(
    items: list[Obligation], acts: list[ActInfo], doc: str | None = None, version: str | None = None
) -> list[dict]:  # type: ignore[type-arg]
    """What starts applying when, per act: one entry per (act, date, provision, scope) with the
    number of obligations and the roles they bind, oldest first."""
    held = [a for a in acts if not a.amends]
    if doc and doc not in {a.id for a in held}:
        raise BadQuery(
            f"Unknown act {doc!r}; the acts with obligations are: {', '.join(a.id for a in held)}."
        )
    chosen = choose(held, version)
    groups: dict[tuple[str, str, str, str], dict] = {}  # type: ignore[type-arg]
    for o in items:
        if (doc and o.doc != doc) or o.doc not in chosen or o.version != chosen[o.doc].id:
            continue
        for a in o.applies_from:
            key = (o.doc, a.date, a.provision, a.scope)
            g = groups.setdefault(
                key,
                {
                    "doc": o.doc,
                    "date": a.date,
                    "provision": a.provision,
                    "scope": a.scope,
                    "condition": a.condition,
                    "obligations": 0,
                    "roles": {},
                    "articles": [],
                },
            )
            g["obligations"] += 1
            g["roles"][o.role] = g["roles"].get(o.role, 0) + 1
            if o.label.split("(")[0] not in g["articles"]:
                g["articles"].append(o.label.split("(")[0])
    out = sorted(groups.values(), key=lambda g: (g["date"], g["doc"], g["provision"]))
    today = date.today().isoformat()
    for g in out:
        g["roles"] = dict(sorted(g["roles"].items(), key=lambda kv: -kv[1]))
        g["in_effect"] = g["date"] <= today
    return out

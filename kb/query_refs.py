"""Provisions and acts named in a user's question: "Art. 5(1)(f) AI Act", "Annex III point 4",
"recital 27 of the Data Act", and the names people use for each act."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kb.errors import ActNotHeld, BadQuery, UnknownUnit
from kb.instruments import Instrument, find_instruments, named_outside
from kb.manifest import ActInfo
from kb.vocabulary import is_roman

# -- citation forms ----------------------------------------------------------------------------
# How practitioners cite provisions, in English, German and French, one row a form. A citation is
# a head (article, annex or recital and its number) followed by any run of subdivisions; every
# subdivision adds one pinpoint component, so "Art. 5 Abs. 1 lit. h sublit. iii" and
# "Article 5(1)(h)(iii)" both read 5(1)(h)(iii). tests/unit/test_citation_forms.py has an example
# of every row.

ARTICLE_HEAD = r"\b(?:articles?|arts?\.?|artikel|art\.)\s*(?P<num>\d{1,3}[a-z]?)(?![\w/])"
ANNEX_HEAD = r"\b(?:annex(?:es)?|anhang|annexe)\s+(?P<num>[ivxlc]{1,6})\b"
RECITAL_HEAD = (
    r"\b(?:recitals?|rec\.|erwägungsgrund|erwgr?\.|considérant|considerando)\s*\(?(?P<num>\d{1,3})\)?(?!\d)"
)

# (name, pattern, example): each matched right where the citation so far ends. `v` is the
# component; the first row that matches wins.
SUBDIVISIONS: list[tuple[str, str, str]] = [
    ("bracketed", r"\s?\((?P<v>\d{1,3}[a-z]?|[a-z]{1,4})\)", "Article 5(1)(f), Annex III(4)(a)"),
    ("decimal", r"\.(?P<v>\d{1,3}[a-z]?)(?![\d/])", "Article 2.6"),
    (
        "paragraph",
        r",?\s*(?:paragraph|paragraphe|para\.?|§|abs\.|absatz|al\.|alinéa|subparagraph)\s*(?P<v>\d{1,3}[a-z]?)\b",
        "Art 6 para 2, Art. 6 § 2, Art. 6 Abs. 2, article 6 al. 2",
    ),
    (
        "number",
        r",?\s*(?:points?|pt\.?|no\.|nr\.|number)\s*\(?(?P<v>\d{1,3}[a-z]?)\)?(?![\w/])",
        "Art. 3 No. 60, Art. 3 Nr. 60, Art. 3 point (60), Annex III, point 4, Annex III no. 4",
    ),
    (
        "letter",
        r",?\s*(?P<key>points?|pt\.?|lit\.?|litera|letter|buchst\.?|buchstabe|sublit\.?|sub-?point)\s*"
        r"(?:\((?P<v>[a-z]{1,4})\)|(?P<w>[a-z]{1,4})\)?)(?![\w])",
        "Art. 5 lit. f, point (f), point f), Buchst. f, sublit. iii",
    ),
    ("section", r",?\s*(?:section|part|abschnitt)\s+(?P<v>[a-z])\b", "Annex VIII, Section C"),
]
_SUBDIVISIONS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern, _ in SUBDIVISIONS]
# "point (h) of Article 5(1)", "paragraph 2 of Article 6": a subdivision written before its article.
_BEFORE = re.compile(
    r"\b(?:(?:point|lit\.?|letter)\s*\((?P<pt>[a-z0-9]{1,4})\)|(?:paragraph|para\.?)\s*(?P<par>\d{1,3}))"
    r"(?:\s+of\s+the\s+(?:first|second|third)\s+subparagraph)?\s+of\s+$",
    re.IGNORECASE,
)
_HEADS = [
    ("art", re.compile(ARTICLE_HEAD, re.IGNORECASE)),
    ("anx", re.compile(ANNEX_HEAD, re.IGNORECASE)),
    ("rct", re.compile(RECITAL_HEAD, re.IGNORECASE)),
]
# Unbracketed letters that are words, not points: "Article 5 point of view".
_NOT_POINTS = frozenset("a an as at be by if in is it of on or to".split())  # noqa: SIM905


def _components(text: str, pos: int, kind: str) -> tuple[list[str], int]:
    """The pinpoint components written from `pos` on, and where they end."""
    comps: list[str] = []
    while True:
        for name, pattern in _SUBDIVISIONS:
            if name == "decimal" and (comps or kind != "art"):
                continue
            if name == "section" and kind != "anx":
                continue
            m = pattern.match(text, pos)
            if m is None:
                continue
            value = m.group("v") or (m.groupdict().get("w") or "")
            if not value:
                continue
            bare_point = name == "letter" and not m.group("v") and m.group("key").lower().startswith("p")
            if bare_point and value.lower() in _NOT_POINTS:  # "point of view"
                continue
            comps.append(value.upper() if name == "section" else value.lower())
            pos = m.end()
            break
        else:
            return comps, pos


@dataclass(frozen=True)
class QueryRef:
    """A provision named in a query: "Art. 5(1)(f) AI Act" -> (ai-act, art_5, "5(1)(f)")."""

    text: str
    unit: str  # "art_5", "anx_III", "rct_27"
    pinpoint: str | None  # "5(1)(f)", "III(4)(a)", None for the whole unit
    doc: str | None  # the act named with it, or None when the query names none
    start: int
    external: str | None = None  # the instrument outside the corpus it belongs to ("GDPR"), if any


def find_query_refs(
    query: str, act_names: Mapping[str, str], outside: Iterable[tuple[int, int, str]] = ()
) -> list[QueryRef]:
    """References in a query, in order. `act_names` maps lower-cased names ("ai act",
    "2024/1689") to act ids; `outside` lists (start, end, name) of instruments the knowledge
    base does not hold: a reference bound to one of those ("Art. 30 GDPR") keeps doc None and
    names it in `external`."""
    found: list[QueryRef] = []
    mentions = [(s, e, d, None) for s, e, d in act_mentions(query, act_names)]
    mentions += [(s, e, None, name) for s, e, name in outside]
    mentions.sort(key=lambda m: m[0])

    def owner(start: int, end: int) -> tuple[str | None, str | None]:
        # The act named right after ("Article 25 of the Data Act", "Art. 30 GDPR") or right before
        # ("AI Act Art. 14") the reference, else the only corpus act the query names.
        after = [(d, x) for s, _e, d, x in mentions if 0 <= s - end <= 12]
        before = [(d, x) for _s, e, d, x in mentions if 0 <= start - e <= 8]
        if after:
            return after[0]
        if before:
            return before[-1]
        named = {d for _s, _e, d, x in mentions if d}
        return (named.pop(), None) if len(named) == 1 else (None, None)

    for kind, head in _HEADS:
        for m in head.finditer(query):
            num = m.group("num")
            if kind == "art" and query[m.start() : m.start() + 4] == "art " and not num.isdigit():
                continue  # "state of the art 5G": a lower-case "art" cites only a plain number
            if kind == "anx":
                if not is_roman(num):
                    continue
                num = num.upper()
            comps, end = _components(query, m.end(), kind) if kind != "rct" else ([], m.end())
            start = m.start()
            before = _BEFORE.search(query[: m.start()]) if kind == "art" else None
            if before:
                start = before.start()
                extra = (before.group("pt") or before.group("par")).lower()
                comps = [*comps, extra] if before.group("pt") else [extra, *comps]
            pinpoint = num + "".join(f"({c})" for c in comps) if comps else None
            doc, external = owner(start, end)
            found.append(QueryRef(query[start:end], f"{kind}_{num}", pinpoint, doc, start, external))
    found.sort(key=lambda r: r.start)
    return found


def act_mentions(query: str, act_names: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, act id) of each act name in `query`. A name of three letters or fewer ("DA",
    "AIA", "RIA") counts only in capitals, as the field writes it: "da" is a word elsewhere."""
    lowered = query.lower()
    out = []
    for name, doc in act_names.items():
        for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", lowered):
            if len(name) <= 3 and name.isalpha() and not query[m.start() : m.end()].isupper():
                continue
            out.append((m.start(), m.end(), doc))
    return sorted(out)


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


def named_acts(query: str, act_names: Mapping[str, str]) -> list[str]:
    """The corpus acts a query names, in order of first mention."""
    seen: list[str] = []
    for _start, _end, doc in act_mentions(query, act_names):
        if doc not in seen:
            seen.append(doc)
    return seen


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
    docs = [doc or ref.doc] if (doc or ref.doc) else [a.id for a in acts]
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

"""A question for obligations ("what must we do …?") answered as the list of the obligations of
the asker's role, grouped by the date each applies from, every line cited, instead of five
passages.

Who asks is read from the question against the acts' own definitions: a role it names (or its
verb: "we deploy" names the deployer), else the roles whose definitions describe the activity
it names ("placing on the market": AI Act Art. 3(3) provider, 3(6) importer; the first is
answered, the others named). What it is about: a kind the act defines that it names, "high-risk"
when it says so, else, in the AI Act, the point of Annex III the question matches best (the
search of the knowledge base limited to the annexes): "may be high-risk under Annex III, point
4(a); if so, as provider: …".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.obligations.annex import candidates
from kb.obligations.lookup import find
from kb.obligations.models import Role
from kb.obligations.store import load
from kb.obligations.terms import Terms, read_terms
from kb.results import Answer, Hit, Sentence
from kb.search.blocks import find_block
from kb.versions import long_date

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase, Retrieval, View

# The annex that lists the uses that make an AI system high-risk (AI Act Art. 6(2)).
CLASSIFYING_ANNEX = "anx_III"


@dataclass
class Reading:
    """Who asks (a role of act `doc`), about what kind of system, and how it was read."""

    doc: str
    role: Role
    system: str = ""
    annex_hits: list[Hit] = field(default_factory=list)  # the Annex III points it may fall under
    others: list[Role] = field(default_factory=list)  # roles the same activity would make them
    how: str = ""


def answer(kb: KnowledgeBase, r: Retrieval) -> Answer | None:
    """The grouped list for a question asking for obligations, or None when the question names
    no role the acts define (it is then answered with passages, as any other)."""
    query = r.query
    if "obligations" not in query.asks_for:
        return None
    readings = [x for doc in _docs(kb, r) if (x := _reading(kb, r, doc)) is not None]
    if not readings:
        return None
    items = load(kb.files)
    sentences: list[Sentence] = []
    citations: list[Hit] = []
    for reading in readings:
        version = r.view.versions[reading.doc].id
        found = find(items, kb.acts, reading.doc, reading.role.term, reading.system or None, version)
        sentences.extend(_lead(reading, r.view, citations))
        sentences.extend(_groups(found, r.view, citations))
    return Answer(
        question=r.question,
        answer="\n".join(f"{s.text} [{s.citation}]" for s in sentences),
        sentences=sentences,
        citations=citations,
        abstained=False,
        outcome="answered",
        versions=kb.versions(citations, r.view),
        notices=r.result.notices,
        language=r.result.language,
        took_ms=round((time.perf_counter() - r.started) * 1000, 1),
    )


def _docs(kb: KnowledgeBase, r: Retrieval) -> list[str]:
    named = [d for d in r.query.acts_named if d in r.view.versions]
    held = [a.id for a in kb.acts if not a.amends and a.id in r.view.versions]
    return named or held


_TERMS: dict[tuple[str, str], Terms] = {}


def terms_of(view: View, doc: str) -> Terms:
    """The roles and kinds act `doc` defines in the version `view` holds (read once)."""
    key = (doc, view.versions[doc].id)
    if key not in _TERMS:
        _TERMS[key] = read_terms(doc, [u for (d, _), u in view.units.items() if d == doc])
    return _TERMS[key]


def _reading(kb: KnowledgeBase, r: Retrieval, doc: str) -> Reading | None:
    """Who asks in act `doc`: a role it names, else one whose definition names the activity."""
    terms, query = terms_of(r.view, doc), r.query
    named = [terms.roles[k] for k in query.terms_named if k in terms.roles]
    named = [x for x in named if x.source != "institution"]
    reading: Reading | None = None
    if named:
        reading = Reading(doc, named[0], how=f"you name the {named[0].term} ({named[0].source})")
    else:
        by_activity = terms.activities()
        for activity in query.activities:
            roles = [terms.roles[k] for k in by_activity.get(activity, []) if k in terms.roles]
            if roles:
                how = f"'{activity}' is what the {roles[0].term} does ({roles[0].source})"
                reading = Reading(doc, roles[0], others=roles[1:], how=how)
                break
    if reading is None:
        return None
    kinds = [terms.things[k] for k in query.terms_named if k in terms.things]
    specific = [k for k in kinds if k.lower() != "ai system"]
    if specific:
        reading.system = specific[0]
    elif query.high_risk:
        reading.system = "high-risk"
    elif (annex := r.view.units.get((doc, CLASSIFYING_ANNEX))) is not None:
        for pin, score in candidates(query, annex, kb.embedder):
            block = find_block(annex, pin)
            if block is not None:
                hit = r.view.searcher.hits.span(doc, annex, block.start, block.end, pin, "", score, "search")
                reading.annex_hits.append(hit)
        reading.system = "high-risk (Annex III)" if reading.annex_hits else ""
    return reading


def _cite(view: View, doc: str, pinpoint: str, citations: list[Hit]) -> int:
    """The 1-based citation of provision `pinpoint` ("3(4)", "113(3)(c)(i)") of act `doc`,
    added once; 0 when the view does not hold it."""
    unit = view.units.get((doc, f"art_{pinpoint.split('(')[0]}"))
    block = find_block(unit, pinpoint) if unit is not None else None
    if unit is None:
        return 0
    start, end = (block.start, block.end) if block is not None else (0, len(unit.text))
    for n, hit in enumerate(citations, 1):
        if (hit.doc, hit.unit, hit.start, hit.end) == (doc, unit.id, start, end):
            return n
    citations.append(view.searcher.hits.span(doc, unit, start, end, pinpoint, "", 1.0, "reference"))
    return len(citations)


def _lead(reading: Reading, view: View, citations: list[Hit]) -> list[Sentence]:
    """What the list rests on: the role read (cited with its definition), and the kind of
    system (the Annex III point, cited) if any."""
    role = reading.role
    who = f"Read as the {role.term}: {reading.how}."
    if reading.others:
        who += (
            " The same activity makes a "
            + ", ".join(o.term for o in reading.others)
            + " (ask for that role)."
        )
    if reading.system and not reading.annex_hits:
        who += f" About: {reading.system}."
    defined = _cite(view, reading.doc, role.source.removeprefix("Article "), citations)
    out = [Sentence(text=who, citation=defined or 1, lead=True, quotes=[role.definition[:200]])]
    if reading.annex_hits:
        first = len(citations) + 1
        citations.extend(reading.annex_hits)
        points = [h.label.split(", point ", 1)[-1] for h in reading.annex_hits]  # "4(a)"
        listed = points[0] if len(points) == 1 else f"{', '.join(points[:-1])} or {points[-1]}"
        named = f"Annex III, point {listed}"
        text = (
            f"The system may be high-risk under {named} (the closest points of Annex III to the question; "
            f"the system's intended purpose decides); if so, as {role.term}, from the dates below:"
        )
        out.append(
            Sentence(
                text=text,
                citation=first,
                citations=list(range(first, len(citations) + 1)),
                quotes=[h.text[:200] for h in reading.annex_hits],
            )
        )
    return out


def _groups(found: list[dict], view: View, citations: list[Hit]) -> list[Sentence]:  # type: ignore[type-arg]
    """One sentence per date (cited with the provision that sets it), then one per article: its
    first operative sentence, cited with the span of all its paragraphs and points found."""
    by_date: dict[tuple[str, str, str], list[dict]] = {}  # type: ignore[type-arg]
    for item in found:
        first = (
            item["applies_from"][0] if item["applies_from"] else {"date": "", "provision": "", "pinpoint": ""}
        )
        by_date.setdefault((first["date"], first["provision"], first["pinpoint"]), []).append(item)
    out: list[Sentence] = []
    for (day, provision, pinpoint), members in sorted(by_date.items()):
        doc = members[0]["doc"]
        when = f"From {long_date(day)} ({provision})" if day else "No date read from the final provisions"
        sets = _cite(view, doc, pinpoint, citations) if pinpoint else 0
        by_unit: dict[str, list[dict]] = {}  # type: ignore[type-arg]
        for m in members:
            by_unit.setdefault(m["unit"], []).append(m)
        lines = []
        for unit_id, rows in by_unit.items():
            unit = view.units[(doc, unit_id)]
            start, end = min(x["start"] for x in rows), max(x["end"] for x in rows)
            pin = rows[0]["pinpoint"] if len(rows) == 1 else unit.num
            citations.append(view.searcher.hits.span(doc, unit, start, end, pin, "", 1.0, "reference"))
            parts = ", ".join(x["pinpoint"][len(unit.num) :] for x in rows if x["pinpoint"] != unit.num)
            label = f"Article {unit.num}" + (f" {parts}" if parts else "")
            text = rows[0]["sentence"] if len(rows[0]["sentence"]) <= 240 else rows[0]["sentence"][:239] + "…"
            quote = rows[0]["sentence"].split(": ")[-1][:200]
            lines.append(Sentence(text=f"{label}: {text}", citation=len(citations), quotes=[quote]))
        out.append(Sentence(text=f"{when}:", citation=sets or lines[0].citation))
        out.extend(lines)
    return out

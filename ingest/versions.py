"""The versions of each act an index holds: the text as published, as amended by each amending
act from the day it enters into force (ingest/consolidate.py), and EUR-Lex consolidated texts
added as versions of an act of the corpus; their passages (a unit a version leaves unchanged
keeps its passages) and the manifest entries that describe them.

Each `Version` says what it is when it is made (label, address, files, notes), so describing
it later needs no knowledge of how it was made.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ingest.amend import read_instructions
from ingest.chunk import chunk_act
from ingest.consolidate import AmendingAct, consolidate
from ingest.errors import IngestError
from ingest.inputs import Input
from ingest.sources import ActSource
from kb.document import Act, Passage
from kb.embed import Embedder
from kb.manifest import ActInfo, SourceFile, VersionInfo
from kb.refs import act_number, find_refs

CONSOLIDATED_LABEL = "consolidated text, EUR-Lex, documentation only, no legal effect"
CONSOLIDATED_NOTE = (
    "An EUR-Lex consolidated text: a documentation tool with no legal effect; the authentic text "
    "is the one published in the Official Journal"
)


@dataclass
class AmendmentReport:
    """How an amending act's instructions fared against the act they amend."""

    amending: str  # "Regulation (EU) 2026/1744"
    amended: str  # "AI Act"
    in_force: str
    points: int  # numbered amending points
    applied_points: int
    flagged_points: list[str]  # "point (4)" for each point with an instruction left to the reader
    instructions: int  # points and their lettered sub-points
    applied_instructions: int
    changed_units: int


@dataclass
class Version:
    """One version of an act: the text in force from `id` (an ISO date). `changed` names the
    units this version rewrote (None: all, the first version) and `removed` those it took out."""

    id: str
    act: Act
    label: str
    url: str
    sources: list[str]
    unofficial: str = ""
    amenders: list[ActSource] = field(default_factory=list)  # amending acts applied, in order
    applied: int = 0
    flagged: list[str] = field(default_factory=list)
    changed: set[str] | None = None
    removed: set[str] = field(default_factory=set)

    def info(self, passages: list[Passage]) -> VersionInfo:
        counts = {
            "units": len(self.act.units),
            "articles": len(self.act.of_kind("article")),
            "annexes": len(self.act.of_kind("annex")),
            "passages": sum(self.id in p.versions for p in passages),
        }
        return VersionInfo(
            id=self.id,
            in_force=self.id,
            label=self.label,
            url=self.url,
            amended_by=[a.short_name for a in self.amenders],
            sources=self.sources,
            unofficial=self.unofficial,
            applied=self.applied,
            flagged=self.flagged,
            counts=counts,
        )


def act_url(item: Input) -> str:
    """The act on EUR-Lex; for a consolidated text indexed as the act itself, that text."""
    src = item.source
    url = src.url or next((r.url for r in src.renditions if r.format == "xhtml"), src.eli)
    if item.consolidated is not None:
        url = src.url.replace(src.celex, item.consolidated.celex)
    return url


def first_version(item: Input) -> Version:
    """The text as the files give it: as published, or an EUR-Lex consolidated text."""
    src, act = item.source, item.parse()
    if item.consolidated is not None:
        return Version(
            src.in_force or src.date,
            act,
            CONSOLIDATED_LABEL,
            act_url(item),
            [str(p) for p in item.files.values()],
            "; ".join(n for n in (src.unofficial, CONSOLIDATED_NOTE) if n),
        )
    files = [r.file for r in src.renditions]
    return Version(
        src.in_force or src.date, act, f"original text, {src.oj}", act_url(item), files, src.unofficial
    )


def amend(item: Input, amended: Input, chain: list[Version], inputs: list[Input]) -> AmendmentReport:
    """Apply the amending act `item` to the latest version of `amended`, adding a version to
    `chain`. Raises IngestError when the corpus manifest does not say when or what it amends."""
    src = item.source
    if not src.in_force:
        raise IngestError(f"{src.id} amends {src.amends} but has no in_force date in the corpus manifest")
    latest = chain[-1]
    if src.in_force <= latest.id:
        raise IngestError(f"{src.id} enters into force on {src.in_force}, not after the version it amends")
    included = {r.official_name: item.files[r.format] for r in src.renditions if r.official_name}
    amending = AmendingAct(src.id, src.short_name, src.in_force, included)
    instructions = read_instructions(item.files[src.primary], src.amending_article or "1")
    result = consolidate(latest.act, instructions, amending)
    # Cross-references of the new text point at the act as amended.
    link(result.act, amended, inputs)
    base = amended.source
    amenders = [*latest.amenders, src]
    applied, flagged = result.points()
    # EUR-Lex names a consolidated version by the CELEX number with a 0 and the version date.
    celex = f"0{base.celex[1:]}-{src.in_force.replace('-', '')}"
    chain.append(
        Version(
            src.in_force,
            result.act,
            "as amended by " + ", ".join(a.short_name for a in amenders),
            f"https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:{celex}",
            [r.file for r in base.renditions] + [r.file for a in amenders for r in a.renditions],
            "; ".join(a.unofficial for a in amenders if a.unofficial),
            amenders,
            sum(o.applied for o in result.outcomes),
            [o.instruction for o in result.outcomes if not o.applied],
            result.changed,
            result.removed,
        )
    )
    return AmendmentReport(
        amending=src.short_name,
        amended=base.short_name,
        in_force=src.in_force,
        points=len({i.point for i in instructions}),
        applied_points=len(applied),
        flagged_points=[f"point ({n})" for n in flagged],
        instructions=len(instructions),
        applied_instructions=sum(o.applied for o in result.outcomes),
        changed_units=len(result.changed),
    )


def consolidated_version(text: Input, latest: Version) -> Version:
    """An EUR-Lex consolidated text as a version of the act in the corpus, from its date. It holds
    no recitals; the act's recitals stay with it, as the preamble is not consolidated."""
    info = text.consolidated
    assert info is not None
    if info.date <= latest.id:
        raise IngestError(
            f"{text.given[0]}: a consolidated text of {info.date}, not later than the version of "
            f"{latest.id} the index already holds for {latest.act.short_name}"
        )
    act = copy.deepcopy(text.parse())
    act.id, act.short_name = latest.act.id, latest.act.short_name
    act.units = [u for u in latest.act.units if u.kind == "recital"] + act.units
    before = {u.id: (u.title, u.text) for u in latest.act.units}
    changed = {u.id for u in act.units if before.get(u.id) != (u.title, u.text)}
    removed = {uid for uid in before if act.unit(uid) is None}
    return Version(
        info.date,
        act,
        CONSOLIDATED_LABEL,
        text.source.url.replace(text.source.celex, info.celex),
        [str(p) for p in text.files.values()],
        "; ".join(n for n in (text.source.unofficial, CONSOLIDATED_NOTE) if n),
        changed=changed,
        removed=removed,
    )


def versioned_passages(chain: list[Version], embedder: Embedder) -> list[Passage]:
    """Passages of every version; a unit that a version leaves unchanged keeps its passages,
    which then belong to that version too."""
    out: list[Passage] = []
    current: dict[str, list[Passage]] = {}
    for version in chain:
        for unit_id in version.removed:
            current.pop(unit_id, None)
        for unit_id, kept in current.items():
            if version.changed is None or unit_id not in version.changed:
                for p in kept:
                    p.versions = (*p.versions, version.id)
        fresh = chunk_act(version.act, embedder.token_counts, embedder.max_tokens, only=version.changed)
        for p in fresh:
            p.versions = (version.id,)
        by_unit: dict[str, list[Passage]] = {}
        for p in fresh:
            by_unit.setdefault(p.unit, []).append(p)
        current.update(by_unit)
        out.extend(fresh)
    return out


def link(act: Act, item: Input, inputs: list[Input]) -> None:
    """Find every unit's cross-references, resolving those that point into the corpus."""
    numbers = {act_number(i.source.celex): i.source.id for i in inputs}
    ids = {u.id for u in act.units}
    own = act_number(item.source.celex)
    for unit in act.units:
        unit.refs = find_refs(unit.text, act.id, ids, numbers, own)


def act_info(item: Input, counts: dict[str, int], chain: list[Version], passages: list[Passage]) -> ActInfo:
    """The manifest's entry for an act and its versions."""
    src, act = item.source, item.parse()
    in_chain = [p for p in passages if p.doc == act.id]
    return ActInfo(
        id=src.id,
        short_name=src.short_name,
        title=src.title,
        celex=src.celex,
        eli=src.eli,
        oj=src.oj,
        date=src.date,
        url=act_url(item),
        source_format=act.source_format,
        sources=[
            SourceFile(format=f, file=str(p) if item.added else p.name, sha256=item.sha256(f))
            for f, p in item.files.items()
        ],
        counts=counts,
        in_force=src.in_force,
        aliases=list(src.aliases),
        amends=src.amends or None,
        amending_units=[f"art_{src.amending_article or '1'}"] if src.amends else [],
        unofficial=src.unofficial,
        versions=[v.info(in_chain) for v in chain],
        origin=item.origin,
    )

"""Citations as lawyers write them ("AI Act, Article 5(1)(f)"), their EUR-Lex links, and the
one builder that gives a hit and a provision the same label, link, version and notes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from kb.document import Block, Unit
from kb.headings import acronyms, heading_path, proper_words
from kb.manifest import ActInfo, VersionInfo
from kb.results import AmendmentNote, RefLink
from kb.versions import amended_label, describe
from kb.vocabulary import ORDINALS

ParagraphStyle = Literal["numbered", "single", "ordinal"]


def paragraph_style(unit: Unit) -> ParagraphStyle:
    """How a pinpoint's first number reads in this unit: a paragraph number, a point of the
    article's single paragraph ("Article 3, point (4)"), or the ordinal of an unnumbered
    paragraph ("Article 50, third paragraph")."""
    if unit.numbered_paragraphs:
        return "numbered"
    return "ordinal" if len(unit.paragraphs()) > 1 else "single"


def citation_label(
    short_name: str, unit_kind: str, unit_num: str, pinpoint: str | None, style: ParagraphStyle = "numbered"
) -> str:
    """How a lawyer writes it: "AI Act, Article 5(1)(f)", "Data Act, Article 2, point (13)",
    "Data Act, Article 50, third paragraph", "AI Act, Annex III, point 4(a)",
    "AI Act, Annex VIII, Section C", "Data Act, Recital 15"."""
    if unit_kind == "recital":
        return f"{short_name}, Recital {unit_num}"
    pin = pinpoint or unit_num
    rest = pin[len(unit_num) :] if pin.startswith(unit_num) else ""
    span = ""
    if "-" in rest:
        rest, span = rest.split("-", 1)
        span = "-" + span
    parts = re.findall(r"\(([^)]*)\)", rest)
    if unit_kind == "article":
        if not parts or style == "numbered":
            return _range(f"{short_name}, Article {unit_num}{rest}", span)
        if style == "ordinal" and parts[0].isdigit() and int(parts[0]) <= len(ORDINALS):
            label = f"{short_name}, Article {unit_num}, {ORDINALS[int(parts[0]) - 1]} paragraph"
            parts = parts[1:]
            if parts:
                label += f", point ({parts[0]})" + "".join(f"({p})" for p in parts[1:])
            return _range(label, span)
        subpoints = "".join(f"({p})" for p in parts[1:])
        return _range(f"{short_name}, Article {unit_num}, point ({parts[0]}){subpoints}", span)
    # Annexes: a capital letter is a section, a number is a point with its subpoints.
    # An act's sole annex has no number: "Annex, point 2(a)", never "Annex , point 2(a)".
    label = f"{short_name}, Annex {unit_num}".rstrip()
    if parts and re.fullmatch(r"[A-Z]", parts[0]):
        label += f", Section {parts[0]}"
        parts = parts[1:]
    if parts:
        label += f", point ({parts[0]})" + "".join(f"({p})" for p in parts[1:])
        label = _range(label, span)
        # Annex points are printed "4." in the annex, and cited "point 4(a)".
        return re.sub(r"(points? | to )\((\d+)\)", r"\1\2", label)
    return label


def _range(label: str, span: str) -> str:
    """'…Article 5(6)' + '-(8)' -> '…Article 5(6) to (8)'; '…Article 3, point (1)' + '-(4)' ->
    '…Article 3, points (1) to (4)'."""
    if not span:
        return label
    last = span.lstrip("-")
    m = re.search(r", point (\([^)]*\))$", label)
    if m:
        return f"{label[: m.start()]}, points {m.group(1)} to {last}"
    return f"{label} to {last}"


def eurlex_url(act_url: str, anchor: str) -> str:
    return f"{act_url}#{anchor}" if anchor else act_url


def pinpoint_of(unit: Unit, path: list[Block]) -> str:
    """'5(1)(f)' for Article 5, paragraph 1, point (f); '3(4)' where an article has one lead-in."""
    parts = [unit.num]
    top_paragraphs = unit.paragraphs()
    for depth, block in enumerate(path):
        if depth == 0 and block.kind == "text":
            # Unnumbered paragraphs are counted in order, unless there is only one.
            if len(top_paragraphs) > 1 and block in top_paragraphs:
                parts.append(f"({top_paragraphs.index(block) + 1})")
            continue
        if block.num:
            parts.append(f"({block.num})")
    return parts[0] + "".join(parts[1:])


@dataclass(frozen=True)
class Cited:
    """What every citation of a unit carries, whether it is a hit or a whole provision."""

    label: str  # "AI Act, Article 5(1)(f)", with " (as amended by …)" where the text changed
    heading: str  # "AI Act › Chapter II Prohibited AI practices › Article 5 Prohibited AI practices"
    url: str  # EUR-Lex, the consolidated text where the act was amended, with the unit's anchor
    version: str  # the Official Journal publication and version, as `versions.describe` says it
    version_date: str  # ISO date from which the cited text is in force
    amended_by: list[AmendmentNote]
    unofficial: str | None  # why the text rests on files that are not the official ones
    pages: list[int] | None  # pages of the Official Journal PDF; None once the text was amended


class Citer:
    """Labels, links and cross-references for the units of one version of each act.

    `acts` are the acts in view, `versions` the version chosen of each, `units` their units by
    (act id, unit id); `all_acts` also holds acts out of view (an amending act not yet in force),
    whose notes still apply to the units they changed."""

    def __init__(
        self,
        acts: dict[str, ActInfo],
        all_acts: dict[str, ActInfo],
        versions: dict[str, VersionInfo],
        units: dict[tuple[str, str], Unit],
        original: Callable[[str, str], Unit | None] | None = None,
    ) -> None:
        self.acts = acts
        self.original = original  # (act id, unit id) -> the unit as first published
        self.all_acts = all_acts
        self.versions = versions
        self.units = units
        self._acronyms = {doc: self._kept_words(doc, units) for doc in acts}
        self._incoming: dict[tuple[str, str], list[tuple[str, str, str]]] | None = None

    @staticmethod
    def _kept_words(doc: str, units: dict[tuple[str, str], Unit]) -> set[str]:
        """The acronyms and names an act writes capitalised, which its headings keep so."""
        texts = [u.text for (d, _), u in units.items() if d == doc and u.kind == "article"]
        return acronyms(texts) | proper_words(texts)

    def cite(
        self, doc: str, unit: Unit, pinpoint: str | None = None, span: tuple[int, int] | None = None
    ) -> Cited:
        """The citation of `unit` of act `doc`, or of the part `pinpoint` ("5(1)(f)") names, whose
        text is `unit.text[start:end]` for `span` = (start, end). "(as amended by …)" is added
        only where that text was changed; the notes say what changed elsewhere in the unit."""
        act, version = self.acts[doc], self.versions[doc]
        changed = span is None or self._changed(doc, unit, *span)
        return Cited(
            label=citation_label(act.short_name, unit.kind, unit.num, pinpoint, paragraph_style(unit))
            + (amended_label(unit) if changed else ""),
            heading=heading_path(act.short_name, unit, self._acronyms.get(doc, set())),
            url=eurlex_url(version.url if version.amended_by else act.url, unit.anchor),
            version=describe(act, version),
            version_date=version.in_force,
            amended_by=[AmendmentNote.model_validate(a, from_attributes=True) for a in unit.amendments],
            unofficial=self._unofficial(act, unit, changed),
            # The original PDF's pages no longer hold an amended unit's text.
            pages=list(unit.pages) if unit.pages and not unit.amendments else None,
        )

    def _changed(self, doc: str, unit: Unit, start: int, end: int) -> bool:
        """Whether unit.text[start:end] differs from the text as first published."""
        if not unit.amendments or self.original is None:
            return bool(unit.amendments)
        first = self.original(doc, unit.id)
        if first is None:
            return True  # a unit the amendments inserted
        return _plain(unit.text[start:end]) not in _plain(first.text)

    def links(self, doc: str, unit: Unit, start: int = 0, end: int | None = None) -> list[RefLink]:
        """The provisions that `unit.text[start:end]` refers to: units of the corpus, and other
        acts by name (the Treaties left out), each once."""
        end = len(unit.text) if end is None else end
        links: dict[tuple[str | None, str | None, str | None], RefLink] = {}
        for r in unit.refs:
            if r.start < start or r.end > end:
                continue
            if r.unit and r.doc:
                target = self.units.get((r.doc, r.unit))
                if target is None or (r.doc == doc and r.unit == unit.id):
                    continue
                links.setdefault((r.doc, r.unit, r.pinpoint), self._link(r.text, r.doc, target, r.pinpoint))
            elif r.external and r.unit is None and r.doc is None and r.external != "Treaty":
                links.setdefault(
                    (None, None, r.external), RefLink(text=r.text, label=r.external, external=r.external)
                )
        return list(links.values())

    def referred_by(self, doc: str, unit_id: str) -> list[RefLink]:
        """The units that refer to (doc, unit_id), each once, with the reference as they write it."""
        out = []
        seen: set[tuple[str, str]] = set()
        for src_doc, src_id, text in self._incoming_refs().get((doc, unit_id), []):
            if (src_doc, src_id) not in seen:
                seen.add((src_doc, src_id))
                out.append(self._link(text, src_doc, self.units[(src_doc, src_id)], None))
        return out

    def _link(self, text: str, doc: str, target: Unit, pinpoint: str | None) -> RefLink:
        act = self.acts[doc]
        label = citation_label(act.short_name, target.kind, target.num, pinpoint, paragraph_style(target))
        return RefLink(
            text=text, label=label, doc=doc, unit=target.id, url=eurlex_url(act.url, target.anchor)
        )

    def _incoming_refs(self) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        if self._incoming is None:
            incoming: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
            for (src_doc, src_id), src in self.units.items():
                for r in src.refs:
                    if r.doc and r.unit and (r.doc, r.unit) != (src_doc, src_id):
                        bucket = incoming.setdefault((r.doc, r.unit), [])
                        if (src_doc, src_id, r.text) not in bucket:
                            bucket.append((src_doc, src_id, r.text))
            self._incoming = incoming
        return self._incoming

    def _unofficial(self, act: ActInfo, unit: Unit, changed: bool = True) -> str | None:
        """Why the cited text rests on unofficial files: the act's own files, or, only where the
        cited wording came from an amending act (`changed`), that act's transcription. The
        unchanged definition of "deployer" in an amended Article 3 carries no such note."""
        notes = [act.unofficial] if act.unofficial else []
        for source_id in dict.fromkeys(a.act for a in unit.amendments if changed):
            source = self.all_acts.get(source_id)
            if source is not None and source.unofficial:
                notes.append(f"Amended wording from {source.short_name}. {source.unofficial}")
        return "; ".join(notes) or None


def _plain(text: str) -> str:
    """Text compared across versions: the amending act prints quotes ‘ ’ where the act has “ ”."""
    return re.sub(r"\s+", " ", re.sub(r"[‘’“”]", "'", text)).strip()

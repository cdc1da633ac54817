"""Hits as every interface shows them: a verbatim span of a unit with its citation."""

from __future__ import annotations

from typing import Literal

from kb.citations import Citer
from kb.document import Passage, Unit
from kb.results import Hit

Match = Literal["reference", "definition", "search", "citing"]


class HitMaker:
    """Builds hits over the units of one view, citing them with `citer`."""

    def __init__(self, citer: Citer, units: dict[tuple[str, str], Unit]) -> None:
        self.citer = citer
        self.units = units

    def passage(self, p: Passage, score: float) -> Hit:
        """A ranked passage as a hit."""
        return self.span(p.doc, self.units[(p.doc, p.unit)], p.start, p.end, p.pinpoint, p.context, score)

    def span(
        self,
        doc: str,
        unit: Unit,
        start: int,
        end: int,
        pinpoint: str,
        context: str,
        score: float,
        match: Match = "search",
    ) -> Hit:
        """`unit.text[start:end]` (character offsets) as a hit; `pinpoint` names that part
        ("5(1)(f)"), `context` is the lead-in of the list it belongs to."""
        cited = self.citer.cite(doc, unit, pinpoint, (start, end))
        return Hit(
            doc=doc,
            unit=unit.id,
            unit_kind=unit.kind,
            pinpoint=pinpoint,
            label=cited.label,
            title=unit.title,
            heading=cited.heading,
            url=cited.url,
            page=cited.pages[0] if cited.pages else None,
            text=unit.text[start:end],
            context=context,
            score=round(score, 6),
            match=match,
            refs=self.citer.links(doc, unit, start, end),
            version=cited.version,
            version_date=cited.version_date,
            amended_by=cited.amended_by,
            unofficial=cited.unofficial,
            start=start,
            end=end,
        )

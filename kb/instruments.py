"""Instruments people name next to the acts in the knowledge base: other EU acts by number
("Regulation (EU) 2022/1925", "Directive 2019/1937/EU") or by the short names the field uses
("GDPR", "DMA", "NIS2"), and national laws ("§ 26 BDSG"). A mention of one that is not in
the knowledge base is recognised as such (kb/grammar.py `find_instruments` reads them in a
question), so that a question about it is never answered from another act.

The acts and their names are listed in corpus/abbreviations.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

# The documented list of EU acts and the names people use for them (corpus/abbreviations.toml),
# shared with ingest, which names an added act from it.
ABBREVIATIONS_FILE = Path(__file__).resolve().parent.parent / "corpus" / "abbreviations.toml"


class Abbreviation(TypedDict, total=False):
    """One `[[act]]` entry of corpus/abbreviations.toml (its header says what each key is for)."""

    number: str
    type: str
    name: str
    abbreviation: str
    short_name: str
    aliases: list[str]


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, Abbreviation]:
    """The entries of corpus/abbreviations.toml by act number ("2016/679")."""
    data = tomllib.loads(ABBREVIATIONS_FILE.read_text(encoding="utf-8"))
    return {entry["number"]: entry for entry in data.get("act", [])}


@lru_cache(maxsize=1)
def known() -> dict[str, tuple[str, str, str]]:
    """Each name people use for a listed act -> (type, number, name in its title)."""
    out: dict[str, tuple[str, str, str]] = {}
    for number, entry in abbreviations().items():
        for name in (
            entry["abbreviation"],
            entry.get("short_name"),
            entry["name"],
            *entry.get("aliases", []),
        ):
            if name:
                out[name] = (entry["type"], number, entry["name"])
    return out


NOT_HELD = "is not in this knowledge base"


@dataclass(frozen=True)
class Instrument:
    """An instrument named in a question that the knowledge base does not hold."""

    text: str  # as written: "Regulation (EU) 2022/1925", "GDPR", "§ 26 BDSG"
    start: int
    end: int
    name: str  # "Regulation (EU) 2022/1925 (Digital Markets Act)", "GDPR (General Data Protection …)"
    number: str | None  # "2022/1925" for an EU act
    url: str | None  # its EUR-Lex page, for an EU act
    why: str = NOT_HELD  # what the notice says of it

    @property
    def notice(self) -> str:
        """The notice a reader gets: "GDPR (…) is not in this knowledge base (EUR-Lex: …)."."""
        where = f" (EUR-Lex: {self.url})" if self.url else ""
        return f"{self.name} {self.why}{where}."


def eli_url(kind: str, number: str) -> str:
    """EUR-Lex's ELI link of an EU act numbered year/number: Regulation 2022/1925 ->
    .../eli/reg/2022/1925/oj; a two-digit year is of the last century up to 50 ("95/46": 1995)."""
    year, num = number.split("/")
    if len(year) == 2:
        year = ("19" if int(year) > 50 else "20") + year
    code = {"Regulation": "reg", "Directive": "dir", "Decision": "dec"}[kind]
    return f"https://eur-lex.europa.eu/eli/{code}/{year}/{int(num)}/oj"


def named_outside(name: str, corpus_names: Mapping[str, str]) -> Instrument | None:
    """The listed act outside the corpus that `name` names in full, in any case: "gdpr", "GDPR",
    "2016/679", "Digital Markets Act"; None for a corpus act or a name not listed. For an act id
    given where the corpus's ids go (`kb show "gdpr art_30"`, /v1/documents/gdpr/units/art_30)."""
    wanted = name.strip().lower()
    if not wanted or wanted in corpus_names:
        return None
    for short, (kind, number, full) in known().items():
        if wanted in (short.lower(), number, full.lower()) and number not in corpus_names:
            label = full if short.lower() in full.lower() else f"{short} ({full})"
            return Instrument(name, 0, len(name), label, number, eli_url(kind, number))
    return None

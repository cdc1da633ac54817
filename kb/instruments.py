"""Instruments people name next to the acts in the knowledge base: other EU acts by number
("Regulation (EU) 2022/1925", "Directive 2019/1937/EU") or by the short names the field uses
("GDPR", "DMA", "NIS2"), and national laws ("§ 26 BDSG"). A mention of one that is not in
the knowledge base is recognised as such, so that a question about it is never answered
from another act.

The acts and their names are listed in corpus/abbreviations.toml."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The documented list of EU acts and the names people use for them (corpus/abbreviations.toml),
# shared with ingest, which names an added act from it.
ABBREVIATIONS_FILE = Path(__file__).resolve().parent.parent / "corpus" / "abbreviations.toml"


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, dict]:
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


# Laws that are not EU acts at all, and schemes and standards, which people cite next to them.
NON_EU = re.compile(
    r"\b(?:BDSG|Bundesdatenschutzgesetz|UWG|BGB|TTDSG|TDDDG|HGB|StGB|"
    r"(?:UK|US|Colorado|California|Texas|Utah|New York|Illinois|Chinese|Korean|Japanese|Brazilian|Canadian) "
    r"(?:AI|Data|Privacy|Consumer Privacy)? ?(?:Act|Law|law|Bill|bill)|CCPA|CPRA|HIPAA|LGPD|PIPL|PIPEDA|"
    r"ISO(?:/IEC)? ?\d{4,5}|NIST AI RMF|NIST|EUCS|SOC ?2)\b"
)
# "§ 26 BDSG", "§ 312k BGB": a national statute cited by its section sign.
SECTION_SIGN = re.compile(
    r"§+\s*\d+[a-z]?(?:\s+(?:Abs\.|para\.?)\s*\d+)?\s+(?P<law>[A-Z][A-Za-zÄÖÜäöü-]{1,30})"
)
_AFTER_ARTICLE = re.compile(r"\b(?:art(?:icle|ikel)?s?\.?)\s*\d+[a-z]?\s*$", re.IGNORECASE)
# EU acts by number: "Regulation (EU) 2022/1925", "Directive (EU) 2019/1937", "Directive 95/46/EC",
# "Regulation (EC) No 1907/2006".
_NUMBERED = re.compile(
    r"\b(?P<type>Regulation|Directive|Decision)\s+(?:\((?:EU|EC|EEC|EU, Euratom)\)\s+)?(?:No\.?\s+)?"
    r"(?P<num>\d{4}/\d{1,4}|\d{1,4}/\d{4}|\d{2}/\d{1,4})(?:/(?:EU|EC|EEC))?\b"
)


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


def find_instruments(query: str, corpus_names: Mapping[str, str]) -> list[Instrument]:
    """Instruments `query` names that are not in the corpus. `corpus_names` maps the lower-cased
    names and numbers of the corpus acts (`query_refs.act_names`) to act ids: an act added to
    the knowledge base is never reported as missing."""
    by_number = {name for name in corpus_names if re.fullmatch(r"\d{1,4}/\d{1,4}", name)}
    found: list[Instrument] = []
    for m in _NUMBERED.finditer(query):
        number = _normal_number(m.group("num"), numbered_first=" No" in m.group(0))
        if number in by_number:
            continue
        listed = abbreviations().get(number)
        name = m.group(0) + (f" ({listed['name']})" if listed else "")
        url = eli_url(m.group("type"), number)
        found.append(Instrument(m.group(0), m.start(), m.end(), name, number, url))
    for short, (kind, number, full) in known().items():
        if short.lower() in corpus_names or number in by_number:
            continue
        flags = 0 if short.isupper() else re.IGNORECASE  # "DMA" in capitals; "Chips Act" in any case
        for m in re.finditer(r"(?<![\w/])" + re.escape(short) + r"(?![\w/])", query, flags):
            if any(f.start <= m.start() < f.end for f in found):
                continue
            name = full if short.lower() in full.lower() else f"{short} ({full})"
            found.append(Instrument(m.group(0), m.start(), m.end(), name, number, eli_url(kind, number)))
    for m in SECTION_SIGN.finditer(query):
        if _AFTER_ARTICLE.search(query[: m.start()]):
            continue  # "Art. 6 § 2": a paragraph of an article, not a statute
        found.append(
            Instrument(m.group(0), m.start(), m.end(), f"{m.group('law')} (a national law)", None, None)
        )
    for m in NON_EU.finditer(query):
        if not any(f.start <= m.start() < f.end for f in found):
            found.append(Instrument(m.group(0), m.start(), m.end(), m.group(0), None, None))
    return sorted(found, key=lambda f: f.start)


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


def _normal_number(num: str, numbered_first: bool = False) -> str:
    """Year/number, as acts are numbered since 2015: '2022/1925'; '95/46' (an old directive) stays;
    an old regulation's 'No 1907/2006' becomes '2006/1907'. Leading zeros go."""
    a, b = (int(x) for x in num.split("/"))
    return f"{b}/{a}" if numbered_first else f"{a}/{b}"

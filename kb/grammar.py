"""The one grammar of citations: how provisions, acts and other instruments are named, in a
question, in a reference (`kb show`), in a generated answer and in the acts' own text.

- The forms practitioners write ("Art. 5(1)(f) AI Act", "Art. 6 Abs. 2 KI-VO", "Annex III, point
  4", "recital (27)"), read to a unit and a pinpoint, bound to the act named beside them
  (`find_query_refs`, `act_mentions`).
- The forms the acts themselves use ("point (h) of Article 5(1)", "Articles 8 to 15", "Annex
  III, point 4", "Regulation (EU) 2016/679"): `ACT_ARTICLE`, `ACT_ANNEX`, `ACT_EXTERNAL`, read by
  kb/refs.py at ingest. They are the practitioners' forms in the acts' fixed spelling.
- Links to a provision on EUR-Lex (".../TXT/?uri=CELEX:32024R1689#art_5", ".../eli/reg/2024/1689/oj#art_5"):
  `find_links`.
- Other instruments named beside the acts ("GDPR", "Directive 2019/1937/EU", "§ 26 BDSG"):
  `find_instruments`, with the list in corpus/abbreviations.toml (kb/instruments.py).

A question is read with these only by kb/text.py; tests/unit/test_question_readers.py holds
every other module to that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kb.instruments import Instrument, abbreviations, eli_url, known
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
    """A provision named in a text: "Art. 5(1)(f) AI Act" -> (ai-act, art_5, "5(1)(f)")."""

    text: str
    unit: str  # "art_5", "anx_III", "rct_27"
    pinpoint: str | None  # "5(1)(f)", "III(4)(a)", None for the whole unit
    doc: str | None  # the act named with it, or None when the text names none
    start: int
    external: str | None = None  # the instrument outside the corpus it belongs to ("GDPR"), if any


def find_query_refs(
    text: str, act_names: Mapping[str, str], outside: Iterable[tuple[int, int, str]] = ()
) -> list[QueryRef]:
    """References in a text, in order. `act_names` maps lower-cased names ("ai act",
    "2024/1689") to act ids; `outside` lists (start, end, name) of instruments the knowledge
    base does not hold: a reference bound to one of those ("Art. 30 GDPR") keeps doc None and
    names it in `external`."""
    found: list[QueryRef] = []
    mentions: list[tuple[int, int, str | None, str | None]]
    mentions = [(s, e, d, None) for s, e, d in act_mentions(text, act_names)]
    mentions += [(s, e, None, name) for s, e, name in outside]
    mentions.sort(key=lambda m: m[0])

    def owner(start: int, end: int) -> tuple[str | None, str | None]:
        # The act named right after ("Article 25 of the Data Act", "Art. 30 GDPR") or right before
        # ("AI Act Art. 14") the reference, else the only corpus act the text names.
        after = [(d, x) for s, _e, d, x in mentions if 0 <= s - end <= 12]
        before = [(d, x) for _s, e, d, x in mentions if 0 <= start - e <= 8]
        if after:
            return after[0]
        if before:
            return before[-1]
        named = {d for _s, _e, d, x in mentions if d}
        return (named.pop(), None) if len(named) == 1 else (None, None)

    for kind, head in _HEADS:
        for m in head.finditer(text):
            num = m.group("num")
            if kind == "art" and text[m.start() : m.start() + 4] == "art " and not num.isdigit():
                continue  # "state of the art 5G": a lower-case "art" cites only a plain number
            if kind == "anx":
                if not is_roman(num):
                    continue
                num = num.upper()
            comps, end = _components(text, m.end(), kind) if kind != "rct" else ([], m.end())
            start = m.start()
            before = _BEFORE.search(text[: m.start()]) if kind == "art" else None
            if before:
                start = before.start()
                extra = (before.group("pt") or before.group("par")).lower()
                comps = [*comps, extra] if before.group("pt") else [extra, *comps]
            pinpoint = num + "".join(f"({c})" for c in comps) if comps else None
            doc, external = owner(start, end)
            found.append(QueryRef(text[start:end], f"{kind}_{num}", pinpoint, doc, start, external))
    found.sort(key=lambda r: r.start)
    return found


def act_mentions(text: str, act_names: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, act id) of each act name in `text`. A name of three letters or fewer ("DA",
    "AIA", "RIA") counts only in capitals, as the field writes it: "da" is a word elsewhere."""
    lowered = text.lower()
    out = []
    for name, doc in act_names.items():
        for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", lowered):
            if len(name) <= 3 and name.isalpha() and not text[m.start() : m.end()].isupper():
                continue
            out.append((m.start(), m.end(), doc))
    return sorted(out)


def named_acts(text: str, act_names: Mapping[str, str]) -> list[str]:
    """The corpus acts a text names, in order of first mention."""
    seen: list[str] = []
    for _start, _end, doc in act_mentions(text, act_names):
        if doc not in seen:
            seen.append(doc)
    return seen



# -- the acts' own forms (kb/refs.py reads the acts with these) --------------------

ACT_NUMBER = r"(?:\d{4}/\d{1,4}|\d{1,4}/\d{4})"
ACT_EXTERNAL = re.compile(
    r"(?:Council |Commission )?(?:Implementing |Delegated |Framework )?"
    r"(?P<type>Regulation|Directive|Decision)"
    r"(?: \((?:EU|EC|EEC|Euratom|EU, Euratom)\))?(?: No)? (?P<num>" + ACT_NUMBER + r")"
    r"(?:/(?:EU|EC|EEC|JHA|CFSP))?"
)
ACT_TREATY = re.compile(r"^\s*(?:of|to) (?:the )?(?:TFEU|TEU|Treaty|Charter|Protocol)")
ACT_POINTS = r"(?:\((?:\d+[a-z]?|[a-z]{1,3})\))*"
ACT_ARTICLE = re.compile(
    r"(?:point \((?P<pt_before>[a-z0-9]+)\)(?: of the (?:first|second|third) subparagraph)? of )?"
    r"Articles? (?P<num>\d+[a-z]?)(?P<pin>" + ACT_POINTS + r")"
    r"(?:,? (?:first |second |third )?(?:subparagraph, )?points? \((?P<pt_after>[a-z0-9]+)\))?"
    r"(?P<range>(?: to |, | and | or )(?:Article )?\d+[a-z]?" + ACT_POINTS + r")*"
)
ACT_ANNEX = re.compile(
    r"Annex(?:es)? (?P<num>[IVXLC]+)\b(?:,? (?:Section (?P<sct>[A-Z])|points? (?P<pt>\d+(?:\([a-z]\))?)))?"
)
ACT_RANGE_ITEM = re.compile(r"( to |, | and | or )(?:Article )?(\d+[a-z]?)(" + ACT_POINTS + r")")



# -- other instruments (kb/instruments.py lists them) ------------------------------

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



def find_instruments(text: str, corpus_names: Mapping[str, str]) -> list[Instrument]:
    """Instruments `text` names that are not in the corpus. `corpus_names` maps the lower-cased
    names and numbers of the corpus acts (`query_refs.act_names`) to act ids: an act added to
    the knowledge base is never reported as missing."""
    by_number = {name for name in corpus_names if re.fullmatch(r"\d{1,4}/\d{1,4}", name)}
    found: list[Instrument] = []
    for m in _NUMBERED.finditer(text):
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
        for m in re.finditer(r"(?<![\w/])" + re.escape(short) + r"(?![\w/])", text, flags):
            if any(f.start <= m.start() < f.end for f in found):
                continue
            name = full if short.lower() in full.lower() else f"{short} ({full})"
            found.append(Instrument(m.group(0), m.start(), m.end(), name, number, eli_url(kind, number)))
    for m in SECTION_SIGN.finditer(text):
        if _AFTER_ARTICLE.search(text[: m.start()]):
            continue  # "Art. 6 § 2": a paragraph of an article, not a statute
        found.append(
            Instrument(m.group(0), m.start(), m.end(), f"{m.group('law')} (a national law)", None, None)
        )
    for m in NON_EU.finditer(text):
        if not any(f.start <= m.start() < f.end for f in found):
            found.append(Instrument(m.group(0), m.start(), m.end(), m.group(0), None, None))
    return sorted(found, key=lambda f: f.start)


def _normal_number(num: str, numbered_first: bool = False) -> str:
    """Year/number, as acts are numbered since 2015: '2022/1925'; '95/46' (an old directive) stays;
    an old regulation's 'No 1907/2006' becomes '2006/1907'. Leading zeros go."""
    a, b = (int(x) for x in num.split("/"))
    return f"{b}/{a}" if numbered_first else f"{a}/{b}"


# -- links to EUR-Lex ------------------------------------------------------------------------
# A EUR-Lex address; its act is a CELEX number or an ELI path, its provision the page anchor.
_LINK = re.compile(r"https?://eur-lex\.europa\.eu/[^\s<>\"'\])]+", re.IGNORECASE)
_CELEX = re.compile(r"CELEX[:%3A]+(\d{5}[RLD]\d{4})", re.IGNORECASE)
_ELI = re.compile(r"/eli/(?:reg|dir|dec)/(\d{4})/(\d{1,4})", re.IGNORECASE)
_ANCHOR = re.compile(r"#((?:art|rct|anx)_[0-9A-Za-z]+)")


@dataclass(frozen=True)
class LinkRef:
    """A EUR-Lex link in a text: where it stands, the provision its anchor names ("art_5"), and
    the act as the link names it: a CELEX number ("32024R1689") or an ELI number ("2024/1689"),
    or "" when it names neither."""

    start: int
    end: int
    url: str
    unit: str | None  # None: a link to a whole act or page, no provision
    celex: str
    number: str


def find_links(text: str) -> list[LinkRef]:
    """Every EUR-Lex link in `text`, in order, with the provision its anchor names."""
    found = []
    for m in _LINK.finditer(text):
        url = m.group(0)
        anchor = _ANCHOR.search(url)
        unit = None
        if anchor:
            prefix, _, num = anchor.group(1).partition("_")
            unit = f"{prefix.lower()}_{num.upper() if prefix.lower() == 'anx' else num.lower()}"
        celex = _CELEX.search(url)
        eli = _ELI.search(url)
        number = f"{eli.group(1)}/{int(eli.group(2))}" if eli else ""
        found.append(LinkRef(m.start(), m.end(), url, unit, celex.group(1).upper() if celex else "", number))
    return found


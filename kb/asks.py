"""What a question asks for beyond the text of the acts: a country's law, a future act of an
institution, an instrument still to be adopted, an event in the world, another field of law.

A reader of the question, like kb/grammar.py (whose citation forms had no room for it): only
kb/query.py calls it, into `Query.asks_for`, and tests/unit/test_question_readers.py lists it
among the modules allowed to read a question. kb/abstain.py weighs what it reads against what
the provisions found say (kb/delegation.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from kb.obligations.terms import ACTIVITIES, term_pattern

# Each reading is a form of the question, not a list of questions:
# a place (a country, by pycountry's ISO 3166 names, or its people), a future act of an
# institution (a future tense with an institution), an instrument still to be adopted (guidelines,
# templates, standards), an event in the world (present perfect of an act of record) and another
# field of law (by its name).

# Institutions that adopt or publish what the acts leave to later acts.
_INSTITUTION = (
    r"(?:commission|\beu\b|union|ai office|board|regulators?|authorit(?:y|ies)|standardi[sz]ation|"
    r"cen\b|cenelec)"
)
_FUTURE = re.compile(
    r"\b(?:will|going to|plans? to|planned|upcoming|next|expected to|yet to|soon)\b", re.IGNORECASE
)
_INSTITUTION_RE = re.compile(_INSTITUTION, re.IGNORECASE)
# An instrument the acts leave to be adopted later: the kinds the acts empower (Art. 96 guidelines,
# Art. 41 common specifications, Data Act Art. 41 model contractual terms).
_INSTRUMENT = re.compile(
    r"\b(?:official|standard|template|form|formula|guidelines?|guidance|implementing acts?|delegated acts?|"
    r"common specifications?|model (?:contractual )?(?:terms|clauses)|codes? of practice|questionnaire)s?\b",
    re.IGNORECASE,
)
# National law asked for without a country: "in my country", "the national regulator".
_NATIONAL = re.compile(
    r"\b(?:national|my country|our country|domestic|each member state|member states?)\b", re.IGNORECASE
)
# An event of record in the world, asked about: a question in the present perfect ("Has Austria
# passed …", "which companies have signed …", "what fines has the regulator handed out"), or one that
# asks what actually happened, or a measure of a market. A present perfect that sets the scene is no
# question about the world ("after a public body has received our data", "our model has just
# crossed the threshold"), nor an obligation ("have to").
_PARTICIPLE = r"(?:\w+ed|put|set up|made|paid|given|chosen|taken|handed out|brought)\b"
_EVENT = re.compile(
    r"(?:^|[.?!]\s+)(?:has|have)\s+(?!to\b)(?:\w+\s+){1,4}?"
    + _PARTICIPLE
    + r"|\b(?:which|who|what|how many|how much)\b[^,.?;]{0,60}?\b(?:have|has)\s+(?!to\b)(?:\w+\s+){0,2}?"
    + _PARTICIPLE
    + r"|\bactually\s+(?:\w+\s+)?(?:\w+ed|handed out|put|set|paid)\b|\bso far\b|(?<!up )\bto date\b"
    r"|\bhow (?:big|large) (?:is|are)\b|\bmarket (?:size|share)\b|\bstatistics\b|\bprices?\b"
    r"|\bwhat share of\b",
    re.IGNORECASE,
)
# A corrigendum or correction of an act: the knowledge base holds the acts as published and amended,
# not their corrigenda (issue 27).
_CORRIGENDUM = re.compile(r"\bcorrigend\w*|\bcorrection notice\b|\bcorrected version\b", re.IGNORECASE)
# Fields of law the acts do not govern, by the names practitioners give them.
_OTHER_FIELDS = re.compile(
    r"\b(?:copyright(?:ed)?|patents?|trade ?marks?|defamat\w*|libel|slander|tort|negligence|"
    r"product liability|defective product|liable for (?:injury|damage)|compensation for (?:injury|damage)|"
    r"vat|value added tax|taxation|limitation periods?|statute of limitations?|time[- ]barred|"
    r"refund|repair or (?:a )?re(?:place|fund)\w*|warranty|guarantee rights?|criminal law|inheritance|"
    r"works council|co-determination|sue|sued|suing|lawsuit|damages|compensation|reputation)\b",
    re.IGNORECASE,
)


def places(text: str) -> list[str]:
    """Countries a text names, by name (pycountry's ISO 3166-1 common or short name) or, for the EU
    and EEA states, by demonym ("German implementing act"); [] when none. Case-sensitive, so
    that "turkey" or "chad" as words do not count."""
    found = [name for name, pattern in _place_patterns() if pattern.search(text)]
    return list(dict.fromkeys(found))


def asks_for(text: str) -> dict[str, list[str]]:
    """What a question asks for beyond the text of the acts: {"national": [places or words],
    "place": [countries named],
    "future": [...], "instrument": [...], "world": [...], "corrigendum": [...], "other-law":
    [...]}, each with the words that showed it; an empty dict for a question about the law itself."""
    out: dict[str, list[str]] = {}
    named = places(text)
    national = named + [m.group(0) for m in _NATIONAL.finditer(text)]
    if national:
        out["national"] = national
    if named:
        out["place"] = named
    if _FUTURE.search(text) and _INSTITUTION_RE.search(text):
        out["future"] = [m.group(0) for m in _FUTURE.finditer(text)]
    if instrument := [m.group(0) for m in _INSTRUMENT.finditer(text)]:
        out["instrument"] = instrument
    if world := [m.group(0) for m in _EVENT.finditer(text)]:
        out["world"] = world
    if corrigenda := [m.group(0) for m in _CORRIGENDUM.finditer(text)]:
        out["corrigendum"] = corrigenda
    if fields := [m.group(0) for m in _OTHER_FIELDS.finditer(text)]:
        out["other-law"] = fields
    return out


# pycountry has names, not demonyms, so those of the EU and EEA states (whose national law the
# acts leave things to) are written here, in their usual English adjective form.
DEMONYMS = {
    "Austria": "Austrian",
    "Belgium": "Belgian",
    "Bulgaria": "Bulgarian",
    "Croatia": "Croatian",
    "Cyprus": "Cypriot",
    "Czechia": "Czech",
    "Denmark": "Danish",
    "Estonia": "Estonian",
    "Finland": "Finnish",
    "France": "French",
    "Germany": "German",
    "Greece": "Greek",
    "Hungary": "Hungarian",
    "Ireland": "Irish",
    "Italy": "Italian",
    "Latvia": "Latvian",
    "Lithuania": "Lithuanian",
    "Luxembourg": "Luxembourgish",
    "Malta": "Maltese",
    "Netherlands": "Dutch",
    "Poland": "Polish",
    "Portugal": "Portuguese",
    "Romania": "Romanian",
    "Slovakia": "Slovak",
    "Slovenia": "Slovenian",
    "Spain": "Spanish",
    "Sweden": "Swedish",
    "Norway": "Norwegian",
    "Iceland": "Icelandic",
    "Liechtenstein": "Liechtenstein",
}


@lru_cache(maxsize=1)
def _place_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(country, pattern) for every ISO 3166-1 country, with its demonym where `DEMONYMS` has
    one; built once, on first use (cached, so threads share one build)."""
    import pycountry  # imported on first use: `kb --help` stays fast

    by_name: dict[str, list[str]] = {}
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name.split(",")[0]
        by_name[name] = [name]
    for country, demonym in DEMONYMS.items():
        by_name.setdefault(country, [country]).append(demonym)
    return tuple(
        (country, re.compile(rf"\b(?:{'|'.join(re.escape(n) for n in names)})\b"))
        for country, names in by_name.items()
    )


# "What must we do?", "what are our obligations?": a role's obligations, listed (kb/obligations).
OBLIGATIONS = re.compile(
    r"\bwhat (?:must|should|shall|do|does) (?:we|i|you|our \w+) (?:do|have to do|need to do)\b"
    r"|\b(?:our|my|your) obligations\b|\bwhat (?:are|is) (?:our|my) (?:obligations?|requirements|duties)\b"
    r"|\b(?:what|which) (?:obligations|requirements|rules) apply to (?:us|me)\b|\bwhat applies to (?:us|me)\b"
    r"|\bwhat (?:are we|am i) (?:required|obliged) to do\b|\bhow (?:do|can) (?:we|i) comply\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ObligationsAsked:
    """A question asking for its asker's obligations (kb/obligations/answer.py): the phrases that
    ask (empty when it does not), the defined terms it names (a role, or a role by its verb: "we
    deploy"), the ACTIVITIES it names, and whether it says high-risk."""

    phrases: tuple[str, ...] = ()
    terms_named: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    high_risk: bool = False


def obligations_asked(texts: tuple[str, str], terms: Mapping[str, str]) -> ObligationsAsked:
    """Whether the question (`texts`: as asked, then as resolved for a follow-up) asks for its
    asker's obligations, and who asks about what: read in the question, else as resolved."""
    phrases = tuple(OBLIGATIONS.findall(texts[1]))
    if not phrases:
        return ObligationsAsked()
    for text in texts:  # the last one is taken whatever it names
        named = tuple(k for k in terms if re.search(term_pattern(k), text, re.IGNORECASE))
        acts = tuple(n for n, p in ACTIVITIES.items() if re.search(p, text, re.IGNORECASE))
        if named or acts:
            break
    high = re.search(r"\bhigh[\s-]risk\b", " ".join(texts), re.IGNORECASE) is not None
    return ObligationsAsked(phrases, named, acts, high)

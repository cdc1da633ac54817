"""Roles and kinds of system an act defines, read from its own definitions article.

A defined term is a role when its definition says it is a person or a body ("‘deployer’ means
a natural or legal person, public authority, agency or other body …", "‘notified body’ means a
conformity assessment body …"); it is a kind of system or data when its head noun is a system,
model, product or service ("AI system", "general-purpose AI model", "connected product",
"data processing service"). Institutions that every act binds without defining them (Member
States, the Commission, the Board …) are added from INSTITUTIONS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from kb.citations import pinpoint_of
from kb.definitions import definitions_in, is_definitions_article
from kb.document import Unit
from kb.obligations.models import Role
from kb.vocabulary import normal_term

# Who the EU acts bind without a definition: the institutions and bodies the Treaties and the
# acts name by their proper names (AI Act Arts 64-70, Data Act Arts 37-42, GDPR Arts 51-76).
INSTITUTIONS = (
    "Member State",
    "Commission",
    "Board",
    "AI Office",
    "European Data Innovation Board",
    "European Data Protection Board",
    "scientific panel",
    "advisory forum",
    "competent authority",
    "data coordinator",
)

# A definition that names a person or a body within its first words: "means a natural or legal
# person", "means the national authority", "means a conformity assessment body", "means a
# provider of an AI system", "means national, regional or local authorities".
# Only the words before the noun may be determiners and qualifiers, never a preposition or a
# verb ("the information provided by the provider" is no person).
_PERSON = re.compile(
    r"\bmeans\s+(?:(?!(?:of|by|between|to|that|which|with|for|in|on|involving|carried|provided)\b)"
    r"[\w’']+[\s,]+){0,7}?(?:person|persons|body|bodies|authority|authorities|undertaking|"
    r"entity|institution|provider|deployer|manufacturer|importer|distributor|controller|processor)\b"
)
# Head nouns of the kinds of system an obligation can be about.
_THING_HEADS = ("system", "model", "product", "service")

# The activities the role definitions describe, each as the phrases that name it in a sentence
# or a question: "places it on the market" (AI Act Art. 3(3), (6)), "puts … into service"
# (3(3)), "using an AI system" (3(4)), "makes … available on the Union market" (3(7)),
# "develops" (3(3)), "determines the purposes and means of the processing" (GDPR 4(7)).
ACTIVITIES: dict[str, str] = {
    "placing on the market": (
        r"\b(?:plac|put)(?:e|es|ed|ing|s|ting)?\b[^.;]{0,40}?\bon\s+the\s+(?:\w+\s+)?market"
    ),
    "putting into service": r"\bput(?:s|ting)?\b[^.;]{0,40}?\binto\s+service",
    "use": r"\b(?:use|uses|using|used)\b",
    "making available": r"\bmak(?:e|es|ing)\b[^.;]{0,40}?\bavailable\s+on\s+the\s+(?:\w+\s+)?market",
    "development": r"\bdevelop(?:s|ed|ing)?\b",
    "processing": r"\b(?:process|processes|processing)\b",
}


@dataclass
class Terms:
    """The roles and kinds of system of one act (one version), by normal form."""

    doc: str
    roles: dict[str, Role] = field(default_factory=dict)
    things: dict[str, str] = field(default_factory=dict)  # normal form -> term as written
    # A kind -> the longer defined terms it begins ("related service" -> "related service data").
    longer: dict[str, list[str]] = field(default_factory=dict)
    words: frozenset[str] = frozenset()  # every word of the act, lower case

    def agent_noun(self, word: str) -> bool:
        """Whether a noun the act does not define names a person or a body: "party", or a noun
        in -er/-or whose verb the act uses ("manufacturer": "manufactured", "holder": "hold",
        "officer": "office"), not "number", "power" or "transfer"."""
        w = word.lower()
        w = w[:-1] if w.endswith("s") and not w.endswith("ss") else w
        if w in ("party", "partie"):
            return True
        if len(w) < 5 or not w.endswith(("er", "or")):
            return False
        stems = {w[:-2], w[:-1], w[:-2] + "e"}
        return any(
            f"{s}{end}" in self.words for s in stems for end in ("", "s", "d", "ed", "ing") if len(s) > 3
        )

    @cached_property
    def role_pattern(self) -> re.Pattern[str]:
        """Any role term, singular or plural, longest first, as whole words."""
        return _alternation(r.term for r in self.roles.values())

    @cached_property
    def thing_pattern(self) -> re.Pattern[str]:
        return _alternation(self.things.values())

    def role_of(self, text: str) -> Role | None:
        return self.roles.get(normal_term(text))

    def activities(self) -> dict[str, list[str]]:
        """Each activity of ACTIVITIES -> the roles whose definitions name it, in the order the
        definitions article lists them."""
        out: dict[str, list[str]] = {}
        for name, pattern in ACTIVITIES.items():
            found = [
                r.term for r in self.roles.values() if re.search(pattern, _first_clause(r.definition), re.I)
            ]
            if found:
                out[name] = found
        return out


def term_pattern(key: str) -> str:
    """How a defined term (normal form) is named in a question: a one-word term for a person by
    its verb too ("deployer": "deploy", "deploying"; "provider": "provide"), else the term,
    hyphens or spaces alike, plural too."""
    if " " not in key and len(key) >= 7 and key.endswith(("er", "or")):
        return rf"\b{re.escape(key[:-2])}\w*"
    return r"\b" + r"[\s-]+".join(re.escape(w) for w in key.split()) + r"s?\b"


def _first_clause(definition: str) -> str:
    """A definition up to its first exception or second limb: what the role does, not what it
    is not ("… using an AI system under its authority except where …")."""
    return re.split(r";|\bexcept\b|\bother than\b|, including\b", definition, maxsplit=1)[0]


def _alternation(terms: object) -> re.Pattern[str]:
    words = sorted({str(t) for t in terms}, key=len, reverse=True)  # type: ignore[attr-defined]
    if not words:
        return re.compile(r"(?!x)x")
    alts = "|".join(re.escape(w).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]+") for w in words)
    # Plurals: "deployers", "bodies", "Member States"; whole words only.
    return re.compile(rf"\b(?:{alts})(?:s|es)?\b|\b(?:{_plural_y(words)})\b", re.I)


def _plural_y(words: list[str]) -> str:
    """'body' -> 'bodies', 'authority' -> 'authorities'."""
    ys = [re.escape(w[:-1]) + "ies" for w in words if w.endswith("y")]
    return "|".join(ys) or "(?!x)x"


def read_terms(doc: str, units: list[Unit]) -> Terms:
    """The roles and kinds of system `units` (one version of act `doc`) define. An act without a
    definitions article has the institutions only."""
    terms = Terms(doc)
    for unit in units:
        if not is_definitions_article(unit):
            continue
        blocks = {b.start: b for b in unit.all_blocks()}
        for d in definitions_in(doc, unit):
            block = blocks[d.start]
            text = unit.text[d.start : d.end]
            key = normal_term(d.term)
            if _PERSON.search(text[:200]):
                source = f"Article {pinpoint_of(unit, _path(unit, block))}"
                terms.roles.setdefault(key, Role(d.term, key, source, text))
            elif (
                key.split(" ")[-1] in _THING_HEADS
                and " of " not in f" {key} "
                and not key.split(" ")[0].endswith("ing")
            ):
                terms.things.setdefault(key, d.term)
    terms.words = frozenset(w for u in units for w in re.findall(r"[a-z]+", u.text.lower()))
    every = [normal_term(d.term) for u in units if is_definitions_article(u) for d in definitions_in(doc, u)]
    for key in terms.things:
        terms.longer[key] = [t for t in every if t.startswith(key + " ")]
    for name in INSTITUTIONS:
        terms.roles.setdefault(normal_term(name), Role(name, normal_term(name), "institution"))
    return terms


def _path(unit: Unit, target: object) -> list:  # type: ignore[type-arg]
    """The chain of blocks from the unit's top to `target`."""

    def walk(blocks: list, trail: list) -> list | None:  # type: ignore[type-arg]
        for b in blocks:
            if b is target:
                return [*trail, b]
            found = walk(b.children, [*trail, b])
            if found:
                return found
        return None

    return walk(unit.blocks, []) or []

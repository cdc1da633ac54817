"""The shapes of the obligations capability: typed, plain dataclasses, JSON by `asdict`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AppliesFrom:
    """When an obligation applies, and which provision of the final provisions says so.

    `date` is ISO 8601; `provision` a label such as "Article 113, third paragraph, point (c)(i)";
    `scope` narrows it ("high-risk (Annex III)"), empty when it holds for every system;
    `condition` quotes a restriction the provision states ("to contracts concluded after …")."""

    date: str
    provision: str
    pinpoint: str  # "113(3)(c)(i)"
    scope: str = ""
    condition: str = ""


@dataclass(frozen=True)
class Limit:
    """An exception, derogation or transitional provision limiting an obligation: where it is,
    and its words (the first sentence, verbatim)."""

    unit: str  # "art_111"
    pinpoint: str  # "111(2)"
    label: str  # "Article 111(2)"
    text: str


@dataclass
class Obligation:
    """One paragraph or point imposing an obligation on one role, in one version of an act.

    `role` is the act's defined term in its singular ("deployer"), or, where the subject names no
    defined term, the subject as written ("provider of data processing services",
    `role_defined` False), or "unknown" (the text names no one the reader can tell).
    `role_source` says how the role was read ("Article 3(4)", "through Article 16(a)").
    `system` is the kind of system or data it is about ("high-risk AI system",
    "general-purpose AI model with systemic risk", "connected product") or "" when the text
    names none; `annex` the annex that classifies it ("III", "I") when the text says.
    """

    doc: str
    version: str  # the version id: the ISO date from which that text is in force
    unit: str  # "art_26"
    pinpoint: str  # "26(1)", eval conventions
    label: str  # "Article 26(1)"
    sentence: str  # the operative sentence, verbatim (a point: its lead-in, then the point)
    role: str
    role_defined: bool = True
    role_source: str = ""
    subject: str = ""  # the noun phrase the operative verb is about, as read
    system: str = ""
    annex: str = ""
    system_source: str = ""  # "subject", "article title", "section title", "chapter title"
    conditions: list[str] = field(default_factory=list)
    points_to: list[str] = field(default_factory=list)  # labels: "Article 11", "Chapter III, Section 2"
    points_to_units: list[str] = field(default_factory=list)  # unit ids the content is in
    prohibition: bool = False
    applies_from: list[AppliesFrom] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)
    chapter: str = ""  # "III"
    section: str = ""  # "3"
    anchor: str = ""  # the unit's element id on EUR-Lex
    start: int = 0  # the paragraph or point's span in the unit's text (characters)
    end: int = 0
    ord: int = 0  # place in the act, for a stable order


@dataclass(frozen=True)
class Role:
    """A role an act defines (or names as an institution): its term, singular, as compared
    (kb/vocabulary.normal_term), where it is defined, and the definition's words."""

    term: str  # "deployer"
    key: str  # normal form: "deployer"
    source: str  # "Article 3(4)", or "institution" for Member State, Commission …
    definition: str = ""

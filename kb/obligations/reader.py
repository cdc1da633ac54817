"""Which paragraphs and points impose an obligation, on whom, about what, and on what condition.

An operative sentence is one whose verb is "shall" or "must" followed by a duty ("shall ensure",
"shall not place", "shall be designed"), or a prohibition ("shall be prohibited", "is
prohibited"); "shall apply", "shall be considered", "shall enter into force" and the like state
the law's reach, not a duty, and are left out (NOT_DUTIES). The subject is the noun phrase
before the verb once leading clauses ("Where …,", "Without prejudice to …,") are set aside; its
role is the act's defined term it starts with (kb/obligations/terms.py). A point of a lead-in
("Providers of high-risk AI systems shall:") is an obligation of its own, its sentence the
lead-in followed by the point.
"""

from __future__ import annotations

import re

from kb.citations import pinpoint_of
from kb.document import Block, Unit
from kb.obligations.models import Obligation
from kb.obligations.terms import ACTIVITIES, Terms
from kb.sentences import sentences_of
from kb.vocabulary import normal_term

_MODAL = re.compile(r"\b(?:shall|must)\b(?:\s+not\b)?|\b(?:is|are)\s+prohibited\b")
# What follows "shall" when a sentence states the law's reach rather than a duty: where each
# appears in the acts' final, scope and definitions provisions (AI Act Arts 2, 6(3), 113).
NOT_DUTIES = re.compile(
    r"^\s*(?:not\s+)?(?:apply|enter\s+into\s+force|mean|be\s+deemed|be\s+considered|be\s+presumed|"
    r"be\s+construed|be\s+without\s+prejudice|affect|prevail|be\s+regarded|remain|cease|be\s+valid|"
    r"be\s+void|be\s+binding|be\s+entitled|have\s+the\s+right|be\s+empowered|be\s+understood|"
    r"be\s+interpreted|be\s+read|be\s+governed|be\s+subject\s+to|be\s+applicable|expire|"
    r"be\s+evaluated|be\s+taken\s+into\s+account|constitute|cover|include|continue\s+to\s+apply)\b"
)
_PROHIBITED = re.compile(r"\bprohibited\b")
# Leading clauses a subject follows, and clauses that follow a subject.
_TRAILING = re.compile(
    r"^\s*(?:which|who|whose|that|including|in\s+particular|where\s+applicable|as\s+referred)\b"
)
_LEADING = re.compile(
    r"^\s*(?:where|if|unless|when|without\s+prejudice|notwithstanding|in\s+(?:addition|accordance|"
    r"the\s+case|order)|for\s+the\s+purposes?|by\s+way\s+of|by\s+derogation|prior\s+to|before|after|"
    r"upon|on\s+the\s+basis|pursuant|subject\s+to|to\s+that\s+end|to\s+the\s+extent|as\s+regards|"
    r"with\s+a\s+view|following|in\s+so\s+far|insofar|save\s+where|except|with\s+the\s+exception|"
    r"for|from\s+\d|during|within|once|until|in\s+that\s+case|in\s+such\s+cases?)\b",
    re.I,
)
_REFERENCE_SUBJECT = re.compile(
    r"^\s*(?:this|that|the\s+(?:first|second|third)|paragraphs?|articles?|points?|chapters?|the\s+obligations?|"
    r"the\s+requirements?|the\s+provisions?|the\s+derogation|the\s+exemption)\b",
    re.I,
)
_CONDITION = re.compile(
    r"\b(?:where|unless|if|provided\s+that|in\s+so\s+far\s+as|insofar\s+as|to\s+the\s+extent\s+that|"
    r"in\s+the\s+case\s+of|when)\b[^,;:]*",
    re.I,
)
_DETERMINER = re.compile(
    r"^(?:(?:the|a|an|each|every|any|all|such|their|its|relevant|other|that|those|these|latter|concerned)\s+)+",
    re.I,
)
_HIGH_RISK = re.compile(r"high[\s-]risk", re.I)
_SYSTEMIC = re.compile(r"^\s*with\s+systemic\s+risk", re.I)
_ANNEX = re.compile(r"\b(?:in|to|of)\s+Annex\s+([IVXLC]+)\b")
_AGENT = re.compile(r"\s*(?:not\s+)?be\s+[^,;.]{0,60}?\bby\s+(?:the\s+|a\s+|an\s+)?([^,;.]+)")
_PRONOUN = re.compile(r"^\s*(?:they|it|he|she|the\s+latter|the\s+former)\s*$", re.I)


def read_unit(doc: str, version: str, unit: Unit, terms: Terms, ord_base: int = 0) -> list[Obligation]:
    """The obligations of one article: one per operative sentence and role, a point of an
    obligation's lead-in standing for itself. Annexes, recitals and definitions give none."""
    if unit.kind != "article" or unit.title.strip().lower() == "definitions":
        return []
    out: list[Obligation] = []
    for path in _candidate_paths(unit.blocks, []):
        block = path[-1]
        for sentence in sentences_of(block.text):
            m = _duty(sentence)
            if m is None:
                continue
            if block.text.rstrip().endswith(":") and sentence is not None and sentence.rstrip().endswith(":"):
                points = [c for c in block.children if c.kind == "point"]
                targets = [([*path, p], f"{sentence} {p.text}") for p in points] or [(path, sentence)]
            else:
                targets = [(path, sentence)]
            for target_path, text in targets:
                out.extend(_obligations(doc, version, unit, terms, target_path, text, m, out, ord_base))
    return out


def _candidate_paths(blocks: list[Block], trail: list[Block]) -> list[list[Block]]:
    """Every block of the article with the chain above it; a point is reached through its own
    text only when its lead-in imposes nothing (it is then read as a sentence of its own)."""
    out = []
    for b in blocks:
        path = [*trail, b]
        out.append(path)
        lead_binds = b.text.rstrip().endswith(":") and any(_duty(s) for s in sentences_of(b.text)[-1:])
        if not lead_binds:
            out.extend(_candidate_paths(b.children, path))
    return out


def _duty(sentence: str) -> re.Match[str] | None:
    """The modal verb of a sentence that imposes a duty; None for one stating the law's reach."""
    for m in _MODAL.finditer(sentence):
        if m.group(0).startswith(("is", "are")):
            return m
        if not NOT_DUTIES.match(sentence[m.end() :]):
            return m
    return None


def subject_of(sentence: str, modal_start: int) -> str:
    """The noun phrase the modal verb's clause is about: what follows the last leading clause,
    without relative clauses. "Where …, the provider shall" -> "the provider"; "Providers of
    high-risk AI systems, which …, shall" -> "Providers of high-risk AI systems"; "A public
    sector body, the Commission, the European Central Bank or a Union body shall" -> all of it."""
    parts = [p.strip() for p in re.split(r",\s*", sentence[:modal_start]) if p.strip()]
    # "the provider or, where applicable, the authorised representative": an aside, no clause.
    parts = [p for p in parts if not _ASIDE.fullmatch(p)]
    leading = [i for i, p in enumerate(parts) if _LEADING.match(p)]
    start = leading[-1] + 1 if leading else 0
    # A relative clause is an aside; "that deployer" (two words) is the subject itself.
    kept = [p for p in parts[start:] if not _TRAILING.match(p) or re.fullmatch(r"that\s+\w+", p)]
    return ", ".join(kept)


_ASIDE = re.compile(
    r"(?:where|if|as|when)\s+(?:applicable|relevant|appropriate|possible|necessary|any)", re.I
)
# A subject lists its noun phrases with commas, "and", "or".
_NP_SPLIT = re.compile(r",\s*|\s+(?:and/or|and|or)\s+")


def _roles(subject: str, terms: Terms) -> list[tuple[str, bool, str]]:
    """(role, defined, source) of each noun phrase of the subject that starts with a role the
    act defines ("Providers and deployers of AI systems": provider, deployer); where none does,
    the first phrase as written when its head is a noun for a person ("Providers of data
    processing services", "product manufacturers", "third parties": `defined` False)."""
    found: list[tuple[str, bool, str]] = []
    phrases = [_DETERMINER.sub("", p.strip()) for p in _NP_SPLIT.split(subject.strip()) if p.strip()]
    for phrase in phrases:
        m = terms.role_pattern.match(phrase)
        role = (terms.role_of(m.group(0)) or terms.role_of(re.sub(r"ies$", "y", m.group(0)))) if m else None
        if role and (role.term, True, role.source) not in found:
            found.append((role.term, True, role.source))
    if found:
        return found
    for phrase in phrases:
        role_as_written = _as_written(phrase, terms)
        if role_as_written:
            return [(role_as_written, False, "as written")]
    return []


def _as_written(phrase: str, terms: Terms) -> str:
    """A phrase whose head is a noun for a person the act does not define, as a role:
    "Providers of data processing services other than …" -> "provider of data processing
    services"; "" when its head is no such noun (kb/obligations/terms.py `agent_noun`)."""
    head = re.split(
        r"\s(?:of|that|which|who|whose|referred|receiving|acting|established|in|to)\s", phrase + " "
    )[0]
    words = head.split()
    if not words or len(words) > 4 or not terms.agent_noun(words[-1]) or terms.thing_pattern.match(head):
        return ""
    last = words[-1].lower()
    last = last[:-3] + "y" if last.endswith("ies") else last[:-1] if last.endswith("s") else last
    role = " ".join([*(w.lower() for w in words[:-1]), last])
    rest = phrase[len(head) :].strip()
    if rest.startswith("of "):
        of = re.split(r"\s(?:other\s+than|that|which|who|referred|concern|where|as|in)\s", rest + " ")[0]
        role = f"{role} {' '.join(of.split()[:5])}".rstrip(" .")
    return role


def _system(texts: list[tuple[str, str]], terms: Terms) -> tuple[str, str, str]:
    """(system kind, annex, where it was read) from the first of `texts` ((where, text)) that
    names kinds the act defines: "high-risk AI system", "general-purpose AI model with systemic
    risk", "connected product and related service" (every kind it names, joined); a kind inside
    a longer defined term ("related service" in "related service data") does not count.
    ("", "", "") when none does."""
    for where, text in texts:
        kinds: list[str] = []
        for m in terms.thing_pattern.finditer(text):
            key = normal_term(m.group(0))
            if any(
                normal_term(text[m.start() : m.start() + len(t) + 8]).startswith(t)
                for t in terms.longer.get(key, [])
            ):
                continue
            kind = terms.things.get(key, m.group(0))
            if _HIGH_RISK.search(text[max(0, m.start() - 12) : m.start()]):
                kind = f"high-risk {kind}"
            elif _SYSTEMIC.match(text[m.end() :]):
                kind = f"{kind} with systemic risk"
            if kind not in kinds:
                kinds.append(kind)
        if not kinds:
            continue
        kind = " and ".join(kinds)
        annex = _ANNEX.search(text)
        return kind, annex.group(1) if annex and "high-risk" in kind else "", where
    return "", "", ""


def _obligations(
    doc: str,
    version: str,
    unit: Unit,
    terms: Terms,
    path: list[Block],
    text: str,
    m: re.Match[str],
    earlier: list[Obligation],
    ord_base: int,
) -> list[Obligation]:
    """The obligation(s) `text` (an operative sentence, or a lead-in and its point) imposes."""
    sentence = text
    subject = subject_of(sentence, m.start())
    prohibition = bool(_PROHIBITED.search(sentence[m.start() : m.end() + 20]))
    roles = read_roles(sentence, m, subject, terms, prohibition, earlier, unit.id)
    chapter = unit.chapter.num if unit.chapter else ""
    section = unit.section.num if unit.section else ""
    sources = [("subject", subject), ("sentence", sentence), ("article title", unit.title)]
    sources += [
        ("section title", unit.section.title if unit.section else ""),
        ("chapter title", unit.chapter.title if unit.chapter else ""),
    ]
    # The sentence itself last: "the placing on the market … of an AI system that …" (Art. 5).
    system, annex, where = _system([s for s in sources if s[0] != "sentence"] + sources[1:2], terms)
    pin = pinpoint_of(unit, path)
    conditions = [c.group(0).strip() for c in _CONDITION.finditer(sentence) if len(c.group(0)) > 8]
    # The references of this sentence only (of the point, for a lead-in and its point): a
    # paragraph's other sentences point elsewhere.
    at = unit.text.find(sentence, path[-1].start, path[-1].end)
    start, end = (at, at + len(sentence)) if at >= 0 else (path[-1].start, path[-1].end)
    refs = [r for r in unit.refs if start <= r.start < end]
    points_to = [r.text for r in refs if r.unit or r.external]
    points_units = [r.unit for r in refs if r.unit and r.doc in (None, doc)]
    for label, key in _headings_named(sentence, unit):
        points_to.append(label)
        points_units.append(key)
    return [
        Obligation(
            doc=doc,
            version=version,
            unit=unit.id,
            pinpoint=pin,
            label=f"Article {pin}",
            sentence=sentence,
            subject=subject,
            role=role,
            role_defined=defined,
            role_source=source,
            system=system,
            annex=annex,
            system_source=where,
            conditions=conditions,
            points_to=list(dict.fromkeys(points_to)),
            points_to_units=list(dict.fromkeys(points_units)),
            prohibition=prohibition,
            chapter=chapter,
            section=section,
            anchor=unit.anchor,
            start=path[-1].start,
            end=path[-1].end,
            ord=ord_base + len(earlier) + i,
        )
        for i, (role, defined, source) in enumerate(roles)
    ]


def _coordinated(before: str, subject: str, terms: Terms) -> list[tuple[str, bool, str]]:
    """Roles of a subject split by a parenthetical clause: "The data holder or, where they are
    not the same person, the trade secret holder shall" -> the data holder."""
    parts = [p for p in re.split(r",\s*", before) if p.strip()]
    if len(parts) < 2 or not re.search(r"\b(?:or|and)\s*$", parts[-3] if len(parts) >= 3 else ""):
        return []
    return _roles(parts[-3], terms)


def _activity_roles(sentence: str, terms: Terms) -> list[tuple[str, bool, str]]:
    """The roles a prohibition binds when it names no one: those whose definitions name the
    activities it prohibits ("the placing on the market … or the use of an AI system": provider,
    importer, deployer)."""
    by_activity = terms.activities()
    out: dict[str, tuple[str, bool, str]] = {}
    for name, pattern in ACTIVITIES.items():
        if re.search(pattern, sentence, re.I):
            for role in by_activity.get(name, []):
                source = terms.roles[normal_term(role)].source
                out.setdefault(role, (role, True, f"{source}, read from the activity '{name}'"))
    return list(out.values())


def read_roles(
    sentence: str,
    m: re.Match[str],
    subject: str,
    terms: Terms,
    prohibition: bool,
    earlier: list[Obligation],
    unit_id: str,
) -> list[tuple[str, bool, str]]:
    """(role, defined, how it was read) of an operative sentence, tried in order: the subject's
    defined terms; a pronoun's antecedent; the agent of a passive verb ("by the provider"); the
    owner of a passive subject ("the decision of the data holder"); for a prohibition that names
    no one, the roles whose definitions name the activity prohibited; else unknown."""
    roles = _roles(subject, terms) or _coordinated(sentence[: m.start()], subject, terms)
    if not roles and not subject and not _LEADING.match(sentence):
        roles = _roles(sentence[: m.start()], terms)
    if not roles:
        # A subject listed across commas: "…, deployers that are public authorities, Union
        # institutions, bodies, offices or agencies … shall register".
        for part in reversed([p for p in re.split(r",\s*", sentence[: m.start()]) if p.strip()][:-1]):
            if _LEADING.match(part) or _TRAILING.match(part):
                continue
            if found := [r for r in _roles(part, terms) if r[1]]:
                roles = found
                break
    if not roles and _PRONOUN.match(subject):
        named = terms.role_pattern.search(sentence[: m.start()])
        if named and (role := terms.role_of(named.group(0))):
            roles = [(role.term, True, f"{role.source}, named before the pronoun")]
        elif earlier and earlier[-1].unit == unit_id:
            roles = [(earlier[-1].role, earlier[-1].role_defined, earlier[-1].role_source)]
    if not roles:
        agent = _AGENT.match(sentence[m.end() :])
        roles = _roles(agent.group(1), terms) if agent else []
        roles = [(r, d, f"{s}, the agent of a passive verb") for r, d, s in roles]
    if not roles and re.match(r"\s*(?:not\s+)?be\b", sentence[m.end() :]):
        owner = re.search(r"\bof\s+(?:the|a|an|each|any)\s+(.+)$", subject)
        roles = [
            (r, d, f"{s}, whose act the passive verb states")
            for r, d, s in (_roles(owner.group(1), terms) if owner else [])
        ]
    if not roles and prohibition:
        roles = _activity_roles(sentence, terms)
    if not roles:
        roles = [("unknown", False, "the subject names no role the act defines")]
    return roles


_HEADING_REF = re.compile(
    r"\bthis\s+(?P<this>Section|Chapter)\b|\b(?:Chapter\s+(?P<ch>[IVXLC]+),?\s+)?Section\s+(?P<sec>\d+)\b"
    r"|\bChapter\s+(?P<whole>[IVXLC]+)\b"
)


def _headings_named(sentence: str, unit: Unit) -> list[tuple[str, str]]:
    """The chapters and sections a sentence points to, as (label, key): "this Section",
    "Section 2" (of the unit's chapter), "Chapter III, Section 2", "Chapter V". Keys are
    "section:III:2" and "chapter:V:" (kb/obligations/build.py expands them to articles)."""
    out = []
    here = unit.chapter.num if unit.chapter else ""
    for m in _HEADING_REF.finditer(sentence):
        if m.group("this") == "Section" and unit.section:
            chapter, section = unit.section.chapter or here, unit.section.num
        elif m.group("this") == "Chapter":
            chapter, section = here, ""
        elif m.group("sec"):
            chapter, section = m.group("ch") or here, m.group("sec")
        elif m.group("whole"):
            chapter, section = m.group("whole"), ""
        else:
            continue
        if not chapter:
            continue
        label = f"Chapter {chapter}" + (f", Section {section}" if section else "")
        out.append((label, f"{'section' if section else 'chapter'}:{chapter}:{section}"))
    return out

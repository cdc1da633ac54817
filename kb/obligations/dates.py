"""When each obligation applies, read from the act's own final provisions.

The final-provisions article (AI Act Art. 113, Data Act Art. 50, GDPR Art. 99) says when the act
applies ("It shall apply from 2 August 2026.") and, in points, which chapters, sections and
articles apply from other dates ("(b) Chapter III Section 4, Chapter V … shall apply from
2 August 2025, with the exception of Article 101"; "(c) … shall apply from: (i) 2 December 2027
as regards AI systems classified as high-risk pursuant to Article 6(2) and Annex III"). Each
sentence becomes a `DateRule`; an obligation takes the most specific rule that covers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.citations import citation_label, paragraph_style, pinpoint_of
from kb.document import Block, Unit
from kb.obligations.models import AppliesFrom
from kb.vocabulary import MONTHS

_DATE = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})\b")
_APPLY = re.compile(r"\bshall\s+(?:apply|be\s+applicable)\b")
_EXCEPTION = re.compile(r",?\s*with the exception of\s+")
_TOKEN = re.compile(
    r"Chapters?|Sections?|Articles?|Annex(?:es)?|points?|\bto\b|\b[IVXLC]+\b(?!\()|"
    r"\b\d+[a-z]*(?:\(\w+\))*|\((?:\w+)\)"
)
# How specific a rule is: a point of an article beats the article, which beats its section,
# which beats its chapter, which beats the act as a whole.
PINPOINT, ARTICLE, SECTION, CHAPTER, QUALIFIED, GENERAL = 6, 5, 4, 3, 2, 1


@dataclass
class Scope:
    """What a rule covers: articles (by pinpoint prefix, "5(1)(ba)" or "78"), sections by
    (chapter, number), chapters, or the whole act."""

    articles: set[str] = field(default_factory=set)
    sections: set[tuple[str, str]] = field(default_factory=set)
    chapters: set[str] = field(default_factory=set)

    def empty(self) -> bool:
        return not (self.articles or self.sections or self.chapters)

    def level(self, pinpoint: str, chapter: str, section: str) -> int:
        """How specifically this scope covers a provision; 0 when it does not."""
        for a in self.articles:
            if pinpoint == a or pinpoint.startswith(a + "("):
                return PINPOINT if "(" in a else ARTICLE
        if (chapter, section) in self.sections:
            return SECTION
        return CHAPTER if chapter and chapter in self.chapters else 0


@dataclass
class DateRule:
    """One date of the final provisions: from when `scope` applies (the whole act when empty),
    except `excluded`, for systems of `annex` only when set, under `condition` when stated."""

    date: str  # ISO
    provision: str  # "Article 113, third paragraph, point (b)"
    pinpoint: str
    scope: Scope
    excluded: Scope = field(default_factory=Scope)
    annex: str = ""
    condition: str = ""

    def level(self, pinpoint: str, chapter: str, section: str) -> int:
        if self.excluded.level(pinpoint, chapter, section):
            return 0
        if self.scope.empty():
            return QUALIFIED if self.annex else GENERAL
        return self.scope.level(pinpoint, chapter, section)


def final_provisions(units: list[Unit]) -> Unit | None:
    """The article that says when the act applies: the last one that both enters the act into
    force and says from when it applies."""
    found = [
        u
        for u in units
        if u.kind == "article"
        and "enter into force" in u.text
        and _APPLY.search(u.text)
        and _DATE.search(u.text)
    ]
    return found[-1] if found else None


def read_rules(units: list[Unit], short_name: str) -> list[DateRule]:
    """Every date rule of the act's final provisions, in the article's order; [] when the act
    has none (its obligations then show no date)."""
    final = final_provisions(units)
    if final is None:
        return []
    by_id = {u.id: u for u in units}
    rules: list[DateRule] = []
    for path in _paths(final.blocks, []):
        block = path[-1]
        if "enter into force" in block.text:
            continue
        lead = " ".join(b.text for b in path[:-1] if b.text.rstrip().endswith(":"))
        pin = pinpoint_of(final, path)
        label = citation_label(short_name, "article", final.num, pin, paragraph_style(final)).split(", ", 1)[
            1
        ]
        rules.extend(_rules_of(lead, block.text, label, pin, by_id))
    return rules


def _paths(blocks: list[Block], trail: list[Block]) -> list[list[Block]]:
    out = []
    for b in blocks:
        out.append([*trail, b])
        out.extend(_paths(b.children, [*trail, b]))
    return out


def _rules_of(lead: str, text: str, label: str, pin: str, units: dict[str, Unit]) -> list[DateRule]:
    """The rules one sentence of the final provisions states (none when it names no date)."""
    dates = list(_DATE.finditer(text))
    if not dates:
        return []
    if lead and not _APPLY.search(text) and not _DATE.search(lead):
        # A point completing its lead-in: "(i) 2 December 2027 as regards AI systems … Annex III".
        scope_text, _, exception = _split_exception(_APPLY.split(lead, maxsplit=1)[0])
        return [
            DateRule(_iso(dates[0]), label, pin, _scope(scope_text), _scope(exception), _annex(text, units))
        ]
    if not _APPLY.search(text):
        return []  # a date inside a condition ("due to expire at least 10 years from …")
    head = _APPLY.split(text, maxsplit=1)[0]
    scope_text = _split_exception(head)[0]
    # "…, with the exception of Article 101": before or after "shall apply from DATE".
    exception = _split_exception(text)[2]
    scope = _scope(scope_text)
    excluded = _scope(exception)
    annex = ""
    if "corresponding obligations" in scope_text:
        # "Article 6(1) and the corresponding obligations": every obligation about the systems
        # that provision classifies, read from the annex it refers to.
        annex = _annex_of_articles(scope.articles, units)
        scope = Scope()
    tail = _EXCEPTION.split(text[len(head) :], maxsplit=1)[0]
    condition = _condition(tail)
    rules = [DateRule(_iso(dates[0]), label, pin, scope, excluded, annex, condition)]
    own = re.search(r"\bwhich shall apply from\b", text)
    if own and len(dates) > 1 and not excluded.empty():
        # "with the exception of Article 5(1) … which shall apply from 2 December 2026"
        rules.append(DateRule(_iso(dates[1]), label, pin, excluded))
    return rules


def _split_exception(head: str) -> tuple[str, str, str]:
    parts = _EXCEPTION.split(head, maxsplit=1)
    if len(parts) == 1:
        return head, "", ""
    return parts[0], "", re.split(r"\bwhich shall\b|,?\s*shall apply\b|;", parts[1])[0]


def _condition(tail: str) -> str:
    """'to contracts concluded after 12 September 2025' from '… shall apply to contracts …'."""
    m = re.search(r"\b(?:to|in relation to|as regards)\b[^;]*", tail)
    if m and not tail.lstrip().startswith(("from", ":")):
        return m.group(0).rstrip(" .;")
    m = re.search(r"\d{4}\s+(to|in relation to)\b([^;]*)", tail)
    return f"{m.group(1)}{m.group(2)}".rstrip(" .;:") if m else ""


def _scope(text: str) -> Scope:
    """Chapters, sections and articles named in `text`: "Chapter III Section 4, Chapter V and
    Article 78", "Chapter III, Sections 1, 2, and 3", "Articles 102 to 110",
    "Article 5(1), first subparagraph, points (ba) and (bb), and Article 5(1a) and (1b)"."""
    scope = Scope()
    mode, chapter, last, ranged = "", "", "", False
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok.startswith(("Chapter", "Section", "Article", "Annex", "point")):
            mode = tok.rstrip("s").lower()
            if mode == "section" and chapter:
                scope.chapters.discard(chapter)  # "Chapter III Section 4": that section only
            continue
        if tok == "to":
            ranged = True
            continue
        if mode == "chapter" and re.fullmatch(r"[IVXLC]+", tok):
            chapter = tok
            scope.chapters.add(tok)
        elif mode == "section" and tok.isdigit():
            scope.sections.add((chapter, tok))
        elif mode == "article" and tok[0].isdigit():
            if ranged and last.isdigit() and tok.isdigit():
                scope.articles.update(str(n) for n in range(int(last) + 1, int(tok) + 1))
            last = tok
            scope.articles.add(tok)
        elif mode == "article" and tok.startswith("(") and last:
            # "(1b)" after "Article 5(1a) and": a sibling of the last pinpoint.
            base = re.sub(r"\([^()]*\)$", "", last)
            last = base + tok if "(" in last else last + tok
            scope.articles.add(last)
        elif mode == "point" and tok.startswith("(") and last:
            scope.articles.discard(last)
            point = re.sub(r"\((?:[a-z]+)\)$", "", last) if last.count("(") > 1 else last
            scope.articles.add(point + tok)
        ranged = False
    return scope


def _annex(text: str, units: dict[str, Unit]) -> str:
    m = re.search(r"\bAnnex ([IVXLC]+)\b", text)
    if m:
        return m.group(1)
    refs = re.findall(r"Article (\d+[a-z]*(?:\(\w+\))?)", text)
    return _annex_of_articles(set(refs), units)


def _annex_of_articles(articles: set[str], units: dict[str, Unit]) -> str:
    """The annex the provisions named refer to: Article 6(1) refers to Annex I."""
    for a in sorted(articles):
        num = a.split("(")[0]
        unit = units.get(f"art_{num}")
        if unit is None:
            continue
        para = a[len(num) :].strip("()").split(")(")[0]
        blocks = [b for b in unit.blocks if b.num == para] or unit.blocks
        for b in blocks:
            for ref in unit.refs:
                if b.start <= ref.start < b.end and ref.unit and ref.unit.startswith("anx_"):
                    return ref.unit[4:]
    return ""


def _iso(m: re.Match[str]) -> str:
    return f"{m.group(3)}-{MONTHS.index(m.group(2)) + 1:02d}-{int(m.group(1)):02d}"


def classes(rules: list[DateRule], units: list[Unit]) -> list[str]:
    """The annexes that classify high-risk systems, when the rules date them apart: every annex
    the classification article referred to by a rule refers to (AI Act Art. 6: Annexes I and
    III), most recent first; [] when no rule is for one annex only."""
    if not any(r.annex for r in rules):
        return []
    found = {r.annex for r in rules if r.annex}
    for unit in units:
        refs = {ref.unit for ref in unit.refs if ref.unit}
        if unit.kind == "article" and {f"anx_{a}" for a in found} & refs and "classif" in unit.title.lower():
            found |= {r[4:] for r in refs if r.startswith("anx_")}
    return sorted(found, key=lambda a: (len(a), a), reverse=True)


def applies_from(
    rules: list[DateRule],
    pinpoint: str,
    chapter: str,
    section: str,
    high_risk: bool,
    annex: str,
    annexes: list[str] | None = None,
) -> list[AppliesFrom]:
    """The dates a provision applies from: one per annex that classifies high-risk systems when
    `high_risk` and the rules tell them apart (Annex III, Annex I), else one. `annex` narrows to
    one annex when the provision says which. Conditional dates of the same rank follow."""
    annexes = annexes or sorted({r.annex for r in rules if r.annex}, key=lambda a: (len(a), a), reverse=True)
    # A provision inside a scope the rules date by annex (Chapter III, Sections 1 to 3 as
    # amended) is about high-risk systems whatever its own sentence names.
    high_risk = high_risk or any(
        r.annex and not r.scope.empty() and r.level(pinpoint, chapter, section) for r in rules
    )
    variants = ([annex] if annex else annexes) if high_risk and annexes else [""]
    out: list[AppliesFrom] = []
    for variant in variants:
        ranked = [
            (r.level(pinpoint, chapter, section) + (0.5 if variant and r.annex == variant else 0), r)
            for r in rules
            if not r.annex or r.annex == variant
        ]
        ranked = [(lv, r) for lv, r in ranked if lv > 0]
        if not ranked:
            continue
        best = max(lv for lv, _ in ranked)
        chosen = sorted((r for lv, r in ranked if lv == best), key=lambda r: (bool(r.condition), r.date))
        scope = f"high-risk (Annex {variant})" if variant else ""
        out.extend(AppliesFrom(r.date, r.provision, r.pinpoint, scope, r.condition) for r in chosen)
    return out


_OWN_DATE = re.compile(rf"^(?:From|As from|As of|With effect from)\s+{_DATE.pattern}")


def own_date(sentence: str, label: str, pinpoint: str) -> AppliesFrom | None:
    """The date a sentence sets for itself ("From 12 January 2027, providers of data processing
    services shall not impose any switching charges", Data Act Art. 29(1)), or None."""
    m = _OWN_DATE.match(sentence)
    return AppliesFrom(_iso(m), label, pinpoint) if m else None

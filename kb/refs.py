"""Legal references: finding them in the acts' text, resolving them, and formatting citations.

The acts cite each other and themselves in a handful of fixed forms ("Article 6(2)",
"point (h) of Article 5(1)", "Articles 8 to 15", "Annex III, point 4", "Regulation (EU)
2016/679"). A reference is internal unless it is followed by "of <another act>".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from kb.manifest import ActInfo
from kb.model import Block, CrossRef, Unit

ParagraphStyle = Literal["numbered", "single", "ordinal"]

_ACT_NUMBER = r"(?:\d{4}/\d{1,4}|\d{1,4}/\d{4})"
_EXTERNAL = re.compile(
    r"(?:Council |Commission )?(?:Implementing |Delegated |Framework )?"
    r"(?P<type>Regulation|Directive|Decision)"
    r"(?: \((?:EU|EC|EEC|Euratom|EU, Euratom)\))?(?: No)? (?P<num>" + _ACT_NUMBER + r")"
    r"(?:/(?:EU|EC|EEC|JHA|CFSP))?"
)
_TREATY = re.compile(r"^\s*(?:of|to) (?:the )?(?:TFEU|TEU|Treaty|Charter|Protocol)")
_POINTS = r"(?:\((?:\d+[a-z]?|[a-z]{1,3})\))*"
_ARTICLE = re.compile(
    r"(?:point \((?P<pt_before>[a-z0-9]+)\)(?: of the (?:first|second|third) subparagraph)? of )?"
    r"Articles? (?P<num>\d+[a-z]?)(?P<pin>" + _POINTS + r")"
    r"(?:,? (?:first |second |third )?(?:subparagraph, )?points? \((?P<pt_after>[a-z0-9]+)\))?"
    r"(?P<range>(?: to |, | and | or )(?:Article )?\d+[a-z]?" + _POINTS + r")*"
)
_ANNEX = re.compile(
    r"Annex(?:es)? (?P<num>[IVXLC]+)\b(?:,? (?:Section (?P<sct>[A-Z])|points? (?P<pt>\d+(?:\([a-z]\))?)))?"
)
_RANGE_ITEM = re.compile(r"( to |, | and | or )(?:Article )?(\d+[a-z]?)(" + _POINTS + r")")


def act_number(celex: str) -> str:
    """'32024R1689' -> '2024/1689'; '32022L2555' -> '2022/2555' (a directive); a consolidated
    text's CELEX '02016R0679-20160504' -> '2016/679'."""
    m = re.fullmatch(r"[03](\d{4})[RLD](\d{4})(?:-\d{8})?", celex)
    return f"{m.group(1)}/{int(m.group(2))}" if m else celex


def find_refs(
    text: str,
    doc: str,
    units: set[str],
    corpus_acts: Mapping[str, str],
    own_number: str,
) -> list[CrossRef]:
    """Every reference in `text`, resolved to a unit of the corpus where it points inside it.

    `units` are the unit ids of the act the text belongs to; `corpus_acts` maps act numbers
    ("2023/2854") to corpus act ids, so that one act citing another resolves too.
    """
    refs: list[CrossRef] = []
    externals = [(m.start(), m.end(), m) for m in _EXTERNAL.finditer(text)]

    def owner_after(end: int) -> tuple[str | None, str | None]:
        """(doc, external label) of the act named right after a reference, if any."""
        tail = text[end : end + 12]
        if _TREATY.match(text[end : end + 30]):
            return None, "Treaty"
        if tail.startswith((" of ", " to ", " thereof")) or tail.startswith(", of "):
            for start, _stop, m in externals:
                if 0 <= start - end <= 8:
                    number = m.group("num")
                    if number == own_number:
                        return doc, None
                    if number in corpus_acts:
                        return corpus_acts[number], None
                    return None, m.group(0)
        return doc, None

    for m in _ARTICLE.finditer(text):
        target_doc, external = owner_after(m.end())
        nums = [(m.group("num"), m.group("pin") or "")]
        if m.group("range"):
            items = _RANGE_ITEM.findall(m.group("range"))
            if items and items[0][0] == " to " and len(items) == 1:
                lo, hi = _int(m.group("num")), _int(items[0][1])
                if lo is not None and hi is not None and 0 < hi - lo <= 30:
                    nums += [(str(n), "") for n in range(lo + 1, hi + 1)]
            else:
                nums += [(num, pin) for _sep, num, pin in items]
        point = m.group("pt_before") or m.group("pt_after")
        for i, (num, pin) in enumerate(nums):
            pinpoint = num + pin + (f"({point})" if point and i == 0 else "")
            unit = f"art_{num}"
            refs.append(
                _ref(m, target_doc, unit, pinpoint if pinpoint != num else None, external, doc, units)
            )

    for m in _ANNEX.finditer(text):
        target_doc, external = owner_after(m.end())
        sub = m.group("sct") or m.group("pt")
        pinpoint = f"{m.group('num')}({sub})" if sub else None
        refs.append(_ref(m, target_doc, f"anx_{m.group('num')}", pinpoint, external, doc, units))

    for start, end, m in externals:
        number = m.group("num")
        if number == own_number:
            continue
        target = corpus_acts.get(number)
        refs.append(CrossRef(text=m.group(0), start=start, end=end, doc=target, external=m.group(0)))

    refs.sort(key=lambda r: (r.start, r.unit or ""))
    return refs


def _ref(
    m: re.Match[str],
    target_doc: str | None,
    unit: str,
    pinpoint: str | None,
    external: str | None,
    doc: str,
    units: set[str],
) -> CrossRef:
    """A reference, resolved when it points into the corpus at a unit that exists."""
    resolved = target_doc is not None and (target_doc != doc or unit in units)
    return CrossRef(
        text=m.group(0),
        start=m.start(),
        end=m.end(),
        doc=target_doc if resolved else None,
        unit=unit if resolved else None,
        pinpoint=pinpoint,
        external=external,
    )


def _int(num: str) -> int | None:
    digits = re.match(r"\d+", num)
    return int(digits.group(0)) if digits else None


# -- references in a user's query -----------------------------------------------------------

_Q_ARTICLE = re.compile(
    r"\b(?:point \((?P<pt>[a-z0-9]+)\) of )?(?:articles?|arts?\.?)\s*(?P<num>\d{1,3}[a-z]?)"
    r"(?P<pin>(?:\s?\((?:\d{1,3}[a-z]?|[a-z]{1,4})\))*)"
    r"(?:,?\s*point\s*(?P<pin2>(?:\s?\((?:\d{1,3}[a-z]?|[a-z]{1,4})\))+))?",
    re.IGNORECASE,
)
_Q_ANNEX = re.compile(
    r"\bannex\s+(?P<num>[ivxlc]+)\b(?:,?\s*(?:(?:section|part)\s+(?P<sct>[a-z])\b|points?\s+(?P<pt>\d{1,2})"
    r"(?:\s?\((?P<sub>[a-z])\))?))?",
    re.IGNORECASE,
)
_Q_RECITAL = re.compile(r"\b(?:recitals?|rec\.)\s*\(?(?P<num>\d{1,3})\)?", re.IGNORECASE)


def _roman_ok(num: str) -> bool:
    return re.fullmatch(r"(?i)x{0,3}(ix|iv|v?i{0,3})", num) is not None and num != ""


@dataclass(frozen=True)
class QueryRef:
    """A provision named in a query: "Art. 5(1)(f) AI Act" -> (ai-act, art_5, "5(1)(f)")."""

    text: str
    unit: str  # "art_5", "anx_III", "rct_27"
    pinpoint: str | None  # "5(1)(f)", "III(4)(a)", None for the whole unit
    doc: str | None  # the act named with it, or None when the query names none
    start: int


def find_query_refs(query: str, act_names: Mapping[str, str]) -> list[QueryRef]:
    """References in a query. `act_names` maps lower-cased names ("ai act", "2024/1689") to ids."""
    found: list[QueryRef] = []
    mentions = _act_mentions(query, act_names)

    def doc_for(start: int, end: int) -> str | None:
        # The act named right after ("Article 25 of the Data Act") or right before ("AI Act
        # Art. 14") the reference, else the only act the query names.
        after = [d for s, d in mentions if 0 <= s - end <= 12]
        before = [d for s, d in mentions if 0 <= start - s <= 20]
        if after:
            return after[0]
        if before:
            return before[-1]
        named = {d for _s, d in mentions}
        return named.pop() if len(named) == 1 else None

    for m in _Q_ARTICLE.finditer(query):
        num = m.group("num").lower()
        pin = re.sub(r"\s", "", (m.group("pin") or "") + (m.group("pin2") or "")).lower()
        if m.group("pt"):
            pin += f"({m.group('pt').lower()})"
        found.append(
            QueryRef(
                m.group(0), f"art_{num}", num + pin if pin else None, doc_for(m.start(), m.end()), m.start()
            )
        )
    for m in _Q_ANNEX.finditer(query):
        num = m.group("num").upper()
        if not _roman_ok(num):
            continue
        sub = ""
        if m.group("sct"):
            sub = f"({m.group('sct').upper()})"
        elif m.group("pt"):
            sub = f"({m.group('pt')})" + (f"({m.group('sub').lower()})" if m.group("sub") else "")
        found.append(
            QueryRef(
                m.group(0), f"anx_{num}", num + sub if sub else None, doc_for(m.start(), m.end()), m.start()
            )
        )
    for m in _Q_RECITAL.finditer(query):
        found.append(
            QueryRef(m.group(0), f"rct_{m.group('num')}", None, doc_for(m.start(), m.end()), m.start())
        )
    found.sort(key=lambda r: r.start)
    return found


def _act_mentions(query: str, act_names: Mapping[str, str]) -> list[tuple[int, str]]:
    lowered = query.lower()
    out = []
    for name, doc in act_names.items():
        for m in re.finditer(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", lowered):
            out.append((m.start(), doc))
    return sorted(out)


def act_names(acts: Iterable[ActInfo]) -> dict[str, str]:
    """The names a query may use for each act: "ai act", "artificial intelligence act", "2024/1689"."""
    names: dict[str, str] = {}
    for act in acts:
        names[act.short_name.lower()] = act.id
        number = re.search(r"(\d{4})[RLD](\d{4})", act.celex)
        if number:
            names[f"{number.group(1)}/{int(number.group(2))}"] = act.id
        m = re.search(r"\(([^()]+)\)\s*$", act.title)
        if m:
            names[m.group(1).lower()] = act.id
        for alias in act.aliases:
            names[alias.lower()] = act.id
    return names


def named_acts(query: str, act_names: Mapping[str, str]) -> list[str]:
    """The corpus acts a query names, in order of first mention."""
    seen: list[str] = []
    for _start, doc in _act_mentions(query, act_names):
        if doc not in seen:
            seen.append(doc)
    return seen


# -- citations -------------------------------------------------------------------------------


_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]


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
        if style == "ordinal" and parts[0].isdigit() and int(parts[0]) <= len(_ORDINALS):
            label = f"{short_name}, Article {unit_num}, {_ORDINALS[int(parts[0]) - 1]} paragraph"
            parts = parts[1:]
            if parts:
                label += f", point ({parts[0]})" + "".join(f"({p})" for p in parts[1:])
            return _range(label, span)
        subpoints = "".join(f"({p})" for p in parts[1:])
        return _range(f"{short_name}, Article {unit_num}, point ({parts[0]}){subpoints}", span)
    # Annexes: a capital letter is a section, a number is a point with its subpoints.
    label = f"{short_name}, Annex {unit_num}"
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

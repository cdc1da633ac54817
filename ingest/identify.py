"""Which act a file holds, from its own title: type, number, date, short title, and from them
its id, CELEX number, ELI and EUR-Lex address (`kb ingest --source`).

A file's format is read from its content (ingest/files.py): an Official Journal PDF, EUR-Lex
XHTML (the OJ rendition or the page the website serves), an EUR-Lex consolidated text, or
Formex 4 (an `<ACT>` with the `<ANNEX>` files of its package). Each is parsed by the same parser
as the corpus acts, and becomes an `Input` like theirs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from lxml import etree

from ingest import consolidated_html, eurlex_html, formex, oj_pdf
from ingest.errors import ParseError
from ingest.inputs import Input
from ingest.sources import ActSource, Rendition, sha256_of
from ingest.text import check_complete_html
from kb.document import Act
from kb.instruments import abbreviations
from kb.vocabulary import MONTHS

_MONTHS = [m.lower() for m in MONTHS]
_TITLE_DATE = re.compile(rf"\bof (\d{{1,2}}) ({'|'.join(_MONTHS)}) (\d{{4}})", re.IGNORECASE)
_TITLE_NUMBER = re.compile(r"(REGULATION|DIRECTIVE|DECISION) \((EU|EC)\)(?: No)? (\d{4})/(\d+)", re.I)
_SHORT_TITLE = re.compile(r"\(([A-Z][^()]*(?:Act|Regulation|Directive|Decision))\)")
_ELI_TYPE = {"REGULATION": "reg", "DIRECTIVE": "dir", "DECISION": "dec"}
_CELEX_LETTER = {"REGULATION": "R", "DIRECTIVE": "L", "DECISION": "D"}


def identify_single(path: Path, fmt: str, given: list[Path], aliases: tuple[str, ...]) -> Input:
    if fmt == "markdown":
        from ingest.language_version import read_clip

        return read_clip(path, given)
    if fmt == "pdf":
        act = oj_pdf.parse_file(path, "unidentified", "unidentified")
        return _from_title(act, path, "pdf", {"pdf": path}, given, aliases)
    data = path.read_bytes()
    root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8"))
    if root is not None and root.xpath('//p[contains(@class,"title-article-norm")] | //div[@id="art_1"]'):
        # Only an act is checked for truncation: a page that is no act gets that error instead.
        check_complete_html(path, data)
    if root is not None and consolidated_html.is_consolidated(root):
        info = consolidated_html.identify(path, root)
        act = consolidated_html.parse_tree(path, root, "unidentified", "unidentified")
        added = _from_title(act, path, "consolidated", {"consolidated": path}, given, aliases)
        # A consolidated text is identified by its base act and the date of its version.
        added.source = _replace(added.source, date=info.date, in_force=info.date)
        added.consolidated = info
        return added
    act = eurlex_html.parse_file(path, "unidentified", "unidentified")
    found = _from_title(act, path, "xhtml", {"xhtml": path}, given, aliases)
    oj = _oj_reference(root) if root is not None else ""
    if oj:
        found.source = _replace(found.source, oj=oj)
    return found


def _oj_reference(root: etree._Element) -> str:
    """The Official Journal reference from the XHTML's running header: 'OJ L 119, 4.5.2016, p. 1'
    (numbered issues, until 2023) or 'OJ L, 2024/1689, 12.7.2024' (one act per issue, since)."""

    def header(cls: str) -> str:
        found = root.xpath(f'//*[contains(@class,"{cls}")]')
        return " ".join("".join(found[0].itertext()).split()) if found else ""

    issue, date = header("oj-hd-oj"), header("oj-hd-date")
    m = re.fullmatch(r"([LC]) (\d+)/(\d+)", issue)
    if m and date:
        return f"OJ {m.group(1)} {m.group(2)}, {date}, p. {m.group(3)}"
    coll, uniq = header("oj-hd-coll"), header("oj-hd-uniq")
    if coll and uniq and date:
        return f"OJ {coll.split()[0]}, {uniq}, {date}"
    return ""


def identify_formex(main: Path, annexes: list[Path], given: list[Path], aliases: tuple[str, ...]) -> Input:
    act = formex.parse_file(main, "unidentified", "unidentified", annexes)
    files = {"formex": main} | {f"formex-annex:{_annex_num(p)}": p for p in annexes}
    added = _from_title(act, main, "formex", files, given, aliases)
    root = formex.load(main)
    oj = root.find("BIB.INSTANCE/DOCUMENT.REF")
    if oj is not None:
        coll, no, year = (oj.findtext(t) or "" for t in ("COLL", "NO.OJ", "YEAR"))
        page = root.findtext("BIB.INSTANCE/PAGE.FIRST") or ""
        if coll and no:
            oj_ref = f"OJ {coll} {no}, {year}" + (f", p. {page}" if page else "")
            added.source = _replace(added.source, oj=oj_ref)
    if not annexes:
        cited = _own_annexes_cited(act)
        if cited:
            added.notices.append(
                f"{added.source.short_name}: indexed without annexes. Its text refers to "
                f"Annex{'es' if len(cited) > 1 else ''} {', '.join(cited)}, which a Formex package "
                f"keeps in separate files; give them too (--source {main.name} --source <annex file> …, "
                "or the package folder or zip)."
            )
    return added


def _annex_num(path: Path) -> str:
    return formex.text_of(formex.load(path).find("TITLE/TI/P")).split()[-1] or path.name


def _own_annexes_cited(act: Act) -> list[str]:
    """Roman numbers of the annexes the act's articles cite as its own ("Annex I or II")."""
    found: list[str] = []
    for unit in act.of_kind("article"):
        for m in _OWN_ANNEX.finditer(unit.text):
            for num in [m.group(1), *re.findall(r"[IVX]+", m.group(2))]:
                if num not in found:
                    found.append(num)
    return sorted(found, key=_roman)


# "Annex I or II", "Annexes I to III" not followed by "of"/"to" another act.
_OWN_ANNEX = re.compile(
    r"\bAnnex(?:es)? ([IVX]+)((?:(?:, | or | and | to )[IVX]+\b)*)(?! of| to (?:Regulation|Directive))"
)


def _roman(num: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(num):
        v = values[ch]
        total += -v if i + 1 < len(num) and values[num[i + 1]] > v else v
    return total


def _from_title(
    act: Act, path: Path, primary: str, files: dict[str, Path], given: list[Path], aliases: tuple[str, ...]
) -> Input:
    m = _TITLE_NUMBER.search(act.title)
    if not m:
        from ingest.language_version import rendition

        # "RÈGLEMENT (UE) 2024/1689", "VERORDNUNG (EU) 2024/1689": a language version of an act.
        other = rendition(act, path, primary, files, given)
        if other is not None:
            return other
        raise ParseError(
            path, "its title names no Regulation, Directive or Decision number; expected an EU act"
        )
    kind, union, year, number = m.group(1).upper(), m.group(2).upper(), m.group(3), int(m.group(4))
    letter = _CELEX_LETTER[kind]
    act_number = f"{year}/{number}"
    short = _SHORT_TITLE.findall(act.title)
    title_name = short[-1] if short else ""
    known = abbreviations().get(act_number, {})
    short_name = known.get("short_name") or title_name or f"{kind.capitalize()} ({union}) {act_number}"
    names = [known.get("abbreviation", ""), *known.get("aliases", []), initials(title_name), *aliases]
    if title_name and title_name != short_name:
        names.append(title_name)
    alias_list = tuple(dict.fromkeys(n for n in names if n and n.lower() != short_name.lower()))
    # The id is the documented abbreviation ("gdpr"), else the short name ("data-governance-act").
    act_id = re.sub(r"[^a-z0-9]+", "-", (known.get("abbreviation") or short_name).lower()).strip("-")
    adopted = _TITLE_DATE.search(act.title)
    date = ""
    if adopted:
        month = _MONTHS.index(adopted.group(2).lower()) + 1
        date = f"{adopted.group(3)}-{month:02d}-{int(adopted.group(1)):02d}"
    celex = f"3{year}{letter}{number:04d}"
    source = ActSource(
        id=act_id,
        short_name=short_name,
        title=act.title,
        celex=celex,
        eli=f"http://data.europa.eu/eli/{_ELI_TYPE[kind]}/{year}/{number}/oj",
        oj=f"OJ, {kind.capitalize()} ({union}) {act_number}",
        # Its entry into force is not in its title; its adoption date stands in for it.
        date=date or "0001-01-01",
        language="en",
        primary=primary,
        renditions=tuple(
            Rendition(format=key.split(":")[0], file=str(p), url=p.resolve().as_uri(), sha256=sha256_of(p))
            for key, p in files.items()
        ),
        aliases=alias_list,
        url=f"https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:{celex}",
    )
    act.id, act.short_name = act_id, short_name
    return Input(source=source, files=files, given=given, act=act)


def _replace(source: ActSource, **changes: str) -> ActSource:
    return replace(source, **changes)


def initials(short_title: str) -> str:
    """'General Data Protection Regulation' -> 'GDPR', 'Data Governance Act' -> 'DGA': the
    initials of a short title of three words or more (shorter ones, like 'Data Act', give none:
    two letters are too easily a word or another act)."""
    words = [w for w in re.findall(r"[A-Za-z]+", short_title) if w[0].isupper()]
    return "".join(w[0] for w in words) if len(words) >= 3 else ""

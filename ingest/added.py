"""Acts added with `kb ingest --source`: what the files are, which act they hold, and the local
sources file that keeps them in every later build.

A file's format is read from its content, never from its name: an Official Journal PDF, EUR-Lex
XHTML (the OJ rendition or the page the website serves), an EUR-Lex consolidated text, or
Formex 4 (an `<ACT>` and the `<ANNEX>` files of its package, given one by one, as a folder or as
the package zip). The act's identity (type, number, date, short title) comes from its own title.

The local sources file (`corpus/local.toml` by default, beside the corpus manifest, not in git)
records each added act by id, with the path and sha256 of every file, and aliases a person may
add; every `kb ingest` reads it and rebuilds those acts.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import tomlkit
from lxml import etree

from ingest import consolidated_html, eurlex_html, formex, oj_pdf
from ingest.consolidated_html import Consolidated
from ingest.errors import IngestError, ParseError
from ingest.files import ReadLimits, Unpacked, sniff, unpacked
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


@dataclass
class AddedAct:
    """One act read from files given on the command line or recorded in the local sources file."""

    source: ActSource
    files: dict[str, Path]  # a key per file ("formex", "formex-annex:I") -> path
    parsed: Act
    given: list[Path]  # the paths as recorded: a file, a folder or a zip
    consolidated: Consolidated | None = None  # set for an EUR-Lex consolidated text
    notices: list[str] = field(default_factory=list)


# -- reading files ----------------------------------------------------------------------------


def read(
    paths: list[Path], aliases: tuple[str, ...] = (), limits: ReadLimits | None = None
) -> list[AddedAct]:
    """The acts in the given files, folders and zips: Formex annexes join the act of their package.

    Every read is bounded by `limits` (ingest/files.py); a zip's members are parsed from a private
    temporary folder, removed before this returns, and shown as `package.zip:member.xml`.
    Raises IngestError (ParseError) naming the file and what was expected, for a missing file,
    a special file, a file over a limit, an unknown format, a page that is not an act, a
    corrigendum or a truncated file.
    """
    with unpacked(paths, limits or ReadLimits()) as found:
        acts = _read_files(found.files, aliases)
        for act in acts:
            _relocate(act, found)
    return acts


def _read_files(files: list[tuple[Path, Path]], aliases: tuple[str, ...]) -> list[AddedAct]:
    acts: list[AddedAct] = []
    formex_acts: list[tuple[Path, Path, etree._Element]] = []
    annexes: list[tuple[Path, Path, etree._Element]] = []
    for path, given in files:
        fmt = sniff(path)
        if fmt == "formex":
            root = formex.load(path)
            if root.tag == "ANNEX":
                annexes.append((path, given, root))
            elif root.tag in ("DOC", "TOC", "PUBLICATION") and (
                given.is_dir() or given.suffix.lower() == ".zip"
            ):
                continue  # the package's description and table of contents hold no text
            else:
                formex.check_act_root(path, root)
                formex_acts.append((path, given, root))
        else:
            acts.append(_identify_single(path, fmt, [given], aliases))
    for path, given, root in formex_acts:
        mine = [(p, g) for p, g, a in annexes if _package(a) == _package(root)]
        ordered = sorted(mine, key=lambda pg: _seq(formex.load(pg[0])))
        givens = list(dict.fromkeys([given, *(g for _p, g in ordered)]))
        acts.append(_identify_formex(path, [p for p, _g in ordered], givens, aliases))
    orphans = [p for p, _g, a in annexes if not any(_package(a) == _package(r) for _p, _g2, r in formex_acts)]
    if orphans:
        raise ParseError(
            orphans[0],
            "a Formex annex (<ANNEX>) without its act: give the act's main Formex file (root <ACT>) "
            "of the same package with it",
        )
    return acts


def _relocate(act: AddedAct, found: Unpacked) -> None:
    """Name a zip's members by the zip they came from: their unpacked copies are about to go."""
    if not any(p in found.members for p in act.files.values()):
        return
    act.files = {k: found.shown(p) for k, p in act.files.items()}
    renditions = []
    for r in act.source.renditions:
        place = found.members.get(Path(r.file))
        if place is not None:
            url = f"{place[0].resolve().as_uri()}#{place[1]}"
            r = replace(r, file=str(found.shown(Path(r.file))), url=url)
        renditions.append(r)
    act.source = replace(act.source, renditions=tuple(renditions))


def _package(root: etree._Element) -> tuple[str, str]:
    """Which Formex package a file belongs to: the package document it names, and the act's
    sequence number ("0002" for the act, "0002.0001" for its first annex)."""
    ref = root.find("BIB.INSTANCE/DOCUMENT.REF")
    seq = (root.findtext("BIB.INSTANCE/NO.SEQ") or "").split(".")[0]
    return (ref.get("FILE", "") if ref is not None else "", seq)


def _seq(root: etree._Element) -> str:
    return root.findtext("BIB.INSTANCE/NO.SEQ") or ""


# -- identifying the act ------------------------------------------------------------------------


def _identify_single(path: Path, fmt: str, given: list[Path], aliases: tuple[str, ...]) -> AddedAct:
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


def _identify_formex(
    main: Path, annexes: list[Path], given: list[Path], aliases: tuple[str, ...]
) -> AddedAct:
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
) -> AddedAct:
    m = _TITLE_NUMBER.search(act.title)
    if not m:
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
    return AddedAct(source=source, files=files, parsed=act, given=given)


def _replace(source: ActSource, **changes: str) -> ActSource:
    return replace(source, **changes)


def initials(short_title: str) -> str:
    """'General Data Protection Regulation' -> 'GDPR', 'Data Governance Act' -> 'DGA': the
    initials of a short title of three words or more (shorter ones, like 'Data Act', give none:
    two letters are too easily a word or another act)."""
    words = [w for w in re.findall(r"[A-Za-z]+", short_title) if w[0].isupper()]
    return "".join(w[0] for w in words) if len(words) >= 3 else ""


# -- the local sources file -----------------------------------------------------------------------


@dataclass
class LocalEntry:
    """An act recorded in the local sources file."""

    id: str
    paths: list[Path]
    sha256: dict[str, str]  # path -> sha256 when recorded
    aliases: tuple[str, ...] = ()


def load_local(path: Path) -> list[LocalEntry]:
    """The acts recorded in the local sources file; none when it does not exist."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise IngestError(f"{path} is not valid TOML: {exc}") from exc
    out = []
    for entry in data.get("act", []):
        files = entry.get("file", [])
        out.append(
            LocalEntry(
                id=entry["id"],
                paths=[Path(f["path"]) for f in files],
                sha256={f["path"]: f.get("sha256", "") for f in files},
                aliases=tuple(entry.get("aliases", [])),
            )
        )
    return out


def check_present(entry: LocalEntry, local_file: Path) -> None:
    """Raise IngestError naming a recorded file that is gone."""
    for p in entry.paths:
        if not p.exists():
            raise IngestError(
                f"{p}: this file of the added act {entry.id!r} (recorded in {local_file}) is gone. "
                f"Put it back, or take the act out with `kb remove {entry.id}`."
            )


def save_local(path: Path, acts: list[AddedAct], keep_aliases: dict[str, tuple[str, ...]]) -> None:
    """Write the local sources file: each added act with its files' paths and sha256. Aliases a
    person wrote there are kept; comments of an existing file are kept too."""
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()
    if not path.is_file():
        doc.add(tomlkit.comment("Acts added with `kb ingest --source`; every `kb ingest` rebuilds them."))
        doc.add(tomlkit.comment("Written by kb (not in git). Add names people use to `aliases`;"))
        doc.add(tomlkit.comment("take an act out with `kb remove ID`."))
    table = tomlkit.aot()
    for added in acts:
        entry = tomlkit.table()
        entry["id"] = added.source.id
        entry["aliases"] = list(keep_aliases.get(added.source.id, ()))
        files = tomlkit.aot()
        for p in added.given:
            f = tomlkit.table()
            f["path"] = str(p.resolve())
            f["sha256"] = sha256_of(p) if p.is_file() else ""
            files.append(f)
        entry["file"] = files
        table.append(entry)
    doc["act"] = table
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
    tmp.replace(path)


def remove_local(path: Path, act: str) -> LocalEntry:
    """Take an act out of the local sources file, by id or by one of its names; returns it.
    Raises IngestError when it is not there."""
    entries = load_local(path)
    found = next((e for e in entries if e.id == act.lower()), None)
    if found is None:
        known = ", ".join(e.id for e in entries) or "none"
        raise IngestError(
            f"{act!r} is not an added act (added acts, recorded in {path}: {known}). "
            "Acts of corpus/sources.toml are part of the corpus and cannot be removed."
        )
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    kept = tomlkit.aot()
    for entry in doc.get("act", []):
        if entry["id"] != found.id:
            kept.append(entry)
    doc["act"] = kept
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return found

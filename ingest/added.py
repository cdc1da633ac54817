"""Acts added with `kb ingest --source`, read from their files, and the local sources file that
keeps them in every later build.

Files, folders and package zips are opened with every read bounded (ingest/files.py); each act
they hold is identified from its own title (ingest/identify.py) and comes back as an `Input`,
the same kind the corpus manifest's acts are read into (ingest/inputs.py).

The local sources file (`corpus/local.toml` by default, beside the corpus manifest, not in git)
records each added act by id, with the path and sha256 of every file, and aliases a person may
add; every `kb ingest` reads it and rebuilds those acts.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import tomlkit
from lxml import etree

from ingest import formex
from ingest.errors import IngestError, ParseError
from ingest.files import ReadLimits, Unpacked, sniff, unpacked
from ingest.identify import identify_formex, identify_single
from ingest.inputs import Input
from ingest.sources import sha256_of

__all__ = [
    "Input",
    "LocalEntry",
    "check_present",
    "load_local",
    "read",
    "remove_local",
    "save_local",
    "sha256_of",
]


def read(paths: list[Path], aliases: tuple[str, ...] = (), limits: ReadLimits | None = None) -> list[Input]:
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


def _read_files(files: list[tuple[Path, Path]], aliases: tuple[str, ...]) -> list[Input]:
    acts: list[Input] = []
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
            acts.append(identify_single(path, fmt, [given], aliases))
    for path, given, root in formex_acts:
        mine = [(p, g) for p, g, a in annexes if _package(a) == _package(root)]
        ordered = sorted(mine, key=lambda pg: _seq(formex.load(pg[0])))
        givens = list(dict.fromkeys([given, *(g for _p, g in ordered)]))
        acts.append(identify_formex(path, [p for p, _g in ordered], givens, aliases))
    orphans = [p for p, _g, a in annexes if not any(_package(a) == _package(r) for _p, _g2, r in formex_acts)]
    if orphans:
        raise ParseError(
            orphans[0],
            "a Formex annex (<ANNEX>) without its act: give the act's main Formex file (root <ACT>) "
            "of the same package with it",
        )
    return acts


def _relocate(act: Input, found: Unpacked) -> None:
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


def save_local(path: Path, acts: list[Input], keep_aliases: dict[str, tuple[str, ...]]) -> None:
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


def index_names(index_dir: Path) -> dict[str, list[str]]:
    """Each act's short name and aliases by id, from the published index (none without one)."""
    from kb.errors import KBError
    from kb.index import read_manifest

    try:
        return {a.id: [a.short_name, *a.aliases] for a in read_manifest(index_dir).acts}
    except KBError:
        return {}


def remove_local(path: Path, act: str, names: dict[str, list[str]] | None = None) -> LocalEntry:
    """Take an act out of the local sources file, by id or by one of its names (the aliases
    recorded there, and `names`: id -> short name and aliases, as the index's manifest gives
    them); returns it. Raises IngestError when it is not there."""
    entries = load_local(path)
    wanted = " ".join(act.split()).casefold()

    def called(entry: LocalEntry) -> set[str]:
        return {n.casefold() for n in (entry.id, *entry.aliases, *(names or {}).get(entry.id, []))}

    found = next((e for e in entries if e.id == wanted), None) or next(
        (e for e in entries if wanted in called(e)), None
    )
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

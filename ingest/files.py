"""Reading the files a person gives `kb ingest --source`, with every read bounded.

A path may be a file, a folder of files or a Formex package zip. Each is checked before a byte
of it is parsed: only regular files (never a device such as /dev/zero, a FIFO or a socket), no
file or zip member over `KB_MAX_SOURCE_BYTES`, no zip expanding past `KB_MAX_EXPANDED_BYTES`
(as declared by the zip and as actually read), and no member whose name is absolute, climbs
out with `..` or is a symbolic link. A zip's members are written to a private temporary folder
(`tempfile`, mode 0700, a fresh unguessable name each time) that `unpacked` removes on exit.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ingest.errors import IngestError, ParseError

FORMATS_HELP = (
    "EUR-Lex XHTML (the Official Journal rendition, or the act's page as EUR-Lex serves it), "
    "an EUR-Lex consolidated text (XHTML), an Official Journal PDF, or Formex 4 XML (the act's "
    "main file and its annex files, a folder holding them, or the package .zip); for the French "
    "or German text of an act the index holds, also a Markdown clip of its EUR-Lex page"
)
# A format shows in the first bytes (a PDF's %PDF, an XML declaration, an <html> tag after a
# doctype or comments); 4 KiB is what sniff reads, never the whole file.
SNIFF_BYTES = 4096
# The AI Act's Formex package has 16 members; a thousand is ample for any act, and bounds the
# memory a zip's central directory of millions of empty members would take.
MAX_ZIP_MEMBERS = 1000
_CHUNK = 1 << 20  # bytes copied at a time out of a zip member
_S_IFLNK = 0o120000  # a symbolic link, in the Unix mode a zip keeps in a member's external_attr


class SourceTooLarge(IngestError):
    """A file, zip member or zip expansion over a limit; the message names the setting."""

    def __init__(self, path: Path | str, what: str, size: int, limit: int, setting: str) -> None:
        super().__init__(
            f"{path}: {what} is {size:,} bytes, over the limit of {limit:,} bytes; "
            f"if the file is genuine, raise {setting}"
        )


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what is read: bytes a file or member, bytes a zip expands to in all."""

    file_bytes: int = 32 << 20
    expanded_bytes: int = 64 << 20

    @classmethod
    def from_settings(cls, settings: object) -> ReadLimits:
        return cls(
            file_bytes=getattr(settings, "max_source_bytes", cls.file_bytes),
            expanded_bytes=getattr(settings, "max_expanded_bytes", cls.expanded_bytes),
        )


@dataclass
class Unpacked:
    """The files to read, each with the path it was given as (a file, a folder or a zip), and
    for a zip's members the name to show for them (`package.zip:member.xml`)."""

    files: list[tuple[Path, Path]] = field(default_factory=list)
    members: dict[Path, tuple[Path, str]] = field(default_factory=dict)  # unpacked copy -> (zip, name)

    def shown(self, path: Path) -> Path:
        """How a file is named to a person: its own path, or `package.zip:member.xml`."""
        place = self.members.get(path)
        return Path(f"{place[0]}:{place[1]}") if place else path


@contextmanager
def unpacked(paths: list[Path], limits: ReadLimits) -> Iterator[Unpacked]:
    """The files of `paths`, zips unpacked into a private folder removed on exit (whatever
    happens). Raises IngestError for a missing path, a special file, a file over a limit, an
    empty folder, or a zip that is unreadable, unsafe or holds no Formex XML."""
    with tempfile.TemporaryDirectory(prefix="kb-package-") as tmp:
        out = Unpacked()
        for n, given in enumerate(Path(p) for p in paths):
            for f in _expand(given, Path(tmp) / str(n), limits, out.members):
                out.files.append((f, given))
        yield out


def regular_size(path: Path, limits: ReadLimits) -> int:
    """The size of a regular file within the limit; raises IngestError for anything else."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise IngestError(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(
            f"{path}: not a regular file (a device, FIFO or socket); give the act's file, folder or zip"
        )
    if info.st_size > limits.file_bytes:
        raise SourceTooLarge(path, "the file", info.st_size, limits.file_bytes, "KB_MAX_SOURCE_BYTES")
    return info.st_size


def _expand(given: Path, tmp: Path, limits: ReadLimits, members: dict[Path, tuple[Path, str]]) -> list[Path]:
    if given.is_dir():
        found = sorted(p for p in given.iterdir() if p.is_file() and not p.name.startswith("."))
        if not found:
            raise IngestError(f"{given}: the folder holds no files")
        for p in found:
            regular_size(p, limits)
        return found
    regular_size(given, limits)
    if given.suffix.lower() != ".zip":
        return [given]
    try:
        with zipfile.ZipFile(given) as archive:
            safe = _safe_members(given, archive, limits)
            tmp.mkdir(mode=0o700)
            out = []
            total = 0
            for info in safe:
                target = tmp / info.filename
                total += _copy_member(given, archive, info, target, limits, total)
                members[target] = (given, info.filename)
                out.append(target)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ParseError(given, f"not a readable zip ({exc}); expected a Formex 4 package") from exc
    return sorted(out)


def _safe_members(given: Path, archive: zipfile.ZipFile, limits: ReadLimits) -> list[zipfile.ZipInfo]:
    """The zip's top-level XML members, after every member's name, kind and declared size has
    been checked: nothing is extracted from a zip with one unsafe member."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ParseError(
            given, f"the zip has {len(infos):,} members, over {MAX_ZIP_MEMBERS:,}; not a Formex package"
        )
    declared = 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
            raise ParseError(
                given, f"the zip member {name!r} points outside the package; nothing was extracted"
            )
        if (info.external_attr >> 16) & 0o170000 == _S_IFLNK:
            raise ParseError(given, f"the zip member {name!r} is a symbolic link; nothing was extracted")
        if info.file_size > limits.file_bytes:
            raise SourceTooLarge(
                f"{given}:{name}", "the member", info.file_size, limits.file_bytes, "KB_MAX_SOURCE_BYTES"
            )
        declared += info.file_size
    if declared > limits.expanded_bytes:
        raise SourceTooLarge(
            given, "the zip's content", declared, limits.expanded_bytes, "KB_MAX_EXPANDED_BYTES"
        )
    names = [i for i in infos if i.filename.lower().endswith(".xml") and "/" not in i.filename]
    if not names:
        raise ParseError(given, "the zip holds no Formex XML files; expected a Formex 4 package")
    return names


def _copy_member(
    given: Path,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: Path,
    limits: ReadLimits,
    before: int,
) -> int:
    """Copy one member in chunks, stopping at the limits whatever its header declared; returns
    the bytes written. The file is created new (O_EXCL), never through a link."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    written = 0
    with os.fdopen(fd, "wb") as out, archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            written += len(chunk)
            if written > limits.file_bytes:
                raise SourceTooLarge(
                    f"{given}:{info.filename}",
                    "the member (as read)",
                    written,
                    limits.file_bytes,
                    "KB_MAX_SOURCE_BYTES",
                )
            if before + written > limits.expanded_bytes:
                raise SourceTooLarge(
                    given,
                    "the zip's content (as read)",
                    before + written,
                    limits.expanded_bytes,
                    "KB_MAX_EXPANDED_BYTES",
                )
            out.write(chunk)
    return written


def sniff(path: Path) -> str:
    """The format of a file from its first 4 KiB: pdf, formex, xhtml, markdown (a MarkDownload clip
    of an EUR-Lex page); raises ParseError otherwise."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise ParseError(path, "the file is empty")
    if head.startswith(b"%PDF"):
        return "pdf"
    from ingest.rendition_md import is_clip

    if is_clip(head):
        return "markdown"
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return "xhtml"
    if head.lstrip().startswith(b"<?xml") or head.lstrip().startswith(b"<"):
        return "formex"
    raise ParseError(path, f"unknown format: expected {FORMATS_HELP}")

"""The corpus manifest (corpus/sources.toml) and how a source file is found and verified.

A file is looked for in the local cache, then in the mirror folder, then downloaded from its
official URL. Whatever the origin, its sha256 must match the manifest before it is used.
"""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ingest.errors import IngestError

FORMATS = ("xhtml", "pdf", "formex", "formex-annex")


@dataclass(frozen=True)
class Rendition:
    format: str  # one of FORMATS
    file: str  # path under the cache or mirror folder
    url: str
    sha256: str
    official_name: str = ""  # the Publications Office's file name, which Formex files refer to


@dataclass(frozen=True)
class ActSource:
    id: str
    short_name: str
    title: str
    celex: str
    eli: str
    oj: str
    date: str
    language: str
    primary: str
    renditions: tuple[Rendition, ...] = field(default_factory=tuple)
    in_force: str = ""  # ISO date the act entered into force
    aliases: tuple[str, ...] = ()  # other names people use for the act
    amends: str = ""  # the id of the act this one amends
    amending_article: str = ""  # the article that holds the amending instructions
    url: str = ""  # the act on EUR-Lex, where no XHTML rendition gives it
    unofficial: str = ""  # what the files are, where they are not the official ones

    def rendition(self, fmt: str) -> Rendition:
        for r in self.renditions:
            if r.format == fmt:
                return r
        raise IngestError(f"{self.id} has no {fmt} rendition in the corpus manifest")


class ChecksumMismatch(IngestError):
    def __init__(self, path: Path, expected: str, actual: str) -> None:
        super().__init__(
            f"{path}: sha256 is {actual}, but the corpus manifest expects {expected}. "
            "The file is not the official text (or is damaged); it was not used. Replace it with "
            "the official file, or update corpus/sources.toml if the official file changed."
        )


class SourceMissing(IngestError):
    pass


def load_manifest(path: Path) -> list[ActSource]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IngestError(
            f"No corpus manifest at {path}; run from the repository root or set KB_SOURCES"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise IngestError(f"{path} is not valid TOML: {exc}") from exc
    acts = []
    for entry in data.get("act", []):
        renditions = tuple(Rendition(**r) for r in entry.pop("rendition", []))
        for r in renditions:
            if r.format not in FORMATS:
                raise IngestError(
                    f"{path}: unknown format {r.format!r} for {entry.get('id')}; use one of {FORMATS}"
                )
        entry["aliases"] = tuple(entry.get("aliases", ()))
        acts.append(ActSource(**entry, renditions=renditions))
    return acts


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def resolve(rendition: Rendition, cache: Path, mirror: Path | None, download: bool) -> Path:
    """A verified local path for the rendition, fetching it into the cache if need be."""
    candidates = [cache / rendition.file]
    if mirror is not None:
        candidates.append(mirror / rendition.file)
    for path in candidates:
        if path.is_file():
            actual = sha256_of(path)
            if actual != rendition.sha256:
                raise ChecksumMismatch(path, rendition.sha256, actual)
            return path
    if download:
        try:
            return _download(rendition, cache)
        except httpx.HTTPError as exc:
            reason = f"downloading {rendition.url} failed ({exc.__class__.__name__}: {exc})"
    else:
        reason = "downloads are off (KB_DOWNLOAD=0)"
    places = " or ".join(str(p.parent) for p in candidates)
    raise SourceMissing(
        f"{rendition.file} is not in {places}, and {reason}. Download it from {rendition.url} "
        f"and put it in {cache}, or point KB_CORPUS_MIRROR at a folder that holds it."
    )


def _download(rendition: Rendition, cache: Path) -> Path:
    target = cache / rendition.file
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    with httpx.stream("GET", rendition.url, follow_redirects=True, timeout=30.0) as response:
        response.raise_for_status()
        with partial.open("wb") as fh:
            for chunk in response.iter_bytes():
                fh.write(chunk)
    actual = sha256_of(partial)
    if actual != rendition.sha256:
        partial.unlink(missing_ok=True)
        raise ChecksumMismatch(Path(rendition.url), rendition.sha256, actual)
    shutil.move(partial, target)
    return target

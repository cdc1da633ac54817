"""The acts an ingest reads, all of one kind: an `Input` is an act's description (`ActSource`),
its verified files and its parsed text, whether it comes from the corpus manifest (files
resolved from the cache, mirror or EUR-Lex and checked by sha256) or was added from local files
(identified from its own title: ingest/identify.py, ingest/added.py). The two differ only in
where the files come from; the pipeline reads both by the same path.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest import eurlex_html, formex, multilingual, oj_pdf
from ingest.consolidated_html import Consolidated
from ingest.errors import IngestError
from ingest.files import ReadLimits
from ingest.sources import ActSource, load_manifest, resolve, sha256_of
from kb.config import Settings
from kb.document import Act
from kb.manifest import SCHEMA_VERSION

if TYPE_CHECKING:
    from ingest.added import LocalEntry

# Bump when chunking or parsing changes what ends up in an index.
# 5: sections known by their chapter (heading paths of 36 AI Act articles); 6: the obligations table;
# 7: adaptation.npz.
PIPELINE_VERSION = "7"
CORPUS_ORIGIN = "corpus manifest (corpus/sources.toml)"
LOCAL_NOTE = "Added from a local file, not verified against EUR-Lex"


@dataclass
class Input:
    """One act to index. `files` maps a key per file ("xhtml", "pdf", "formex-annex:I") to its
    path; `given` holds the paths a person gave for an added act (a file, folder or zip; empty
    for the corpus's acts); `consolidated` is set for an EUR-Lex consolidated text."""

    source: ActSource
    files: dict[str, Path]
    given: list[Path] = field(default_factory=list)
    consolidated: Consolidated | None = None
    notices: list[str] = field(default_factory=list)  # what a person should know about the files
    act: Act | None = field(default=None, repr=False)  # the parsed text, read once by `parse`

    @property
    def added(self) -> bool:
        return bool(self.given)

    @property
    def origin(self) -> str:
        if self.added:
            return "added with kb ingest --source from " + ", ".join(str(p.resolve()) for p in self.given)
        return CORPUS_ORIGIN

    def parse(self) -> Act:
        """The act's text, parsed once (an added act was parsed to identify it)."""
        if self.act is None:
            self.act = _parse(self.source, self.files)
        return self.act

    def sha256(self, key: str) -> str:
        for r in self.source.renditions:
            if r.format == key.split(":")[0] and (r.file == str(self.files[key]) or not self.added):
                return r.sha256
        return sha256_of(self.files[key])


def corpus_inputs(settings: Settings) -> list[Input]:
    """The corpus manifest's acts, each file found and verified (not parsed yet: an unchanged
    index costs only the checksums). Raises IngestError (ChecksumMismatch, SourceMissing)."""
    out = []
    for source in load_manifest(settings.sources):
        files = {
            r.format: resolve(r, settings.corpus_cache, settings.corpus_mirror, settings.download)
            for r in source.renditions
        }
        if source.primary not in files:
            raise IngestError(f"{source.id}: its primary rendition {source.primary!r} is not in the manifest")
        out.append(Input(source, files))
    return out


def added_inputs(
    settings: Settings, sources: list[Path], corpus: list[Input]
) -> tuple[list[Input], list[LocalEntry]]:
    """The acts of the local sources file, read again from their files, and those given now (which
    replace a recorded act of the same id and kind), with the entries of the local sources file.
    Raises IngestError for a recorded file that is gone, and for an act given now that the
    corpus manifest already holds."""
    from ingest import added

    local_file = settings.local_sources_path()
    limits = ReadLimits.from_settings(settings)
    entries = added.load_local(local_file)
    recorded: list[Input] = []
    for entry in entries:
        added.check_present(entry, local_file)
        recorded.extend(added.read(entry.paths, entry.aliases, limits))
    given = added.read(sources, limits=limits) if sources else []
    in_corpus = {i.source.id: i.source for i in corpus}
    for act in given:
        same = in_corpus.get(act.source.id)
        if act.consolidated is None and same is not None:
            raise IngestError(
                f"{act.given[0]}: {act.source.short_name} ({act.source.id}) is already in the corpus manifest"
            )
    # A file whose sha256 is one the corpus manifest lists is an official file; any other is
    # whatever its author wrote, and every citation of it says so.
    official = {r.sha256 for i in corpus for r in i.source.renditions}
    for act in [*recorded, *given]:
        if not all(r.sha256 in official for r in act.source.renditions):
            act.source = replace(act.source, unofficial=LOCAL_NOTE)

    def kind(a: Input) -> tuple[str, bool]:
        return a.source.id, a.consolidated is None

    replaced = {kind(a) for a in given}
    return [a for a in recorded if kind(a) not in replaced] + given, entries


def settings_key(settings: Settings, inputs: list[Input], languages: list[Any] | None = None) -> str:
    """A hash of everything that shapes the index: an index with the same key is up to date.
    `languages`: what shapes the acts' language versions (ingest/language_version.py `key`)."""
    material = {
        "schema": SCHEMA_VERSION,
        "pipeline": PIPELINE_VERSION,
        "model": settings.embed_model,
        "index_type": settings.index_type,
        "multilingual": multilingual.enabled(settings),
        "sources": sorted((i.source.id, f, i.sha256(f)) for i in inputs for f in i.files),
        # What the manifest says of each act (names, dates, notes) ends up in the index too.
        "acts": [asdict(i.source) for i in inputs],
    }
    if languages:  # absent without any: the keys of indexes without them stay as they were
        material["languages"] = languages
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _parse(src: ActSource, files: dict[str, Path]) -> Act:
    primary = files[src.primary]
    if src.primary == "formex":
        annexes = [p for f, p in files.items() if f == "formex-annex"]
        return formex.parse_file(primary, src.id, src.short_name, annexes)
    act = _PARSERS[src.primary](primary, src.id, src.short_name)
    if src.primary != "pdf" and "pdf" in files:
        # The PDF gives page numbers, which a citation to the Official Journal needs.
        paged = oj_pdf.parse_file(files["pdf"], src.id, src.short_name)
        for unit in act.units:
            twin = paged.unit(unit.id)
            if twin is not None:
                unit.pages = twin.pages
    return act


_PARSERS = {"xhtml": eurlex_html.parse_file, "pdf": oj_pdf.parse_file, "formex": formex.parse_file}

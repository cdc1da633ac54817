"""`kb ingest`: read the acts, build their versions, chunk, embed, index, publish.

The acts come from the corpus manifest and from local files (ingest/inputs.py, one kind of
input for both); their versions from amending acts and consolidated texts (ingest/versions.py).
Nothing is published unless every step succeeds; an unchanged corpus, model and settings is
recognised from the manifest and costs only the checksums.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import faiss

from ingest import adaptation, added, language_version, multilingual
from ingest.added import LocalEntry
from ingest.errors import IngestError
from ingest.inputs import PIPELINE_VERSION, Input, added_inputs, corpus_inputs, settings_key
from ingest.versions import (
    AmendmentReport,
    Version,
    act_info,
    amend,
    consolidated_version,
    first_version,
    link,
    versioned_passages,
)
from kb import __version__
from kb.config import Settings
from kb.document import Act, Passage
from kb.embed import Embedder
from kb.embed_cache import EmbeddingCache
from kb.errors import KBError
from kb.index import (
    build_faiss,
    discard,
    new_build_dir,
    publish,
    read_manifest,
    remove_unfinished,
    write_build,
)
from kb.manifest import SCHEMA_VERSION, IndexManifest, ModelInfo

__all__ = ["PIPELINE_VERSION", "ActReport", "AmendmentReport", "IngestReport", "run"]


@dataclass
class ActReport:
    id: str
    short_name: str
    recitals: int
    articles: int
    annexes: int
    chapters: int
    passages: int


@dataclass
class IngestReport:
    index_dir: str
    up_to_date: bool
    seconds: float
    acts: list[ActReport] = field(default_factory=list)
    passages: int = 0
    model: str = ""
    amendments: list[AmendmentReport] = field(default_factory=list)
    embedded: int = 0  # passages the model encoded in this run
    embeddings_cached: int = 0  # passages whose vectors came from the embedding cache
    backend: str = ""  # onnx or torch
    notices: list[str] = field(default_factory=list)  # what a person should know about the input
    languages: list[str] = field(default_factory=list)  # each language version: what aligned


Progress = Callable[[str], None]


def _acts_and_consolidations(
    corpus: list[Input], extras: list[Input]
) -> tuple[list[Input], list[tuple[Input, str]]]:
    """The acts to index, and the consolidated texts among the added files with the id of the
    act each is a version of: a consolidated text of an act in the index is a version of that
    act, not an act of its own."""
    celex = {i.source.celex: i.source.id for i in corpus} | {
        a.source.celex: a.source.id for a in extras if a.consolidated is None
    }
    texts = [
        (a, celex[a.consolidated.base_celex])
        for a in extras
        if a.consolidated and a.consolidated.base_celex in celex
    ]
    return corpus + [a for a in extras if not any(a is t for t, _ in texts)], texts


def run(
    settings: Settings,
    extra_sources: list[Path] | None = None,
    force: bool = False,
    progress: Progress | None = None,
    show_bars: bool = False,
) -> IngestReport:
    """Build and publish the index of the corpus manifest's acts and the added ones (those of
    the local sources file and `extra_sources`). Raises IngestError (or KBError) with a message
    for the person running it; the published index is then unchanged."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    say("Checking the sources against the index")
    inputs, texts, extras, entries, renditions, key = _read_inputs(settings, extra_sources)
    notices = [n for a in extras for n in a.notices]
    if not force:
        up_to_date = _up_to_date(settings, key, started, notices)
        if up_to_date is not None:
            return up_to_date

    chains, amendment_reports = _versions(inputs, texts, say)

    say(f"Loading the embedding model {settings.embed_model}")
    embedder = Embedder.from_settings(settings)
    # Vectors and token counts computed by earlier ingests, by model and text: unchanged
    # passages are never embedded again (kb/embed_cache.py).
    cache = EmbeddingCache(settings.embed_cache, embedder)
    cache.seed_token_counts()
    passages: list[Passage] = []
    per_act: dict[str, int] = {}
    for item in inputs:
        say(f"Chunking {item.source.short_name}")
        chunks = versioned_passages(chains[item.source.id], embedder)
        per_act[item.source.id] = len(chunks)
        passages.extend(chunks)
    cache.save_token_counts()

    say(f"Embedding {len(passages)} passages ({embedder.backend})")
    encoded = cache.encode([p.embed_text for p in passages], settings.embed_batch, progress=show_bars)
    cache.close()
    index, index_type = build_faiss(encoded.vectors, settings.index_type)
    crosslingual = multilingual.embed(settings, passages, say)
    adapted = adaptation.adapt(settings, embedder, chains, passages, encoded.vectors, say)

    reports = [_report(item, per_act[item.source.id]) for item in inputs]
    manifest = _manifest(settings, key, started, embedder, index_type, inputs, chains, reports, passages)
    if crosslingual:
        manifest = manifest.model_copy(update={"multilingual": crosslingual[1]})
    remove_unfinished(settings.index_dir)  # builds a killed ingest left behind
    build = new_build_dir(settings.index_dir)
    try:
        say("Writing the index")
        layers = [(v.id, v.act) for item in inputs for v in chains[item.source.id]]
        aligned = _write(build, manifest, layers, passages, index, renditions, settings, say)
        if crosslingual:
            multilingual.write(build, crosslingual[0])
        adaptation.write(build, adapted)
        publish(build, settings.index_dir)
    except BaseException:
        discard(build)
        raise
    if extras or entries:
        added.save_local(settings.local_sources_path(), extras, {e.id: e.aliases for e in entries})
    return IngestReport(
        index_dir=str(settings.index_dir),
        up_to_date=False,
        seconds=time.perf_counter() - started,
        acts=reports,
        passages=len(passages),
        model=settings.embed_model,
        amendments=amendment_reports,
        embedded=encoded.embedded,
        embeddings_cached=encoded.cached,
        backend=embedder.backend,
        notices=notices,
        languages=aligned,
    )


def _read_inputs(
    settings: Settings, extra_sources: list[Path] | None
) -> tuple[
    list[Input], list[tuple[Input, str]], list[Input], list[LocalEntry], list[language_version.Added], str
]:
    """The acts to index, the consolidated texts among the added files (with the act of each),
    every added file's input, the local sources file's entries, the language versions (with the
    act of each) and the settings key of them all."""
    corpus = corpus_inputs(settings)
    extras, entries = added_inputs(settings, [Path(p) for p in extra_sources or []], corpus)
    # The French or German text of an act is a language version of it, not an act of its own.
    languages = [a for a in extras if language_version.is_language_version(a)]
    inputs, texts = _acts_and_consolidations(corpus, [a for a in extras if a not in languages])
    renditions = language_version.resolve(languages, inputs)
    key = settings_key(settings, inputs + [t for t, _ in texts], language_version.key(languages, settings))
    return inputs, texts, extras, entries, renditions, key


def _write(
    build: Path,
    manifest: IndexManifest,
    layers: list[tuple[str, Act]],
    passages: list[Passage],
    index: faiss.Index,
    renditions: list[language_version.Added],
    settings: Settings,
    say: Progress,
) -> list[str]:
    """Write the build with the acts' language versions; returns what aligned of each."""
    aligned: list[str] = []

    def with_languages(folder: Path, written: IndexManifest) -> IndexManifest:
        done, lines = language_version.write(folder, written, renditions, settings, say)
        aligned.extend(lines)
        return done

    write_build(build, manifest, layers, passages, index, with_languages if renditions else None)
    return aligned


def _manifest(
    settings: Settings,
    key: str,
    started: float,
    embedder: Embedder,
    index_type: str,
    inputs: list[Input],
    chains: dict[str, list[Version]],
    reports: list[ActReport],
    passages: list[Passage],
) -> IndexManifest:
    acts = [item.parse() for item in inputs]
    return IndexManifest(
        schema_version=SCHEMA_VERSION,
        software_version=__version__,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 2),
        model=ModelInfo(name=settings.embed_model, dim=embedder.dim, max_tokens=embedder.max_tokens),
        index_type=index_type,
        settings_key=key,
        acts=[
            act_info(item, _counts(r), chains[item.source.id], passages)
            for item, r in zip(inputs, reports, strict=True)
        ],
        counts={"acts": len(acts), "passages": len(passages), "units": sum(len(a.units) for a in acts)},
    )


def _versions(
    inputs: list[Input], texts: list[tuple[Input, str]], say: Progress
) -> tuple[dict[str, list[Version]], list[AmendmentReport]]:
    """Every act parsed and linked, with its versions: as published, as amended, and the
    consolidated texts given of it, oldest first."""
    for item in inputs:
        say(f"Parsing {item.source.short_name}")
        item.parse()
    for item in inputs:
        link(item.parse(), item, inputs)
    by_id = {item.source.id: item for item in inputs}
    chains: dict[str, list[Version]] = {item.source.id: [first_version(item)] for item in inputs}
    amendment_reports = []
    for item in sorted(inputs, key=lambda i: i.source.in_force):
        if item.source.amends:
            if item.source.amends not in chains:
                raise IngestError(
                    f"{item.source.id} amends {item.source.amends!r}, which is not in the corpus manifest"
                )
            say(f"Applying {item.source.short_name} to {item.source.amends}")
            amended = by_id[item.source.amends]
            amendment_reports.append(amend(item, amended, chains[amended.source.id], inputs))
    for text, base in texts:
        say(f"Reading the consolidated text of {by_id[base].source.short_name}")
        chains[base].append(consolidated_version(text, chains[base][-1]))
    return chains, amendment_reports


def _up_to_date(settings: Settings, key: str, started: float, notices: list[str]) -> IngestReport | None:
    """The report of the published index when it was built from the same inputs, else None."""
    try:
        current = read_manifest(settings.index_dir)
    except KBError:
        return None
    if current.settings_key != key:
        return None
    return IngestReport(
        index_dir=str(settings.index_dir),
        up_to_date=True,
        seconds=time.perf_counter() - started,
        passages=current.counts.get("passages", 0),
        model=current.model.name,
        acts=[
            ActReport(
                a.id,
                a.short_name,
                a.counts["recitals"],
                a.counts["articles"],
                a.counts["annexes"],
                a.counts["chapters"],
                a.counts["passages"],
            )
            for a in current.acts
        ],
        notices=notices,
    )


def _report(item: Input, passages: int) -> ActReport:
    act = item.parse()
    return ActReport(
        act.id,
        act.short_name,
        len(act.of_kind("recital")),
        len(act.of_kind("article")),
        len(act.of_kind("annex")),
        len(act.chapters),
        passages,
    )


def _counts(r: ActReport) -> dict[str, int]:
    return {
        "recitals": r.recitals,
        "articles": r.articles,
        "annexes": r.annexes,
        "chapters": r.chapters,
        "passages": r.passages,
    }

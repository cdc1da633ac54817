"""`kb ingest`: resolve the sources, parse, chunk, embed, index, publish.

Nothing is published unless every step succeeds; an unchanged corpus, model and settings
is recognised from the manifest and costs only the checksums.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest import added, eurlex_html, formex, multilingual, oj_pdf
from ingest.amend import read_instructions
from ingest.chunk import chunk_act
from ingest.consolidate import AmendingAct, Consolidation, consolidate
from ingest.errors import IngestError
from ingest.sources import ActSource, load_manifest, resolve, sha256_of
from kb import __version__
from kb.config import Settings
from kb.document import Act, Passage
from kb.embed import Embedder
from kb.embed_cache import EmbeddingCache
from kb.errors import KBError
from kb.index import build_faiss, discard, new_build_dir, publish, read_manifest, write_build
from kb.manifest import SCHEMA_VERSION, ActInfo, IndexManifest, ModelInfo, SourceFile, VersionInfo
from kb.refs import act_number, find_refs

# Bump when chunking or parsing changes what ends up in an index.
PIPELINE_VERSION = "4"


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
class AmendmentReport:
    """How an amending act's instructions fared against the act they amend."""

    amending: str  # "Regulation (EU) 2026/1744"
    amended: str  # "AI Act"
    in_force: str
    points: int  # numbered amending points
    applied_points: int
    flagged_points: list[str]  # "point (4)" for each point with an instruction left to the reader
    instructions: int  # points and their lettered sub-points
    applied_instructions: int
    changed_units: int


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


@dataclass
class _Input:
    source: ActSource
    files: dict[str, Path]  # format -> verified path
    parsed: Act | None = None  # already parsed, for an act identified from its own title
    added: added.AddedAct | None = None  # an act added with --source or from the local sources file


Progress = Callable[[str], None]


def run(
    settings: Settings,
    extra_sources: list[Path] | None = None,
    force: bool = False,
    progress: Progress | None = None,
    show_bars: bool = False,
) -> IngestReport:
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    inputs = [_resolve_act(s, settings) for s in load_manifest(settings.sources)]
    extras, entries = _added_acts(settings, [Path(p) for p in extra_sources or []], inputs)
    # A consolidated text of an act in the corpus is a version of that act, not an act of its own.
    celex = {i.source.celex: i.source.id for i in inputs} | {
        a.source.celex: a.source.id for a in extras if a.consolidated is None
    }
    consolidations = [
        (a, celex[a.consolidated.base_celex])
        for a in extras
        if a.consolidated and a.consolidated.base_celex in celex
    ]
    inputs += [
        _Input(a.source, a.files, a.parsed, a) for a in extras if not any(a is c for c, _ in consolidations)
    ]
    notices = [n for a in extras for n in a.notices]
    key = _settings_key(
        settings, inputs + [_Input(a.source, a.files, a.parsed, a) for a, _ in consolidations]
    )

    if not force:
        try:
            current = read_manifest(settings.index_dir)
        except KBError:
            current = None
        if current is not None and current.settings_key == key:
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

    acts = []
    for item in inputs:
        say(f"Parsing {item.source.short_name}")
        acts.append(_parse(item))
    _link(acts, inputs)
    by_id = {item.source.id: (item, act) for item, act in zip(inputs, acts, strict=True)}
    versions: dict[str, list[_Version]] = {
        act.id: [_Version(item.source.in_force or item.source.date, act, consolidated=item.added)]
        for item, act in by_id.values()
    }
    amendment_reports = []
    for item in sorted(inputs, key=lambda i: i.source.in_force):
        if item.source.amends:
            say(f"Applying {item.source.short_name} to {item.source.amends}")
            amendment_reports.append(_amend(item, by_id, versions, inputs))
    for consolidation, base in consolidations:
        say(f"Reading the consolidated text of {by_id[base][1].short_name}")
        versions[base].append(_consolidated_version(consolidation, versions[base][-1]))

    say(f"Loading the embedding model {settings.embed_model}")
    embedder = Embedder.from_settings(settings)
    # Vectors and token counts computed by earlier ingests, by model and text: unchanged
    # passages are never embedded again (kb/embed_cache.py).
    cache = EmbeddingCache(settings.embed_cache, embedder)
    cache.seed_token_counts()
    passages: list[Passage] = []
    per_act: dict[str, int] = {}
    for act in acts:
        say(f"Chunking {act.short_name}")
        chunks = _versioned_passages(versions[act.id], embedder)
        per_act[act.id] = len(chunks)
        passages.extend(chunks)
    cache.save_token_counts()

    say(f"Embedding {len(passages)} passages ({embedder.backend})")
    encoded = cache.encode([p.embed_text for p in passages], settings.embed_batch, progress=show_bars)
    cache.close()
    index, index_type = build_faiss(encoded.vectors, settings.index_type)
    crosslingual = multilingual.embed(settings, passages, say)

    reports = [
        ActReport(
            a.id,
            a.short_name,
            len(a.of_kind("recital")),
            len(a.of_kind("article")),
            len(a.of_kind("annex")),
            len(a.chapters),
            per_act[a.id],
        )
        for a in acts
    ]
    manifest = IndexManifest(
        schema_version=SCHEMA_VERSION,
        software_version=__version__,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 2),
        model=ModelInfo(name=settings.embed_model, dim=embedder.dim, max_tokens=embedder.max_tokens),
        index_type=index_type,
        settings_key=key,
        acts=[
            _act_info(item, act, r, versions[act.id], passages)
            for item, act, r in zip(inputs, acts, reports, strict=True)
        ],
        counts={"acts": len(acts), "passages": len(passages), "units": sum(len(a.units) for a in acts)},
        multilingual=crosslingual[1] if crosslingual else None,
    )
    build = new_build_dir(settings.index_dir)
    try:
        say("Writing the index")
        layers = [(v.id, v.act) for act in acts for v in versions[act.id]]
        write_build(build, manifest, layers, passages, index)
        if crosslingual:
            multilingual.write(build, crosslingual[0])
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
    )


@dataclass
class _Version:
    """One version of an act: the text in force from `id` (an ISO date)."""

    id: str
    act: Act
    consolidation: Consolidation | None = None
    amending: ActSource | None = None
    consolidated: added.AddedAct | None = None  # an EUR-Lex consolidated text of the act


def _amend(
    item: _Input,
    by_id: dict[str, tuple[_Input, Act]],
    versions: dict[str, list[_Version]],
    inputs: list[_Input],
) -> AmendmentReport:
    src = item.source
    if src.amends not in versions:
        raise IngestError(f"{src.id} amends {src.amends!r}, which is not in the corpus manifest")
    if not src.in_force:
        raise IngestError(f"{src.id} amends {src.amends} but has no in_force date in the corpus manifest")
    latest = versions[src.amends][-1]
    if src.in_force <= latest.id:
        raise IngestError(f"{src.id} enters into force on {src.in_force}, not after the version it amends")
    included = {r.official_name: item.files[r.format] for r in src.renditions if r.official_name}
    amending = AmendingAct(src.id, src.short_name, src.in_force, included)
    instructions = read_instructions(item.files[src.primary], src.amending_article or "1")
    result = consolidate(latest.act, instructions, amending)
    # Cross-references of the new text point at the act as amended.
    _link_one(result.act, by_id[src.amends][0], inputs)
    versions[src.amends].append(_Version(src.in_force, result.act, result, src))
    applied, flagged = result.points()
    return AmendmentReport(
        amending=src.short_name,
        amended=by_id[src.amends][1].short_name,
        in_force=src.in_force,
        points=len({i.point for i in instructions}),
        applied_points=len(applied),
        flagged_points=[f"point ({n})" for n in flagged],
        instructions=len(instructions),
        applied_instructions=sum(o.applied for o in result.outcomes),
        changed_units=len(result.changed),
    )


def _versioned_passages(chain: list[_Version], embedder: Embedder) -> list[Passage]:
    """Passages of every version; a unit that a version leaves unchanged keeps its passages,
    which then belong to that version too."""
    out: list[Passage] = []
    current: dict[str, list[Passage]] = {}
    for version in chain:
        if version.consolidation is None:
            changed = None
        else:
            changed = version.consolidation.changed
            for unit_id in version.consolidation.removed:
                current.pop(unit_id, None)
        for unit_id, kept in current.items():
            if changed is None or unit_id not in changed:
                for p in kept:
                    p.versions = (*p.versions, version.id)
        fresh = chunk_act(version.act, embedder.token_counts, embedder.max_tokens, only=changed)
        for p in fresh:
            p.versions = (version.id,)
        by_unit: dict[str, list[Passage]] = {}
        for p in fresh:
            by_unit.setdefault(p.unit, []).append(p)
        current.update(by_unit)
        out.extend(fresh)
    return out


def _resolve_act(source: ActSource, settings: Settings) -> _Input:
    files = {
        r.format: resolve(r, settings.corpus_cache, settings.corpus_mirror, settings.download)
        for r in source.renditions
    }
    if source.primary not in files:
        raise IngestError(f"{source.id}: its primary rendition {source.primary!r} is not in the manifest")
    return _Input(source, files)


def _parse(item: _Input) -> Act:
    src = item.source
    if item.parsed is not None:
        item.parsed.id, item.parsed.short_name = src.id, src.short_name
        return item.parsed
    primary = item.files[src.primary]
    if src.primary == "formex":
        annexes = [p for f, p in item.files.items() if f == "formex-annex"]
        return formex.parse_file(primary, src.id, src.short_name, annexes)
    act = _PARSERS[src.primary](primary, src.id, src.short_name)
    if src.primary != "pdf" and "pdf" in item.files:
        # The PDF gives page numbers, which a citation to the Official Journal needs.
        paged = oj_pdf.parse_file(item.files["pdf"], src.id, src.short_name)
        for unit in act.units:
            twin = paged.unit(unit.id)
            if twin is not None:
                unit.pages = twin.pages
    return act


_PARSERS = {"xhtml": eurlex_html.parse_file, "pdf": oj_pdf.parse_file, "formex": formex.parse_file}


def _link(acts: list[Act], inputs: list[_Input]) -> None:
    """Find every unit's cross-references, resolving those that point into the corpus."""
    for act, item in zip(acts, inputs, strict=True):
        _link_one(act, item, inputs)


def _link_one(act: Act, item: _Input, inputs: list[_Input]) -> None:
    numbers = {act_number(i.source.celex): i.source.id for i in inputs}
    ids = {u.id for u in act.units}
    own = act_number(item.source.celex)
    for unit in act.units:
        unit.refs = find_refs(unit.text, act.id, ids, numbers, own)


def _act_info(
    item: _Input, act: Act, report: ActReport, chain: list[_Version], passages: list[Passage]
) -> ActInfo:
    src = item.source
    url = src.url or next((r.url for r in src.renditions if r.format == "xhtml"), src.eli)
    if item.added is not None and item.added.consolidated is not None:
        # A consolidated text indexed as the act itself: its links go to that consolidated text.
        url = src.url.replace(src.celex, item.added.consolidated.celex)
    in_chain = [p for p in passages if p.doc == act.id]
    return ActInfo(
        id=src.id,
        short_name=src.short_name,
        title=src.title,
        celex=src.celex,
        eli=src.eli,
        oj=src.oj,
        date=src.date,
        url=url,
        source_format=act.source_format,
        sources=[
            SourceFile(format=f, file=str(p) if item.added else p.name, sha256=_sha(item, f))
            for f, p in item.files.items()
        ],
        counts={
            "recitals": report.recitals,
            "articles": report.articles,
            "annexes": report.annexes,
            "chapters": report.chapters,
            "passages": report.passages,
        },
        in_force=src.in_force,
        aliases=list(src.aliases),
        amends=src.amends or None,
        amending_units=[f"art_{src.amending_article or '1'}"] if src.amends else [],
        unofficial=src.unofficial,
        versions=[_version_info(src, url, v, chain[: n + 1], in_chain) for n, v in enumerate(chain)],
        origin=(
            "added with kb ingest --source from " + ", ".join(str(p.resolve()) for p in item.added.given)
            if item.added
            else "corpus manifest (corpus/sources.toml)"
        ),
    )


def _version_info(
    src: ActSource, url: str, version: _Version, so_far: list[_Version], passages: list[Passage]
) -> VersionInfo:
    amenders = [v.amending for v in so_far if v.amending is not None]
    counts = {
        "units": len(version.act.units),
        "articles": len(version.act.of_kind("article")),
        "annexes": len(version.act.of_kind("annex")),
        "passages": sum(version.id in p.versions for p in passages),
    }
    if version.consolidated is not None and version.consolidated.consolidated is not None:
        text = version.consolidated
        return VersionInfo(
            id=version.id,
            in_force=version.id,
            label=CONSOLIDATED_LABEL,
            url=text.source.url.replace(src.celex, text.consolidated.celex),
            sources=[str(p) for p in text.files.values()],
            unofficial=CONSOLIDATED_NOTE,
            counts=counts,
        )
    if version.amending is None or version.consolidation is None:
        files = [r.file for r in src.renditions]
        return VersionInfo(
            id=version.id,
            in_force=version.id,
            label=f"original text, {src.oj}",
            url=url,
            sources=files,
            unofficial=src.unofficial,
            counts=counts,
        )
    result = version.consolidation
    # EUR-Lex names a consolidated version by the CELEX number with a 0 and the version date.
    consolidated = f"0{src.celex[1:]}-{version.id.replace('-', '')}"
    return VersionInfo(
        id=version.id,
        in_force=version.id,
        label="as amended by " + ", ".join(a.short_name for a in amenders),
        url=f"https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:{consolidated}",
        amended_by=[a.short_name for a in amenders],
        sources=[r.file for r in src.renditions] + [r.file for a in amenders for r in a.renditions],
        unofficial="; ".join(a.unofficial for a in amenders if a.unofficial),
        applied=sum(o.applied for o in result.outcomes),
        flagged=[o.instruction for o in result.outcomes if not o.applied],
        counts=counts,
    )


def _sha(item: _Input, fmt: str) -> str:
    for r in item.source.renditions:
        if r.format == fmt:
            return r.sha256
    return sha256_of(item.files[fmt])


def _settings_key(settings: Settings, inputs: list[_Input]) -> str:
    material = {
        "schema": SCHEMA_VERSION,
        "pipeline": PIPELINE_VERSION,
        "model": settings.embed_model,
        "index_type": settings.index_type,
        "multilingual": multilingual.enabled(settings),
        "sources": sorted((i.source.id, f, _sha(i, f)) for i in inputs for f in i.files),
        # What the manifest says of each act (names, dates, notes) ends up in the index too.
        "acts": [asdict(i.source) for i in inputs],
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


# -- acts given on the command line or recorded in the local sources file -----------------------

CONSOLIDATED_LABEL = "consolidated text, EUR-Lex, documentation only, no legal effect"
CONSOLIDATED_NOTE = (
    "An EUR-Lex consolidated text: a documentation tool with no legal effect; the authentic text "
    "is the one published in the Official Journal"
)


def _added_acts(
    settings: Settings, sources: list[Path], corpus: list[_Input]
) -> tuple[list[added.AddedAct], list[added.LocalEntry]]:
    """The acts of the local sources file, read again from their files, and those given now (which
    replace a recorded act of the same id and kind). Raises IngestError for a recorded file that is
    gone, and for an act given now that the corpus manifest already holds."""
    local_file = settings.local_sources_path()
    entries = added.load_local(local_file)
    recorded: list[added.AddedAct] = []
    for entry in entries:
        added.check_present(entry, local_file)
        recorded.extend(added.read(entry.paths, entry.aliases))
    given = added.read(sources) if sources else []
    in_corpus = {i.source.id: i.source for i in corpus}
    for act in given:
        same = in_corpus.get(act.source.id)
        if act.consolidated is None and same is not None:
            raise IngestError(
                f"{act.given[0]}: {act.source.short_name} ({act.source.id}) is already in the corpus manifest"
            )

    def kind(a: added.AddedAct) -> tuple[str, bool]:
        return a.source.id, a.consolidated is None

    replaced = {kind(a) for a in given}
    return [a for a in recorded if kind(a) not in replaced] + given, entries


def _consolidated_version(text: added.AddedAct, latest: _Version) -> _Version:
    """An EUR-Lex consolidated text as a version of the act in the corpus, from its date. It holds
    no recitals; the act's recitals stay with it, as the preamble is not consolidated."""
    info = text.consolidated
    assert info is not None
    if info.date <= latest.id:
        raise IngestError(
            f"{text.given[0]}: a consolidated text of {info.date}, not later than the version of "
            f"{latest.id} the index already holds for {latest.act.short_name}"
        )
    import copy

    act = copy.deepcopy(text.parsed)
    act.id, act.short_name = latest.act.id, latest.act.short_name
    act.units = [u for u in latest.act.units if u.kind == "recital"] + act.units
    before = {u.id: (u.title, u.text) for u in latest.act.units}
    changed = {u.id for u in act.units if before.get(u.id) != (u.title, u.text)}
    removed = {uid for uid in before if act.unit(uid) is None}
    return _Version(info.date, act, Consolidation(act, [], changed, removed), None, text)

"""`kb ingest`: resolve the sources, parse, chunk, embed, index, publish.

Nothing is published unless every step succeeds; an unchanged corpus, model and settings
is recognised from the manifest and costs only the checksums.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest import eurlex_html, oj_pdf
from ingest.chunk import chunk_act
from ingest.errors import IngestError, ParseError
from ingest.sources import ActSource, Rendition, load_manifest, resolve, sha256_of
from kb import __version__
from kb.config import Settings
from kb.embed import Embedder
from kb.errors import KBError
from kb.index import build_faiss, discard, new_build_dir, publish, read_manifest, write_build
from kb.manifest import SCHEMA_VERSION, ActInfo, IndexManifest, ModelInfo, SourceFile
from kb.model import Act, Passage
from kb.refs import act_number, find_refs

# Bump when chunking or parsing changes what ends up in an index.
PIPELINE_VERSION = "2"


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


@dataclass
class _Input:
    source: ActSource
    files: dict[str, Path]  # format -> verified path
    parsed: Act | None = None  # already parsed, for an act identified from its own title


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
    for path in extra_sources or []:
        extra = _identify(Path(path))
        if any(i.source.id == extra.source.id for i in inputs):
            raise IngestError(
                f"{path}: {extra.source.short_name} ({extra.source.id}) is already in the corpus"
            )
        inputs.append(extra)
    key = _settings_key(settings, inputs)

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
            )

    acts = []
    for item in inputs:
        say(f"Parsing {item.source.short_name}")
        acts.append(_parse(item))
    _link(acts, inputs)

    say(f"Loading the embedding model {settings.embed_model}")
    embedder = Embedder(settings.embed_model)
    passages: list[Passage] = []
    per_act: dict[str, int] = {}
    for act in acts:
        say(f"Chunking {act.short_name}")
        chunks = chunk_act(act, embedder.token_counts, embedder.max_tokens)
        per_act[act.id] = len(chunks)
        passages.extend(chunks)

    say(f"Embedding {len(passages)} passages")
    vectors = embedder.encode([p.embed_text for p in passages], settings.embed_batch, progress=show_bars)
    index, index_type = build_faiss(vectors, settings.index_type)

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
        acts=[_act_info(item, act, r) for item, act, r in zip(inputs, acts, reports, strict=True)],
        counts={"acts": len(acts), "passages": len(passages), "units": sum(len(a.units) for a in acts)},
    )
    build = new_build_dir(settings.index_dir)
    try:
        say("Writing the index")
        write_build(build, manifest, acts, passages, index)
        publish(build, settings.index_dir)
    except BaseException:
        discard(build)
        raise
    return IngestReport(
        index_dir=str(settings.index_dir),
        up_to_date=False,
        seconds=time.perf_counter() - started,
        acts=reports,
        passages=len(passages),
        model=settings.embed_model,
    )


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
    act = _PARSERS[src.primary](primary, src.id, src.short_name)
    if src.primary != "pdf" and "pdf" in item.files:
        # The PDF gives page numbers, which a citation to the Official Journal needs.
        paged = oj_pdf.parse_file(item.files["pdf"], src.id, src.short_name)
        for unit in act.units:
            twin = paged.unit(unit.id)
            if twin is not None:
                unit.pages = twin.pages
    return act


_PARSERS = {"xhtml": eurlex_html.parse_file, "pdf": oj_pdf.parse_file}


def _link(acts: list[Act], inputs: list[_Input]) -> None:
    """Find every unit's cross-references, resolving those that point into the corpus."""
    numbers = {act_number(i.source.celex): i.source.id for i in inputs}
    for act, item in zip(acts, inputs, strict=True):
        ids = {u.id for u in act.units}
        own = act_number(item.source.celex)
        for unit in act.units:
            unit.refs = find_refs(unit.text, act.id, ids, numbers, own)


def _act_info(item: _Input, act: Act, report: ActReport) -> ActInfo:
    src = item.source
    url = next((r.url for r in src.renditions if r.format == "xhtml"), src.eli)
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
        sources=[SourceFile(format=f, file=p.name, sha256=_sha(item, f)) for f, p in item.files.items()],
        counts={
            "recitals": report.recitals,
            "articles": report.articles,
            "annexes": report.annexes,
            "chapters": report.chapters,
            "passages": report.passages,
        },
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
        "sources": sorted((i.source.id, f, _sha(i, f)) for i in inputs for f in i.files),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


# -- acts given on the command line ---------------------------------------------------------

_TITLE_NUMBER = re.compile(r"(REGULATION|DIRECTIVE|DECISION) \((EU|EC)\)(?: No)? (\d{4})/(\d+)", re.I)


def _identify(path: Path) -> _Input:
    """An act given as a file: its format from its content, its identity from its own title."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    head = path.read_bytes()[:2048]
    if not head.strip():
        raise ParseError(path, "the file is empty")
    if head.startswith(b"%PDF"):
        fmt = "pdf"
    elif b"<html" in head.lower() or head.lstrip().startswith(b"<?xml"):
        fmt = "xhtml"
    else:
        raise ParseError(path, "unknown format: give an EUR-Lex XHTML (.html) or Official Journal PDF file")
    act = _PARSERS[fmt](path, "unidentified", "unidentified")
    m = _TITLE_NUMBER.search(act.title)
    if not m:
        raise ParseError(path, "its title names no Regulation, Directive or Decision number")
    kind, year, number = m.group(1).upper(), m.group(3), int(m.group(4))
    short = re.findall(r"\(([A-Z][^()]*(?:Act|Regulation|Directive))\)", act.title)
    short_name = short[-1] if short else f"{kind.capitalize()} {year}/{number}"
    act_id = re.sub(r"[^a-z0-9]+", "-", short_name.lower()).strip("-")
    celex = f"3{year}{kind[0]}{number:04d}"
    sha = sha256_of(path)
    source = ActSource(
        id=act_id,
        short_name=short_name,
        title=act.title,
        celex=celex,
        eli=f"http://data.europa.eu/eli/{kind[:3].lower()}/{year}/{number}/oj",
        oj=f"OJ {year}/{number}",
        date="",
        language="en",
        primary=fmt,
        renditions=(Rendition(format=fmt, file=path.name, url=path.resolve().as_uri(), sha256=sha),),
    )
    return _Input(source, {fmt: path}, parsed=act)

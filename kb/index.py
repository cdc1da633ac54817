"""The index artifact on disk: manifest.json, vectors.faiss and passages.sqlite in one folder.

`KB_INDEX_DIR` is a symbolic link to the folder of the current build. A new build is written
beside it and published by swapping the link in one rename, so a reader sees the old index
or the new one, never a half-written one, and a failed build leaves the old one in place.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from kb.document import Act, Passage, Unit, to_dict, unit_from_dict
from kb.errors import IndexIncompatible, IndexMissing
from kb.manifest import SCHEMA_VERSION, FileCheck, IndexManifest

MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
STORE = "passages.sqlite"
KEEP_BUILDS = 2

_SCHEMA = """
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,  -- the row of the passage's vector in vectors.faiss
    doc TEXT NOT NULL, unit TEXT NOT NULL, unit_kind TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    pinpoint TEXT NOT NULL, heading TEXT NOT NULL, context TEXT NOT NULL,
    page INTEGER, embed_text TEXT NOT NULL,
    versions TEXT NOT NULL  -- the act's versions the passage is part of, space-separated
);
CREATE INDEX passages_unit ON passages(doc, unit);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    embed_text, content='passages', content_rowid='id', tokenize='porter unicode61'
);
CREATE TABLE units (
    doc TEXT NOT NULL, version TEXT NOT NULL, unit TEXT NOT NULL, kind TEXT NOT NULL,
    ord INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (doc, version, unit)
);
"""


# How the index type is chosen (bench/scale.py; figures in docs/benchmarks.md). Exact search
# costs about 0.13 µs per vector per query here: 1 ms at 10k, 13 ms at 100k, 132 ms at 1M.
# Below AUTO_FLAT_LIMIT (about 6 ms) it stays, being exact. Above it IVF-Flat (k-means cells,
# 4·√n of them, the nearest IVF_NPROBE scanned exactly) kept recall@10 at 0.997 or more for
# 0.6 ms at 100k and 2.4 ms at 1M, and builds in 83 s at 1M; HNSW needed efSearch 2048 for
# 0.978 at 1M (7.8 ms) and 199 s to build, so it is offered but not chosen.
AUTO_FLAT_LIMIT = 50_000
IVF_NPROBE = 64
IVF_TRAINING_PER_CELL = 64
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80


def choose_index_type(n: int, index_type: str) -> str:
    if index_type == "auto":
        return "flat" if n < AUTO_FLAT_LIMIT else "ivf"
    return index_type


def hnsw_ef_search(n: int) -> int:
    """efSearch that kept recall@10 ≥ 0.95: 64 at 10k, 256 at 100k, 2048 at 1M (n/500, rounded up)."""
    return max(64, 1 << max(0, math.ceil(math.log2(max(1, n) / 500))))


def build_faiss(vectors: np.ndarray, index_type: str) -> tuple[faiss.Index, str]:
    """A FAISS index of `vectors` (float32 (n, d), L2-normalised): exact (flat) below
    AUTO_FLAT_LIMIT passages, IVF-Flat above, HNSW when asked for. Returns it and the type chosen."""
    dim = vectors.shape[1]
    chosen = choose_index_type(len(vectors), index_type)
    if chosen == "flat":
        index: faiss.Index = faiss.IndexFlatIP(dim)
    elif chosen == "ivf":
        cells = max(1, int(4 * math.sqrt(len(vectors))))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, cells, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).permutation(len(vectors))[: cells * IVF_TRAINING_PER_CELL]
        index.train(vectors[np.sort(sample)])
        index.nprobe = min(IVF_NPROBE, cells)
    elif chosen == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = hnsw_ef_search(len(vectors))
    else:
        raise ValueError(f"Unknown index type {index_type!r}; use auto, flat, ivf or hnsw")
    index.add(vectors)
    return index, chosen


def write_build(
    folder: Path,
    manifest: IndexManifest,
    versions: list[tuple[str, Act]],
    passages: list[Passage],
    index: faiss.Index,
    finish: Callable[[Path, IndexManifest], IndexManifest] | None = None,
) -> None:
    """Write a build: `versions` holds each version of each act, by the date it is in force.
    `finish(folder, manifest)`, when given, adds to the folder what the acts' passages are the
    ground of (the language versions: ingest/language_version.py) before the files are checked
    and the manifest written, and returns the manifest with it."""
    folder.mkdir(parents=True)
    faiss.write_index(index, str(folder / VECTORS))
    con = sqlite3.connect(folder / STORE)
    try:
        con.executescript(_SCHEMA)
        con.executemany(
            'INSERT INTO passages (id, doc, unit, unit_kind, start, "end", text, pinpoint, heading,'
            " context, page, embed_text, versions) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    i,
                    p.doc,
                    p.unit,
                    p.unit_kind,
                    p.start,
                    p.end,
                    p.text,
                    p.pinpoint,
                    p.heading,
                    p.context,
                    p.page,
                    p.embed_text,
                    " ".join(p.versions),
                )
                for i, p in enumerate(passages)
            ],
        )
        con.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")
        con.executemany(
            "INSERT INTO units (doc, version, unit, kind, ord, data) VALUES (?,?,?,?,?,?)",
            [
                (act.id, version, u.id, u.kind, n, json.dumps(to_dict(u), ensure_ascii=False))
                for version, act in versions
                for n, u in enumerate(act.units)
            ],
        )
        # Who must do what, from when (kb/obligations): read from the same units, so a look-up
        # is a read of this table, not a parse.
        from kb.obligations.store import read_versions, write

        amending = {a.id for a in manifest.acts if a.amends}  # its instructions bind no one
        write(con, read_versions([(v, act) for v, act in versions if act.id not in amending]))
        con.commit()
    finally:
        con.close()
    if finish is not None:
        manifest = finish(folder, manifest)
    checks = {
        name: FileCheck(sha256=_sha256(folder / name), size=(folder / name).stat().st_size)
        for name in (VECTORS, STORE)
    }
    manifest = manifest.model_copy(update={"files": checks})
    # The manifest goes last: a folder without one is an unfinished build.
    (folder / MANIFEST).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")


def new_build_dir(index_dir: Path) -> Path:
    """A new build folder's path beside `index_dir`, named by time and by this process, so an
    unfinished one (no manifest) can be told from one being written (its process is alive)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return index_dir.parent / f".{index_dir.name}.build-{stamp}-{os.getpid()}"


def remove_unfinished(index_dir: Path) -> list[Path]:
    """Remove build folders a killed ingest left (no manifest, and no live process writing
    them); returns those removed."""
    current = index_dir.resolve() if index_dir.exists() else None
    removed = []
    for build in index_dir.parent.glob(f".{index_dir.name}.build-*"):
        if (build / MANIFEST).exists() or build.resolve() == current or not build.is_dir():
            continue
        pid = build.name.rpartition("-")[2]
        if pid.isdigit() and _alive(int(pid)):
            continue  # another ingest is writing it now
        shutil.rmtree(build, ignore_errors=True)
        removed.append(build)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def publish(build: Path, index_dir: Path) -> None:
    """Point `index_dir` at `build` atomically, then clear out older builds."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    if index_dir.exists() and not index_dir.is_symlink():
        # An index folder made by hand or by an older version: keep it as a build of its own.
        index_dir.rename(new_build_dir(index_dir).with_name(f".{index_dir.name}.build-legacy"))
    link = index_dir.with_name(f".{index_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(build.name)
    os.replace(link, index_dir)
    _prune(index_dir)


def _prune(index_dir: Path) -> None:
    current = index_dir.resolve()
    builds = sorted(index_dir.parent.glob(f".{index_dir.name}.build-*"))
    finished = [b for b in builds if (b / MANIFEST).exists() and b.resolve() != current]
    for old in finished[: max(0, len(finished) - (KEEP_BUILDS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def discard(build: Path) -> None:
    shutil.rmtree(build, ignore_errors=True)


def read_manifest(index_dir: Path) -> IndexManifest:
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexMissing(index_dir)
    try:
        manifest = IndexManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise IndexIncompatible(index_dir, f"its manifest is unreadable ({exc.__class__.__name__})") from exc
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexIncompatible(
            index_dir, f"it has schema version {manifest.schema_version}, this regkb reads {SCHEMA_VERSION}"
        )
    return manifest


class IndexFiles:
    """An opened index: its manifest, its FAISS vectors and its passage store."""

    def __init__(self, index_dir: Path, expected_model: str | None = None) -> None:
        # Resolve the link once, so this reader keeps its build even if a new one is published.
        self.path = index_dir.resolve() if index_dir.exists() else index_dir
        self.manifest = read_manifest(self.path)
        if expected_model is not None and self.manifest.model.name != expected_model:
            raise IndexIncompatible(
                index_dir,
                f"it was built with the model {self.manifest.model.name!r}, but KB_EMBED_MODEL is "
                f"{expected_model!r}",
            )
        for name in (VECTORS, STORE):
            if not (self.path / name).is_file():
                raise IndexIncompatible(index_dir, f"{name} is missing")
            _check_file(index_dir, self.path / name, self.manifest.files.get(name))
        try:
            self.vectors = faiss.read_index(str(self.path / VECTORS))
        except RuntimeError as exc:
            reason = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else "unreadable"
            raise IndexIncompatible(index_dir, f"{VECTORS} is damaged ({reason})") from None
        if self.vectors.d != self.manifest.model.dim:
            raise IndexIncompatible(index_dir, "its vectors do not match its model's dimension")
        self._local = threading.local()
        self._probe_store(index_dir)

    def _probe_store(self, index_dir: Path) -> None:
        """Open the passage store and read a row of each table: a damaged file fails here, at
        load, not on the first question."""
        try:
            with self.db() as con:
                rows = con.execute("SELECT count(*) FROM passages").fetchone()[0]
                con.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH 'article' LIMIT 1")
                con.execute("SELECT data FROM units LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise IndexIncompatible(index_dir, f"{STORE} is damaged ({exc})") from None
        if rows != self.vectors.ntotal:
            raise IndexIncompatible(
                index_dir, f"{STORE} holds {rows} passages but {VECTORS} {self.vectors.ntotal} vectors"
            )

    def all_vectors(self) -> np.ndarray:
        """Every passage vector, read once and shared by every version's search."""
        cached: np.ndarray | None = getattr(self, "_all_vectors", None)
        if cached is None:
            if isinstance(self.vectors, faiss.IndexIVF):
                self.vectors.make_direct_map()  # an inverted list does not know its rows otherwise
            cached = self.vectors.reconstruct_n(0, self.vectors.ntotal)
            self._all_vectors = cached
        return cached

    @contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        # One read-only connection per thread: sqlite3 connections are not shared across threads.
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path / STORE}?mode=ro", uri=True, check_same_thread=False)
            con.row_factory = sqlite3.Row
            self._local.con = con
        yield con

    def passages(self, ids: list[int]) -> dict[int, Passage]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self.db() as con:
            rows = con.execute(f"SELECT * FROM passages WHERE id IN ({marks})", ids).fetchall()
        return {row["id"]: _passage(row) for row in rows}

    def units(self, doc: str, version: str) -> dict[str, Unit]:
        """The units of one version of an act, in the act's order."""
        with self.db() as con:
            rows = con.execute(
                "SELECT unit, data FROM units WHERE doc=? AND version=? ORDER BY ord", (doc, version)
            ).fetchall()
        return {row["unit"]: unit_from_dict(json.loads(row["data"])) for row in rows}


def _check_file(index_dir: Path, path: Path, expected: FileCheck | None) -> None:
    """The file's size and sha256 against the manifest (skipped for builds from before they were
    recorded); hashing the ~20 MB of the two acts' index takes about 30 ms."""
    if expected is None:
        return
    size = path.stat().st_size
    if size != expected.size:
        raise IndexIncompatible(
            index_dir, f"{path.name} is {size} bytes, its manifest says {expected.size} (damaged)"
        )
    if _sha256(path) != expected.sha256:
        raise IndexIncompatible(index_dir, f"{path.name} does not match the sha256 in its manifest (damaged)")


def _passage(row: sqlite3.Row) -> Passage:
    fields = {k: row[k] for k in row.keys() if k not in ("id", "versions")}  # noqa: SIM118 (Row has no __iter__)
    return Passage(**fields, versions=tuple(row["versions"].split()))

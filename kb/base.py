"""KnowledgeBase: the one object every interface uses. It loads the model and the index once,
and is safe to call from many threads."""

from __future__ import annotations

import json
from pathlib import Path

from kb.config import Settings, settings
from kb.embed import Embedder
from kb.errors import BadQuery, UnknownDocument, UnknownUnit
from kb.index import IndexFiles
from kb.manifest import ActInfo, IndexManifest
from kb.model import Unit, unit_from_dict
from kb.results import SearchResult
from kb.search import Searcher

MAX_QUERY_CHARS = 2000
KINDS = ("article", "recital", "annex")


class KnowledgeBase:
    def __init__(self, files: IndexFiles, embedder: Embedder) -> None:
        self.files = files
        self.embedder = embedder
        self.units = _load_units(files)
        self.searcher = Searcher(files, embedder, self.units)

    @classmethod
    def open(cls, index_dir: Path | None = None, config: Settings | None = None) -> KnowledgeBase:
        config = config or settings()
        files = IndexFiles(index_dir or config.index_dir, expected_model=config.embed_model)
        embedder = Embedder(files.manifest.model.name)
        embedder.model  # noqa: B018 (load now, not on the first query)
        return cls(files, embedder)

    @property
    def manifest(self) -> IndexManifest:
        return self.files.manifest

    @property
    def acts(self) -> list[ActInfo]:
        return self.files.manifest.acts

    def search(
        self, query: str, k: int = 10, docs: list[str] | None = None, kinds: list[str] | None = None
    ) -> SearchResult:
        self._check(query, docs, kinds)
        return self.searcher.search(query.strip(), k=k, docs=docs, kinds=kinds)

    def get(self, doc: str, unit: str) -> Unit:
        self._check_docs([doc])
        found = self.units.get((doc, unit))
        if found is None:
            raise UnknownUnit(
                f"{self._act(doc).short_name} has no provision {unit!r} (try art_5, rct_27, anx_III)"
            )
        return found

    def _act(self, doc: str) -> ActInfo:
        return next(a for a in self.acts if a.id == doc)

    def _check(self, query: str, docs: list[str] | None, kinds: list[str] | None) -> None:
        if not query or not query.strip():
            raise BadQuery("The question is empty.")
        if len(query) > MAX_QUERY_CHARS:
            raise BadQuery(f"The question is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
        self._check_docs(docs or [])
        for kind in kinds or []:
            if kind not in KINDS:
                raise BadQuery(f"Unknown kind {kind!r}; use one of: {', '.join(KINDS)}.")

    def _check_docs(self, docs: list[str]) -> None:
        known = [a.id for a in self.acts]
        for doc in docs:
            if doc not in known:
                raise UnknownDocument(f"Unknown act {doc!r}; the index holds: {', '.join(known)}.")


def _load_units(files: IndexFiles) -> dict[tuple[str, str], Unit]:
    with files.db() as con:
        rows = con.execute("SELECT doc, unit, data FROM units ORDER BY doc, ord").fetchall()
    out = {}
    for row in rows:
        unit = unit_from_dict(json.loads(row["data"]))
        out[(row["doc"], row["unit"])] = unit
    return out

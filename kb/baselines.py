"""Two pipelines a user could build instead, scored beside regkb in every `kb eval` so that
each report shows what regkb's ranking buys.

- `NaivePipeline`: the acts' plain text, langchain's RecursiveCharacterTextSplitter(1000, 200),
  the same embedder, a flat FAISS index. Its chunks are judged by the units whose text they
  overlap.
- `StructuredHybrid`: one passage per paragraph (a recital whole) with its article's label and
  title prepended, the same embedder and BM25 (SQLite FTS5), fused by reciprocal rank, and
  nothing else: no references, definitions, titles ranking, recitals or act routing.

Both read the same text of each act as regkb (the version asked for), built on first use."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

import faiss
import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter

from kb.evaluate import Outcome, System
from kb.knowledge import KnowledgeBase, View
from kb.query import keyword_terms

# Reciprocal-rank fusion's constant (Cormack, Clarke and Büttcher, SIGIR 2009).
RRF_K = 60
CANDIDATES = 100


class _PerVersion:
    """A baseline built once for each version of the acts it is asked about."""

    def __init__(self, kb: KnowledgeBase, build: Callable[[View], Callable[[str], Outcome]]) -> None:
        self.kb = kb
        self.build = build
        self.built: dict[tuple[tuple[str, str], ...], Callable[[str], Outcome]] = {}

    def system(self) -> System:
        def run(question: str, version: str | None) -> Outcome:
            view = self.kb.view(version)
            key = tuple(sorted((doc, v.id) for doc, v in view.versions.items()))
            if key not in self.built:
                self.built[key] = self.build(view)
            return self.built[key](question)

        return run


class NaivePipeline(_PerVersion):
    """Plain text, fixed-size chunks, dense search only."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__(kb, self._build)

    def _build(self, view: View) -> Callable[[str], Outcome]:
        embedder = self.kb.embedder
        # The acts as plain text, unit after unit in the order of the act, remembering where each unit lies.
        chunks: list[str] = []
        chunk_units: list[list[tuple[str, str]]] = []
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        for act in self.kb.acts:
            if act.id not in view.versions:
                continue
            spans: list[tuple[int, int, tuple[str, str]]] = []
            parts: list[str] = []
            pos = 0
            for (doc, unit_id), unit in view.units.items():
                if doc != act.id:
                    continue
                spans.append((pos, pos + len(unit.text), (doc, unit_id)))
                parts.append(unit.text)
                pos += len(unit.text) + 2
            text = "\n\n".join(parts)
            for chunk in splitter.create_documents([text]):
                start = chunk.metadata["start_index"]
                end = start + len(chunk.page_content)
                chunks.append(chunk.page_content)
                chunk_units.append([u for s, e, u in spans if s < end and start < e])
        vectors = embedder.encode(chunks)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)

        def run(question: str) -> Outcome:
            _scores, ids = index.search(embedder.encode([question]), 10)
            units: list[tuple[str, str]] = []
            for i in ids[0]:
                for unit in chunk_units[int(i)]:
                    if unit not in units:
                        units.append(unit)
            chars = int(np.sum([len(chunks[int(i)]) for i in ids[0][:5]]))
            return Outcome(units=units, declined=False, chars_top5=chars)

        return run


class StructuredHybrid(_PerVersion):
    """Paragraph passages with their article's title, dense + BM25, reciprocal-rank fusion."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__(kb, self._build)

    def _build(self, view: View) -> Callable[[str], Outcome]:
        embedder = self.kb.embedder
        texts: list[str] = []
        owners: list[tuple[str, str]] = []
        for (doc, unit_id), unit in view.units.items():
            head = f"{unit.label} {unit.title}".strip()
            paragraphs = [unit.text[b.start : b.end] for b in unit.paragraphs()] or [unit.text]
            for paragraph in paragraphs:
                texts.append(f"{head}\n{paragraph}")
                owners.append((doc, unit_id))
        vectors = embedder.encode(texts)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute("CREATE VIRTUAL TABLE p USING fts5(text)")
        db.executemany("INSERT INTO p(rowid, text) VALUES (?, ?)", enumerate(texts))

        def run(question: str) -> Outcome:
            fused = np.zeros(len(texts))
            _s, dense = index.search(embedder.encode([question]), CANDIDATES)
            fused[dense[0]] += 1.0 / (RRF_K + np.arange(len(dense[0])))
            terms = keyword_terms(question)
            if terms:
                match = " OR ".join(f'"{w}"' for w in terms)
                rows = db.execute(
                    "SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?", (match, CANDIDATES)
                ).fetchall()
                for rank, (rowid,) in enumerate(rows):
                    fused[rowid] += 1.0 / (RRF_K + rank)
            units: list[tuple[str, str]] = []
            top: list[int] = []
            for i in np.argsort(-fused):
                if fused[i] <= 0 or len(units) >= 10:
                    break
                if owners[i] not in units:
                    units.append(owners[i])
                    top.append(int(i))
            chars = sum(len(re.sub(r"^[^\n]*\n", "", texts[i])) for i in top[:5])
            return Outcome(units=units, declined=False, chars_top5=chars)

        return run

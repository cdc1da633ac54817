"""The pipeline a user would otherwise build: the acts' plain text, langchain's
RecursiveCharacterTextSplitter(1000, 200), the same embedder, a flat FAISS index. Its chunks
are judged by the units whose text they overlap."""

from __future__ import annotations

import faiss
import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter

from kb.base import KnowledgeBase
from kb.evaluate import Outcome, System


class NaivePipeline:
    def __init__(self, kb: KnowledgeBase, version: str | None = None) -> None:
        self.embedder = kb.embedder
        view = kb.view(version)  # the same text of each act that regkb answers from
        # The acts as plain text, unit after unit in the order of the act, remembering where each unit lies.
        self.chunks: list[str] = []
        self.chunk_units: list[list[tuple[str, str]]] = []
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        for act in kb.acts:
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
                self.chunks.append(chunk.page_content)
                self.chunk_units.append([u for s, e, u in spans if s < end and start < e])
        vectors = self.embedder.encode(self.chunks)
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)

    def system(self) -> System:
        def run(question: str) -> Outcome:
            _scores, ids = self.index.search(self.embedder.encode([question]), 10)
            units: list[tuple[str, str]] = []
            for i in ids[0]:
                for unit in self.chunk_units[int(i)]:
                    if unit not in units:
                        units.append(unit)
            chars = int(np.sum([len(self.chunks[int(i)]) for i in ids[0][:5]]))
            return Outcome(units=units, declined=False, chars_top5=chars)

        return run

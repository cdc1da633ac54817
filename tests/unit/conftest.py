"""Fast tests of the core's pure functions: no corpus, no model, no index.

`FakeEmbedder` stands in for sentence-transformers where a function needs vectors: it hashes
words into a small space, so texts that share words are close, deterministically (as llm's
`EmbedDemo` does for its own tests)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from kb.document import Block, Unit
from kb.manifest import ActInfo, VersionInfo
from kb.vocabulary import words

DIM = 64


class FakeEmbedder:
    """Bag of hashed words, L2-normalised: float32 (n, 64)."""

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype="float32")
        for i, text in enumerate(texts):
            for w in words(text):
                out[i, int(hashlib.sha1(w.encode()).hexdigest(), 16) % DIM] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def encode_known(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


def article(num: str, title: str, blocks: list[Block]) -> Unit:
    """An article laid out as the parsers lay them out, its text rendered."""
    unit = Unit(kind="article", id=f"art_{num}", num=num, title=title, blocks=blocks, anchor=f"art_{num}")
    unit.render()
    return unit


@pytest.fixture
def prohibitions() -> Unit:
    """A two-paragraph article with points under a lead-in, as Article 5 of the AI Act."""
    return article(
        "5",
        "Prohibited AI practices",
        [
            Block(
                "paragraph",
                "1",
                "The following AI practices shall be prohibited:",
                "1.",
                [
                    Block("point", "a", "placing on the market of manipulative systems;", "(a)"),
                    Block(
                        "point",
                        "f",
                        "the use of emotion recognition systems in the areas of workplace, except for "
                        "medical or safety reasons;",
                        "(f)",
                    ),
                ],
            ),
            Block("paragraph", "2", "Member States may lay down more favourable rules.", "2."),
        ],
    )


def act_info(
    doc: str, short_name: str, versions: list[VersionInfo] | None = None, **extra: object
) -> ActInfo:
    """An act as the manifest describes it."""
    return ActInfo(
        id=doc,
        short_name=short_name,
        title=f"Regulation on {short_name}",
        celex="32024R1689" if doc == "ai-act" else "32023R2854",
        eli="",
        oj="OJ L, 2024/1689, 12.7.2024",
        date="2024-06-13",
        url=f"https://eur-lex.europa.eu/eli/{doc}",
        source_format="eurlex-xhtml",
        sources=[],
        counts={},
        versions=versions or [version("2024-08-01")],
        **extra,  # type: ignore[arg-type]
    )


def version(day: str, amended_by: list[str] | None = None) -> VersionInfo:
    label = f"as amended by {amended_by[0]}" if amended_by else "original text"
    return VersionInfo(
        id=day, in_force=day, label=label, url=f"https://eur-lex.europa.eu/{day}", amended_by=amended_by or []
    )

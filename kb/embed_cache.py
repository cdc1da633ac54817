"""Work ingest never does twice: passage vectors and token counts, by model and passage text.

One SQLite file, `<KB_EMBED_CACHE>/embeddings.sqlite`, outside the published index, so every
ingest (a new act with `--source`, a new version, `--force`) finds the vectors of the passages
it has embedded before. Rows are keyed by the model's fingerprint (a hash of its files, see
`Embedder.fingerprint`) and the sha256 of the text, so a changed model or a changed passage is
a miss, never a wrong vector. Entries are content-addressed, so a failed ingest leaves nothing
wrong behind; deleting the file costs only time.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.embed import Embedder

FILE = "embeddings.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL, sha256 TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model, sha256)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    model TEXT NOT NULL, sha256 TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (model, sha256)
) WITHOUT ROWID;
"""


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Encoded:
    vectors: np.ndarray  # float32 [n, dim], unit rows, in the order of the texts
    embedded: int  # texts the model encoded in this call
    cached: int  # texts whose vector came from the cache


class EmbeddingCache:
    """The cache of one model (`embedder`) in `folder`."""

    def __init__(self, folder: Path, embedder: Embedder) -> None:
        self.path = folder / FILE
        self.embedder = embedder
        self.model = embedder.fingerprint
        folder.mkdir(parents=True, exist_ok=True)
        # Two ingests may run at once (a test and a user, two acts' branches): WAL and a wait.
        self.con = sqlite3.connect(self.path, timeout=60)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.executescript(_SCHEMA)
        self._seeded: set[str] = set()

    def close(self) -> None:
        self.con.close()

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> Encoded:
        """Vectors of `texts`, encoding only those not already in the cache (and storing them)."""
        shas = [text_sha(t) for t in texts]
        found = self._vectors(set(shas))
        missing = list(dict.fromkeys(s for s in shas if s not in found))
        if missing:
            first = {s: t for t, s in zip(texts, shas, strict=True)}
            fresh = self.embedder.encode([first[s] for s in missing], batch_size, progress=progress)
            with self.con:
                self.con.executemany(
                    "INSERT OR REPLACE INTO vectors (model, sha256, dim, vector) VALUES (?,?,?,?)",
                    [(self.model, s, v.shape[0], v.tobytes()) for s, v in zip(missing, fresh, strict=True)],
                )
            found.update(zip(missing, fresh, strict=True))
        dim = self.embedder.dim if not texts else len(next(iter(found.values())))
        vectors = np.array([found[s] for s in shas], dtype="float32").reshape(len(texts), dim)
        return Encoded(vectors, embedded=len(missing), cached=len(texts) - len(missing))

    def _vectors(self, shas: set[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for sha, dim, blob in self.con.execute(
            "SELECT sha256, dim, vector FROM vectors WHERE model = ?", (self.model,)
        ):
            if sha in shas:
                vector = np.frombuffer(blob, dtype="float32")
                if vector.shape == (dim,):
                    out[sha] = vector
        return out

    def seed_token_counts(self) -> None:
        """Give the embedder the token counts of every text this cache knows for its model."""
        rows = self.con.execute("SELECT sha256, n FROM tokens WHERE model = ?", (self.model,))
        self.embedder.token_memo.update(dict(rows))
        self._seeded = set(self.embedder.token_memo)

    def save_token_counts(self) -> int:
        """Store the token counts the embedder computed since `seed_token_counts`; how many."""
        seeded = self._seeded
        new = [(self.model, sha, n) for sha, n in self.embedder.token_memo.items() if sha not in seeded]
        with self.con:
            self.con.executemany("INSERT OR REPLACE INTO tokens (model, sha256, n) VALUES (?,?,?)", new)
        self._seeded = set(self.embedder.token_memo)
        return len(new)

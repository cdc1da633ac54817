"""The keyword ranking (BM25) with each act's own statistics, so that adding an act to the index
does not reorder the passages of the acts already there.

SQLite FTS5's bm25() weighs a term by how rare it is in the whole table: with the GDPR added,
"data" and "authority" grow common and the AI Act's own passages change places among
themselves (docs/ranking.md, breadth: most of what the added acts cost the AI Act's questions).
Here each act (an amending act with the act it amends: its text quotes that act) gets its own
in-memory FTS5 table with the index's tokenizer, built once per view from the passages the
index holds; a question's passages are BM25-ranked within each act and merged by score.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping

from kb.index import IndexFiles

# The index's own tokenizer (kb/index.py's passages_fts), so that a term matches as it did.
TOKENIZER = "porter unicode61"


class ActKeywords:
    """BM25 rankings of passages (rows of the index) within each act, merged by score."""

    def __init__(self, con: sqlite3.Connection, tables: list[str]) -> None:
        self._con = con
        self._tables = tables
        self._lock = threading.Lock()  # one in-memory connection, shared by a server's threads

    @classmethod
    def build(cls, files: IndexFiles, act_of: Mapping[str, str]) -> ActKeywords:
        """One FTS5 table per act of the index (`act_of` folds an amending act into the act it
        amends; other acts map to themselves) holding every passage of that act, in all versions."""
        with files.db() as src:
            rows = src.execute("SELECT id, doc, embed_text FROM passages ORDER BY id").fetchall()
        acts = sorted({act_of.get(r["doc"], r["doc"]) for r in rows})
        con = sqlite3.connect(":memory:", check_same_thread=False)
        tables = []
        for i, act in enumerate(acts):
            table = f"act_{i}"
            con.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(embed_text, tokenize='{TOKENIZER}')")
            con.executemany(
                f"INSERT INTO {table}(rowid, embed_text) VALUES (?, ?)",
                [(r["id"], r["embed_text"]) for r in rows if act_of.get(r["doc"], r["doc"]) == act],
            )
            tables.append(table)
        con.commit()
        return cls(con, tables)

    def ranked(self, match: str, limit: int, total: int) -> list[int]:
        """Index rows of the passages matching the FTS5 query `match`, best first: each act's
        first `limit` by BM25 with that act's statistics, merged by score; at most `total`."""
        found: list[tuple[float, int]] = []
        with self._lock:
            for table in self._tables:
                found += [
                    (score, rowid)
                    for rowid, score in self._con.execute(
                        f"SELECT rowid, bm25({table}) AS s FROM {table} WHERE {table} MATCH ?"
                        " ORDER BY s LIMIT ?",
                        (match, limit),
                    )
                ]
        found.sort()  # bm25() is lower for a better match
        return [rowid for _, rowid in found[:total]]

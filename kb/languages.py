"""The acts' language versions an index holds (ingest/language_version.py): for each language,
the passages of the rendition, each the text of one English passage (`passage`, its row in the
index), and their multilingual-e5 vectors (languages.npy). Read once per opened index."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from kb.index import IndexFiles
from kb.multilingual import LANGUAGES_FILE

log = logging.getLogger("regkb.search")


@dataclass(frozen=True)
class LanguageRows:
    """One language's passages: their rows (of language_passages and languages.npy), the English
    passage each renders (index rows) and their vectors, float32 [n, 384]."""

    language: str
    rows: np.ndarray
    passages: np.ndarray
    vectors: np.ndarray


def load(files: IndexFiles, dim: int) -> dict[str, LanguageRows]:
    """The index's language versions by language code; empty when it has none, or when their
    vectors cannot be read (logged: the index then searches as without them)."""
    if not files.manifest.languages:
        return {}
    cached: dict[str, LanguageRows] | None = getattr(files, "_languages", None)
    if cached is not None:
        return cached
    try:
        vectors: np.ndarray = np.load(files.path / LANGUAGES_FILE, allow_pickle=False)
        with files.db() as con:
            rows = con.execute("SELECT id, lang, passage FROM language_passages ORDER BY id").fetchall()
    except (OSError, ValueError) as exc:
        log.warning("the index's language versions cannot be read (%s): rebuild it (kb ingest)", exc)
        return {}
    if vectors.shape != (len(rows), dim):
        log.warning("the index's language versions do not match their vectors: rebuild it (kb ingest)")
        return {}
    ids = np.array([r[0] for r in rows], dtype=int)
    codes = np.array([r[1] for r in rows])
    targets = np.array([r[2] for r in rows], dtype=int)
    out = {
        code: LanguageRows(code, ids[codes == code], targets[codes == code], vectors[ids[codes == code]])
        for code in dict.fromkeys(codes.tolist())
    }
    files._languages = out  # type: ignore[attr-defined]  # shared by every view
    return out


def text(files: IndexFiles, row: int) -> str:
    """The rendition's text of one row of language_passages."""
    with files.db() as con:
        found = con.execute("SELECT text FROM language_passages WHERE id=?", (row,)).fetchone()
    return str(found[0]) if found else ""

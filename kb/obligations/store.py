"""The obligations table of an index: written by ingest, read back for look-ups.

`write` puts one row per obligation into the index's passages.sqlite (table `obligations`,
the item as JSON); `Obligations.of(index_files)` reads them once per loaded index (about
2,000 rows, a few ms) and answers `find` by doc, role, system and version in memory. An index
built before this table existed is read lazily from its units instead (about 1 s per act
version), so it keeps working until the next `kb ingest`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING

from kb.obligations.build import read_act
from kb.obligations.models import AppliesFrom, Limit, Obligation

if TYPE_CHECKING:
    from kb.document import Act
    from kb.index import IndexFiles

TABLE = """
CREATE TABLE IF NOT EXISTS obligations (
    doc TEXT NOT NULL, version TEXT NOT NULL, ord INTEGER NOT NULL,
    role TEXT NOT NULL, system TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS obligations_doc ON obligations(doc, version);
"""


def read_versions(versions: list[tuple[str, Act]]) -> list[Obligation]:
    """Every obligation of every (version id, act) pair: what ingest writes."""
    out: list[Obligation] = []
    for version, act in versions:
        out.extend(read_act(act.id, version, act.units, act.short_name))
    return out


def write(con: sqlite3.Connection, items: list[Obligation]) -> None:
    """Write the obligations table into an open index store (in the caller's transaction)."""
    con.executescript(TABLE)
    con.executemany(
        "INSERT INTO obligations (doc, version, ord, role, system, data) VALUES (?,?,?,?,?,?)",
        [
            (o.doc, o.version, o.ord, o.role, o.system, json.dumps(asdict(o), ensure_ascii=False))
            for o in items
        ],
    )


def from_dict(data: dict) -> Obligation:  # type: ignore[type-arg]
    """An obligation from its row's JSON (`asdict` of `Obligation`)."""
    return Obligation(
        **{
            **data,
            "applies_from": [AppliesFrom(**a) for a in data.get("applies_from", [])],
            "limits": [Limit(**x) for x in data.get("limits", [])],
        }
    )


_CACHE: dict[str, list[Obligation]] = {}
_LOCK = threading.Lock()


def load(files: IndexFiles) -> list[Obligation]:
    """The obligations of an opened index, read once per build folder: from its table, or,
    for an index built before the table existed, from its units (and kept in memory)."""
    key = str(files.path)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        with files.db() as con:
            has_table = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='obligations'"
            ).fetchone()
            if has_table:
                rows = con.execute("SELECT data FROM obligations ORDER BY doc, version, ord").fetchall()
                items = [from_dict(json.loads(r[0])) for r in rows]
            else:
                items = _read_lazily(files)
        _CACHE[key] = items
        return items


def _read_lazily(files: IndexFiles) -> list[Obligation]:
    items: list[Obligation] = []
    for act in files.manifest.acts:
        if act.amends:
            continue  # an amending act's instructions bind no one
        for version in act.versions:
            units = list(files.units(act.id, version.id).values())
            items.extend(read_act(act.id, version.id, units, act.short_name))
    return items

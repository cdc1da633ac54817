"""Passages in the real index: verbatim slices of one unit each, within the model's input."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.embed import Embedder
from kb.index import IndexFiles


@pytest.fixture(scope="module")
def files(index_dir: Path) -> IndexFiles:
    return IndexFiles(index_dir)


def _all_passages(files: IndexFiles):  # type: ignore[no-untyped-def]
    return files.passages(list(range(files.vectors.ntotal)))


def test_every_passage_is_a_verbatim_slice_of_its_unit(files: IndexFiles) -> None:
    passages = _all_passages(files)
    assert len(passages) == files.vectors.ntotal > 1000
    units = {}
    for p in passages.values():
        key = (p.doc, p.unit)
        if key not in units:
            units[key] = files.unit(*key)
        unit = units[key]
        assert unit is not None
        assert unit.text[p.start : p.end] == p.text
        assert 0 <= p.start < p.end <= len(unit.text)


def test_no_passage_exceeds_the_embedders_input(files: IndexFiles, index_dir: Path) -> None:
    embedder = Embedder(files.manifest.model.name)
    passages = list(_all_passages(files).values())
    counts = embedder.token_counts([p.embed_text for p in passages])
    assert max(counts) <= files.manifest.model.max_tokens


def test_a_unit_that_fits_stays_whole(files: IndexFiles) -> None:
    with files.db() as con:
        rows = con.execute(
            "SELECT start, \"end\", pinpoint FROM passages WHERE doc='ai-act' AND unit='art_4'"
        )
        rows = rows.fetchall()
    assert len(rows) == 1
    unit = files.unit("ai-act", "art_4")
    assert unit is not None and (rows[0]["start"], rows[0]["end"]) == (0, len(unit.text))


def test_a_point_keeps_its_lead_in_as_context(files: IndexFiles) -> None:
    with files.db() as con:
        rows = con.execute(
            "SELECT id FROM passages WHERE doc='ai-act' AND unit='art_5' AND text LIKE '%(f) the placing%'"
        ).fetchall()
    passage = files.passages([rows[0]["id"]])[rows[0]["id"]]
    assert passage.context == "The following AI practices shall be prohibited:"
    assert passage.pinpoint.startswith("5(1)(")
    assert "The following AI practices shall be prohibited:" in passage.embed_text
    assert (
        passage.heading == "AI Act › Chapter II Prohibited AI practices › Article 5 Prohibited AI practices"
    )

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
    versions: dict[tuple[str, str], dict] = {}
    for p in passages.values():
        assert p.versions  # every passage belongs to at least one version of its act
        for version in p.versions:
            if (p.doc, version) not in versions:
                versions[(p.doc, version)] = files.units(p.doc, version)
            unit = versions[(p.doc, version)][p.unit]
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
            "SELECT start, \"end\", versions FROM passages WHERE doc='ai-act' AND unit='art_4'"
        )
        rows = rows.fetchall()
    # Article 4 as published, and Article 4 as replaced in 2026: each short enough to stay whole.
    assert [r["versions"] for r in rows] == ["2024-08-01", "2026-07-27"]
    for row in rows:
        unit = files.units("ai-act", row["versions"])["art_4"]
        assert (row["start"], row["end"]) == (0, len(unit.text))


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

"""`kb ingest` on the real acts: the artifact, no-op re-runs, and bad input that loses nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from ingest.pipeline import run
from kb.config import Settings
from kb.errors import IndexIncompatible, IndexMissing
from kb.index import IndexFiles
from tests.helpers import kb, settings_env


def test_the_index_records_what_it_was_built_from(index_dir: Path) -> None:
    manifest = IndexFiles(index_dir).manifest
    assert manifest.model.name == "all-MiniLM-L6-v2" and manifest.model.dim == 384
    acts = {a.id: a for a in manifest.acts}
    assert acts["ai-act"].counts == {
        "recitals": 180,
        "articles": 113,
        "annexes": 13,
        "chapters": 13,
        "passages": acts["ai-act"].counts["passages"],
    }
    assert acts["data-act"].counts["articles"] == 50
    shas = {s.file: s.sha256 for a in manifest.acts for s in a.sources}
    assert shas["ai_act_2024_1689_en.pdf"].startswith("bba63044")
    assert manifest.counts["passages"] == sum(a.counts["passages"] for a in manifest.acts)
    assert acts["ai-act"].oj == "OJ L, 2024/1689, 12.7.2024"


def test_an_unchanged_rerun_does_no_work(index_settings: Settings) -> None:
    before = IndexFiles(index_settings.index_dir).manifest.built_at
    report = run(index_settings)
    assert report.up_to_date
    assert IndexFiles(index_settings.index_dir).manifest.built_at == before


def test_an_index_built_with_another_model_is_refused(index_dir: Path) -> None:
    with pytest.raises(IndexIncompatible, match="kb ingest --force"):
        IndexFiles(index_dir, expected_model="all-mpnet-base-v2")


def test_a_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="kb ingest"):
        IndexFiles(tmp_path / "none")


def test_the_index_folder_is_a_link_to_a_finished_build(index_dir: Path) -> None:
    assert index_dir.is_symlink()
    assert (index_dir.resolve() / "manifest.json").is_file()


def _bad_inputs(tmp: Path, mirror: Path) -> dict[str, Path]:
    corrupt = tmp / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + b"\x00garbage" * 50)
    truncated = tmp / "truncated.html"
    truncated.write_bytes((mirror / "data_act_2023_2854_en.html").read_bytes()[:30000])
    empty = tmp / "empty.html"
    empty.write_bytes(b"")
    unknown = tmp / "notes.txt"
    unknown.write_text("Article 1\nThis is not an act.\n")
    return {
        "corrupt PDF": corrupt,
        "truncated XHTML": truncated,
        "empty file": empty,
        "unknown format": unknown,
    }


def test_bad_input_fails_clearly_and_keeps_the_index(
    index_settings: Settings, tmp_path: Path, mirror: Path
) -> None:
    env = settings_env(index_settings)
    before = IndexFiles(index_settings.index_dir).manifest.built_at
    for problem, path in _bad_inputs(tmp_path, mirror).items():
        result = kb("ingest", "--force", "--source", str(path), env=env)
        assert result.returncode != 0, problem
        assert str(path) in result.stderr, (problem, result.stderr)
        assert "Traceback" not in result.stderr, problem
        assert "previous index" in result.stderr
        assert IndexFiles(index_settings.index_dir).manifest.built_at == before, problem


def test_a_checksum_mismatch_names_the_file_and_both_hashes(
    index_settings: Settings, tmp_path: Path, mirror: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    tampered = cache / "data_act_2023_2854_en.html"
    tampered.write_bytes((mirror / "data_act_2023_2854_en.html").read_bytes() + b"\n")
    env = {**settings_env(index_settings), "KB_CORPUS_CACHE": str(cache)}
    result = kb("ingest", "--force", env=env)
    assert result.returncode != 0
    assert str(tampered) in result.stderr and "da03351a4852" in result.stderr
    IndexFiles(index_settings.index_dir)  # still loads


def test_a_missing_source_says_where_to_put_it(index_settings: Settings, tmp_path: Path) -> None:
    env = {
        **settings_env(index_settings),
        "KB_CORPUS_CACHE": str(tmp_path / "cache"),
        "KB_CORPUS_MIRROR": str(tmp_path / "empty"),
    }
    result = kb("ingest", "--force", env=env)
    assert result.returncode != 0
    assert "ai_act_2024_1689_en.html" in result.stderr and str(tmp_path / "cache") in result.stderr
    IndexFiles(index_settings.index_dir)


def _cut_down_act(mirror: Path, target: Path) -> None:
    """A small act made from the Data Act: ten articles, ten recitals, its own title and number."""
    root = etree.fromstring((mirror / "data_act_2023_2854_en.html").read_bytes(), etree.HTMLParser())
    for el in root.xpath('//div[starts-with(@id,"art_") or starts-with(@id,"rct_")]'):
        num = el.get("id").split("_")[1]
        if num.isdigit() and int(num) > 10:
            el.getparent().remove(el)
    html = etree.tostring(root, method="html", encoding="unicode")
    html = html.replace("REGULATION (EU) 2023/2854", "REGULATION (EU) 2099/7").replace(
        "(Data Act)", "(Sample Data Act)"
    )
    target.write_text(html, encoding="utf-8")


def test_any_act_given_as_a_file_is_identified_from_its_title(tmp_path: Path, mirror: Path) -> None:
    source = tmp_path / "sample.html"
    _cut_down_act(mirror, source)
    manifest = tmp_path / "sources.toml"
    manifest.write_text("# no acts of its own\n")
    env = {
        "KB_INDEX_DIR": str(tmp_path / "index"),
        "KB_SOURCES": str(manifest),
        "KB_DOWNLOAD": "0",
        "KB_MULTILINGUAL": "0",
    }
    result = kb("ingest", "--source", str(source), "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(a["id"], a["short_name"], a["articles"]) for a in report["acts"]] == [
        ("sample-data-act", "Sample Data Act", 10)
    ]
    files = IndexFiles(tmp_path / "index")
    assert files.manifest.acts[0].celex == "32099R0007"
    [version] = files.manifest.acts[0].versions
    assert version.in_force == "2023-12-13"  # the date in its title
    assert "art_10" in files.units("sample-data-act", version.id)
    shutil.rmtree(tmp_path / "index", ignore_errors=True)

"""Resolving source files: cache, then mirror, then download; the checksum always decides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.sources import ChecksumMismatch, SourceMissing, load_manifest, resolve, sha256_of

ROOT = Path(__file__).resolve().parent.parent


def _ai_act_xhtml():  # type: ignore[no-untyped-def]
    act = next(a for a in load_manifest(ROOT / "corpus" / "sources.toml") if a.id == "ai-act")
    return act.rendition("xhtml")


def test_manifest_lists_both_acts_with_their_official_facts() -> None:
    acts = {a.id: a for a in load_manifest(ROOT / "corpus" / "sources.toml")}
    assert set(acts) == {"ai-act", "data-act", "ai-act-amendment-2026-1744"}
    amending = acts["ai-act-amendment-2026-1744"]
    assert (amending.amends, amending.in_force, amending.primary) == ("ai-act", "2026-07-27", "formex")
    assert "not from the official files" in amending.unofficial
    assert acts["ai-act"].celex == "32024R1689"
    assert acts["data-act"].short_name == "Data Act"
    assert {r.format for r in acts["ai-act"].renditions} == {"xhtml", "pdf"}


def test_the_mirror_is_used_when_the_cache_is_empty(tmp_path: Path, mirror: Path) -> None:
    found = resolve(_ai_act_xhtml(), tmp_path / "cache", mirror, download=False)
    assert found == mirror / "ai_act_2024_1689_en.html"


def test_the_cache_comes_first(tmp_path: Path, mirror: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(mirror / "ai_act_2024_1689_en.html", cache)
    assert resolve(_ai_act_xhtml(), cache, mirror, download=False) == cache / "ai_act_2024_1689_en.html"


def test_a_file_with_the_wrong_checksum_is_refused(tmp_path: Path, mirror: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    tampered = cache / "ai_act_2024_1689_en.html"
    tampered.write_bytes(
        (mirror / "ai_act_2024_1689_en.html").read_bytes().replace(b"Article", b"Articel", 1)
    )
    with pytest.raises(ChecksumMismatch) as err:
        resolve(_ai_act_xhtml(), cache, mirror, download=False)
    message = str(err.value)
    assert str(tampered) in message
    assert _ai_act_xhtml().sha256 in message and sha256_of(tampered) in message


def test_a_missing_file_says_where_to_put_it(tmp_path: Path) -> None:
    with pytest.raises(SourceMissing) as err:
        resolve(_ai_act_xhtml(), tmp_path / "cache", tmp_path / "nowhere", download=False)
    message = str(err.value)
    assert "ai_act_2024_1689_en.html" in message
    assert str(tmp_path / "cache") in message
    assert "eur-lex.europa.eu" in message

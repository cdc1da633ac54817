"""A small real index for the hostile tests: the Data Act alone, from the corpus manifest's own
entry, built with the real model (its vectors mostly come from the embedding cache)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomlkit

from kb.config import Settings
from tests.conftest import ROOT, make_settings


@pytest.fixture(scope="session")
def small_index(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from ingest.pipeline import run

    folder = tmp_path_factory.mktemp("hostile-kb")
    manifest = tomllib.loads((ROOT / "corpus" / "sources.toml").read_text(encoding="utf-8"))
    doc = tomlkit.document()
    doc["act"] = [a for a in manifest["act"] if a["id"] == "data-act"]
    (folder / "sources.toml").write_text(tomlkit.dumps(doc), encoding="utf-8")
    settings = make_settings(folder / "index", sources=folder / "sources.toml")
    run(settings)
    return settings

"""The ONNX Runtime encoder against torch on the real model, its cached export, and the
embedding cache that keeps ingest from embedding a passage twice."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import run
from kb.config import Settings
from kb.document import Act
from kb.embed import Embedder
from kb.onnx_encoder import (
    EXPORT_FILE,
    ONNX_FILE,
    TOKENIZER_FILE,
    OnnxEncoder,
    StaleExport,
    load_or_export,
    model_fingerprint,
    sha256_file,
)
from tests.conftest import ROOT, make_settings

MODEL = "all-MiniLM-L6-v2"
GDPR = "gdpr_2016_679_en_oj.xhtml"


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache of this module's own, so that the export is made here, not found."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_embedder(model_cache: Path) -> Embedder:
    embedder = Embedder(MODEL, backend="onnx", model_cache=model_cache, threads=1)
    embedder.load()
    assert embedder.backend == "onnx"
    return embedder


@pytest.fixture(scope="module")
def torch_embedder(model_cache: Path) -> Embedder:
    return Embedder(MODEL, backend="torch", model_cache=model_cache)


def _export_folder(embedder: Embedder) -> Path:
    assert embedder.onnx is not None
    return embedder.onnx.folder


def test_onnx_gives_torchs_vectors_on_the_acts(
    onnx_embedder: Embedder, torch_embedder: Embedder, ai_act_xhtml: Act
) -> None:
    texts = [u.text for u in ai_act_xhtml.units[::12]] + ["Can we use emotion recognition on our staff?"]
    ours = onnx_embedder.encode(texts)
    theirs = torch_embedder.encode(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.9999, f"worst passage agrees to {cosines.min():.6f}"
    # One question at a time (no padding) gives the same vectors as a batch.
    single = np.vstack([onnx_embedder.encode([t]) for t in texts[:5]])
    assert np.sum(single * ours[:5], axis=1).min() >= 0.9999
    assert onnx_embedder.token_counts(texts) == torch_embedder.token_counts(texts)
    assert (onnx_embedder.dim, onnx_embedder.max_tokens) == (torch_embedder.dim, torch_embedder.max_tokens)


def test_the_export_records_what_it_was_made_from(onnx_embedder: Embedder, model_cache: Path) -> None:
    folder = _export_folder(onnx_embedder)
    meta = json.loads((folder / EXPORT_FILE).read_text())
    assert folder.parent == model_cache
    assert meta["model_sha256"] == onnx_embedder.fingerprint
    assert folder.name.endswith(onnx_embedder.fingerprint[:16])
    assert meta["min_cosine"] >= 0.9999
    assert (meta["dim"], meta["max_tokens"], meta["opset"]) == (384, 256, 17)


def _copy_export(embedder: Embedder, tmp_path: Path) -> Path:
    copy = tmp_path / _export_folder(embedder).name
    shutil.copytree(_export_folder(embedder), copy)
    return copy


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda f: f.joinpath(ONNX_FILE).write_bytes(f.joinpath(ONNX_FILE).read_bytes()[:-1000]), "sha256"),
        (lambda f: f.joinpath(TOKENIZER_FILE).write_text("{}"), "sha256"),
        (lambda f: f.joinpath(EXPORT_FILE).unlink(), "unfinished"),
        (lambda f: f.joinpath(EXPORT_FILE).write_text("{not json"), "unreadable"),
    ],
    ids=["truncated graph", "other tokenizer", "no record", "garbled record"],
)
def test_a_damaged_export_is_refused(onnx_embedder: Embedder, tmp_path: Path, damage, reason: str) -> None:  # type: ignore[no-untyped-def]
    folder = _copy_export(onnx_embedder, tmp_path)
    OnnxEncoder(folder, onnx_embedder.fingerprint, 1)  # the intact copy loads
    damage(folder)
    with pytest.raises(StaleExport, match=reason):
        OnnxEncoder(folder, onnx_embedder.fingerprint, 1)


def test_an_export_of_other_model_files_is_refused(onnx_embedder: Embedder, tmp_path: Path) -> None:
    folder = _copy_export(onnx_embedder, tmp_path)
    with pytest.raises(StaleExport, match="other model files"):
        OnnxEncoder(folder, "0" * 64, 1)
    # The model's fingerprint follows its files: one changed byte of configuration is another model.
    model = tmp_path / "model"
    shutil.copytree(Path(onnx_embedder.path), model)
    before = model_fingerprint(model, tmp_path / "stamps.json")
    config = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps({**config, "layer_norm_eps": 1e-6}))
    assert model_fingerprint(model, tmp_path / "stamps.json") != before


def test_a_corrupt_cached_export_is_rebuilt_not_used(
    onnx_embedder: Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "models"
    cache.mkdir()
    folder = cache / _export_folder(onnx_embedder).name
    shutil.copytree(_export_folder(onnx_embedder), folder)
    graph = bytearray((folder / ONNX_FILE).read_bytes())
    graph[len(graph) // 2 : len(graph) // 2 + 64] = bytes(64)  # same size, weights zeroed
    (folder / ONNX_FILE).write_bytes(bytes(graph))
    with caplog.at_level(logging.WARNING, logger="regkb.embed"):
        encoder = load_or_export(MODEL, Path(onnx_embedder.path), cache, 1)
    assert "does not match its sha256" in caplog.text
    meta = json.loads((folder / EXPORT_FILE).read_text())
    assert (folder / ONNX_FILE).read_bytes() != bytes(graph)
    assert meta["onnx_sha256"] == sha256_file(folder / ONNX_FILE)
    question = ["What must a provider do before placing a high-risk AI system on the market?"]
    assert float(encoder.encode(question)[0] @ onnx_embedder.encode(question)[0]) >= 0.9999


def test_auto_falls_back_to_torch_when_there_is_nothing_to_export(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A model named but not on disk (a hub id, offline) cannot be exported: auto says so and uses torch.
    embedder = Embedder("no-such-org/no-such-model", backend="auto", model_cache=tmp_path, threads=1)
    with caplog.at_level(logging.WARNING, logger="regkb.embed"):
        assert embedder.onnx is None
    assert "embedding with torch instead of ONNX Runtime" in caplog.text
    assert embedder.backend == "torch"


def test_serving_needs_no_torch_once_the_export_is_cached(
    onnx_embedder: Embedder, model_cache: Path, index_settings: Settings
) -> None:
    script = (
        "import sys\n"
        "from kb.knowledge import KnowledgeBase\n"
        "kb = KnowledgeBase.open()\n"
        "hits = kb.search('Can we use emotion recognition on our staff?').hits\n"
        "answer = kb.ask('What is a deployer?')\n"
        "print(kb.embedder.backend, 'torch' in sys.modules, 'transformers' in sys.modules, hits[0].label)\n"
    )
    env = {
        "KB_INDEX_DIR": str(index_settings.index_dir),
        "KB_MODEL_CACHE": str(model_cache),
        "KB_EMBED_BACKEND": "onnx",
        "PATH": str(Path(sys.executable).parent),
        "HF_HUB_OFFLINE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    backend, torch_loaded, transformers_loaded, label = done.stdout.split(maxsplit=3)
    assert (backend, torch_loaded, transformers_loaded) == ("onnx", "False", "False")
    assert "Article" in label


def _embed_texts(index_dir: Path) -> set[str]:
    con = sqlite3.connect(index_dir / "passages.sqlite")
    try:
        return {row[0] for row in con.execute("SELECT embed_text FROM passages")}
    finally:
        con.close()


def test_only_new_passages_are_embedded(
    onnx_embedder: Embedder, model_cache: Path, mirror: Path, tmp_path: Path
) -> None:
    def settings(name: str) -> Settings:
        return make_settings(
            tmp_path / name / "index",
            model_cache=model_cache,
            embed_cache=tmp_path / "embeddings",
            embed_backend="onnx",
        )

    first = run(settings("three"))
    three = _embed_texts(settings("three").index_dir)
    assert first.embedded == len(three) and first.backend == "onnx"
    assert first.embedded + first.embeddings_cached == first.passages

    # The same acts rebuilt from nothing (another index, --force): every vector is known.
    again = run(settings("three"), force=True)
    assert (again.embedded, again.passages) == (0, first.passages)

    # One act more: only its passages are embedded.
    added = run(settings("four"), extra_sources=[mirror / "other" / GDPR])
    four = _embed_texts(settings("four").index_dir)
    gdpr = next(a for a in added.acts if a.short_name == "GDPR")
    assert added.passages == first.passages + gdpr.passages
    assert added.embedded == len(four - three) > 0
    assert gdpr.passages - added.embedded <= gdpr.passages // 50  # a few repeated texts at most

"""A damaged index fails loud: at load, in the CLI (exit 3), over HTTP (503 with the reason and
the command), on reload (the index before is kept, 409), and the reload watcher lives on."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from api.holder import Holder
from kb.config import Settings
from kb.errors import IndexIncompatible
from kb.index import MANIFEST, STORE, VECTORS, IndexFiles, new_build_dir, publish, remove_unfinished
from tests.helpers import kb, settings_env
from tests.process import Server


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _forget_checks(build: Path) -> None:
    """A build from before the manifest recorded its files: only the probes can tell."""
    manifest = json.loads((build / MANIFEST).read_text())
    manifest.pop("files", None)
    (build / MANIFEST).write_text(json.dumps(manifest))


DAMAGE: dict[str, tuple[str, Callable[[Path], None], bool]] = {
    "vectors truncated": (VECTORS, _truncate, False),
    "vectors garbage": (VECTORS, _garbage, False),
    "store truncated": (STORE, _truncate, False),
    "store garbage": (STORE, _garbage, False),
    "old build, vectors garbage": (VECTORS, _garbage, True),
    "old build, store garbage": (STORE, _garbage, True),
}


def _damaged_copy(settings: Settings, where: Path, damage: str) -> Path:
    name, spoil, old = DAMAGE[damage]
    build = where / "build"
    shutil.copytree(settings.index_dir.resolve(), build)
    spoil(build / name)
    if old:
        _forget_checks(build)
    return build


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_index_is_refused_at_load_naming_the_file(
    small_index: Settings, tmp_path: Path, damage: str
) -> None:
    build = _damaged_copy(small_index, tmp_path, damage)
    with pytest.raises(IndexIncompatible) as err:
        IndexFiles(build)
    message = str(err.value)
    assert DAMAGE[damage][0] in message and "kb ingest --force" in message, message
    assert "\n" not in message


def test_the_manifest_records_each_file(small_index: Settings) -> None:
    manifest = IndexFiles(small_index.index_dir).manifest
    for name in (VECTORS, STORE):
        assert manifest.files[name].size == (small_index.index_dir / name).stat().st_size
        assert len(manifest.files[name].sha256) == 64


def test_the_cli_exits_3_with_one_line(small_index: Settings, tmp_path: Path) -> None:
    build = _damaged_copy(small_index, tmp_path, "store garbage")
    result = kb("search", "data holder", env={**settings_env(small_index), "KB_INDEX_DIR": str(build)})
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("Error: ") and "kb ingest --force" in result.stderr
    assert "Traceback" not in result.stderr and "DatabaseError" not in result.stderr


def _publish_copy(settings: Settings, index_dir: Path, spoil: Callable[[Path], None] | None = None) -> Path:
    build = new_build_dir(index_dir)
    shutil.copytree(settings.index_dir.resolve(), build)
    if spoil:
        spoil(build / VECTORS)
    publish(build, index_dir)
    return build


def test_the_watcher_keeps_the_old_index_and_survives_a_damaged_build(
    small_index: Settings, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    _publish_copy(small_index, index_dir)
    holder = Holder(small_index.model_copy(update={"index_dir": index_dir, "reload_interval": 0.1}))
    holder.start()
    try:
        assert holder.wait(120) and holder.loaded
        first = holder.kb.files.path
        _publish_copy(small_index, index_dir, _garbage)
        time.sleep(0.2)  # builds are named by the time they start
        deadline = time.monotonic() + 30
        while holder.error is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert holder.error and "damaged" in holder.error
        assert holder.kb.files.path == first  # still serving the old one
        good = _publish_copy(small_index, index_dir)
        while holder.kb.files.path != good and time.monotonic() < deadline + 60:
            time.sleep(0.1)
        assert holder.kb.files.path == good and holder.error is None
    finally:
        holder.stop()


def test_unfinished_builds_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    killed = tmp_path / ".index.build-20260101T000000000000-999999999"
    killed.mkdir()
    (killed / "passages.sqlite-journal").write_bytes(b"x")
    old_style = tmp_path / ".index.build-20250101T000000000000"
    old_style.mkdir()
    writing = new_build_dir(index_dir)  # this process: alive
    writing.mkdir()
    assert sorted(remove_unfinished(index_dir)) == sorted([killed, old_style])
    assert writing.exists() and not killed.exists()


@pytest.fixture(scope="module")
def served(small_index: Settings, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("served")
    index_dir = folder / "index"
    _publish_copy(small_index, index_dir)
    env = {**settings_env(small_index), "KB_INDEX_DIR": str(index_dir), "KB_RELOAD_INTERVAL": "0"}
    server = Server(env, folder / "serve.log")
    server.wait_ready()
    yield server, index_dir
    server.stop()


def test_reload_of_a_damaged_build_keeps_the_old_index_with_409(served, small_index: Settings) -> None:  # type: ignore[no-untyped-def]
    server, index_dir = served
    _publish_copy(small_index, index_dir, _truncate)
    r = httpx.post(f"{server.url}/v1/admin/reload", timeout=60)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "damaged" in r.json()["detail"] and "kb ingest --force" in r.json()["detail"]
    assert httpx.post(f"{server.url}/v1/search", json={"query": "data holder"}, timeout=60).status_code == 200
    _publish_copy(small_index, index_dir)
    assert httpx.post(f"{server.url}/v1/admin/reload", timeout=60).status_code == 200


def test_a_server_started_on_a_damaged_index_says_why(small_index: Settings, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    _publish_copy(small_index, index_dir, _garbage)
    server = Server({**settings_env(small_index), "KB_INDEX_DIR": str(index_dir)}, tmp_path / "serve.log")
    try:
        server.wait_up()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = httpx.post(f"{server.url}/v1/search", json={"query": "data holder"}, timeout=30)
            if "still loading" not in r.text:
                break
            time.sleep(0.3)
        assert r.status_code == 503, r.text
        assert "damaged" in r.json()["detail"] and "kb ingest --force" in r.json()["detail"]
        reload = httpx.post(f"{server.url}/v1/admin/reload", timeout=60)
        assert reload.status_code == 503 and reload.headers["content-type"] == "application/problem+json"
    finally:
        server.stop()

"""Hostile files given to `kb ingest --source`: bombs, traversal, links, devices, FIFOs.

Each file is made here; each must be refused with one line naming the limit or the fault,
before more than the limit is read, and leave nothing behind in the temporary folder."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

import pytest

from ingest import added
from ingest.errors import IngestError
from ingest.files import ReadLimits, sniff, unpacked
from tests.conftest import MIRROR
from tests.helpers import kb

SMALL = ReadLimits(file_bytes=1 << 20, expanded_bytes=2 << 20)
AI_ACT_ZIP = MIRROR / "ai_act_2024_1689_en_formex.zip"


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of the test's own, so what an ingest leaves there can be seen."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _refused(paths: list[Path], says: str, limits: ReadLimits = SMALL) -> str:
    with pytest.raises(IngestError) as err:
        added.read(paths, limits=limits)
    message = str(err.value)
    assert says in message, message
    assert "\n" not in message
    return message


def test_a_zip_bomb_is_refused_from_its_declared_size(tmp_path: Path, private_tmp: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"a.fmx.xml": b"<ACT>" + b"0" * (3 << 20)})
    assert bomb.stat().st_size < 20_000  # 3 MiB in a few KiB
    message = _refused([bomb], "KB_MAX_SOURCE_BYTES")
    assert "1,048,576" in message
    assert list(private_tmp.iterdir()) == []


def test_members_under_the_file_limit_are_refused_by_the_total(tmp_path: Path, private_tmp: Path) -> None:
    members = {f"m{n}.fmx.xml": b"<ACT>" + b"0" * (900 << 10) for n in range(4)}
    _refused([_zip(tmp_path / "wide.zip", members)], "KB_MAX_EXPANDED_BYTES")
    assert list(private_tmp.iterdir()) == []


def _lie_about_size(path: Path, declared: int) -> None:
    """Rewrite every size a zip declares for its member (local header and central directory)."""
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        struct.pack_into("<I", data, at + offset, declared)
    path.write_bytes(bytes(data))


def test_a_member_that_lies_about_its_size_is_stopped_as_read(tmp_path: Path, private_tmp: Path) -> None:
    liar = _zip(tmp_path / "liar.zip", {"a.fmx.xml": b"<ACT>" + b"0" * (3 << 20)})
    _lie_about_size(liar, 100)
    with pytest.raises(IngestError) as err:
        added.read([liar], limits=SMALL)
    assert "\n" not in str(err.value)
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["../escape.fmx.xml", "/abs.fmx.xml", "a/../../escape.fmx.xml", "C:/x.fmx.xml", "..\\x.xml"]
)
def test_members_pointing_outside_are_refused_before_any_extraction(
    tmp_path: Path, private_tmp: Path, name: str
) -> None:
    z = _zip(tmp_path / "trav.zip", {"ok.fmx.xml": b"<ACT/>", name: b"<ACT/>"})
    _refused([z], "points outside the package")
    assert not (tmp_path / "escape.fmx.xml").exists()
    assert list(private_tmp.iterdir()) == []


def test_a_symbolic_link_member_is_refused(tmp_path: Path, private_tmp: Path) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as z:
        info = zipfile.ZipInfo("act.fmx.xml")
        info.external_attr = (0o120777) << 16
        z.writestr(info, "/etc/passwd")
    _refused([path], "symbolic link")


def test_devices_and_fifos_are_refused_without_reading(tmp_path: Path) -> None:
    _refused([Path("/dev/zero")], "not a regular file")
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    _refused([fifo], "not a regular file")  # a read would block forever


def test_a_large_plain_file_is_refused_from_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.truncate(5 << 20)  # sparse: no disk used
    _refused([big], "KB_MAX_SOURCE_BYTES")


def test_sniff_reads_only_the_head(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(1 << 30)  # 1 GiB, sparse: a whole read would take seconds and the memory
    assert sniff(big) == "pdf"


def test_the_real_package_unpacks_privately_and_is_removed(private_tmp: Path) -> None:
    with unpacked([AI_ACT_ZIP], ReadLimits()) as found:
        [folder] = list(private_tmp.iterdir())
        assert folder.name.startswith("kb-package-")
        assert folder.stat().st_mode & 0o777 == 0o700
        assert len(found.files) == 16
        assert all(str(found.shown(p)).startswith(f"{AI_ACT_ZIP}:") for p, _ in found.files)
    assert list(private_tmp.iterdir()) == []


def test_the_package_zip_read_names_its_members_by_the_zip(private_tmp: Path) -> None:
    [act] = added.read([AI_ACT_ZIP])
    assert act.source.celex == "32024R1689"
    assert all(f"{AI_ACT_ZIP}:" in r.file for r in act.source.renditions)
    assert list(private_tmp.iterdir()) == []


def test_kb_ingest_refuses_a_bomb_in_one_line_and_leaves_tmp_empty(tmp_path: Path, private_tmp: Path) -> None:
    # 48 MiB of zeros in 48 KiB, under the default limits: refused before a byte is extracted.
    bomb = _zip(tmp_path / "bomb.zip", {f"m{n}.fmx.xml": b"0" * (24 << 20) for n in range(2)})
    env = {
        "TMPDIR": str(private_tmp),
        "KB_INDEX_DIR": str(tmp_path / "index"),
        "KB_LOCAL_SOURCES": str(tmp_path / "local.toml"),
        "KB_CORPUS_CACHE": str(tmp_path / "cache"),
        "KB_DOWNLOAD": "0",
        "KB_MULTILINGUAL": "0",
        "KB_MAX_EXPANDED_BYTES": str(32 << 20),
    }
    result = kb("ingest", "--source", str(bomb), env=env, timeout=120)
    assert result.returncode != 0
    # Progress goes to stderr too ("Checking the sources …"); the error is one line of its own.
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert "KB_MAX_EXPANDED_BYTES" in error, result.stderr
    assert "Traceback" not in result.stderr
    assert list(private_tmp.iterdir()) == []
    assert not (tmp_path / "index").exists()


def test_kb_remove_finds_an_added_act_by_one_of_its_names(tmp_path: Path) -> None:
    from ingest.added import load_local, remove_local

    local = tmp_path / "local.toml"
    local.write_text(
        '[[act]]\nid = "gdpr"\naliases = ["DSGVO"]\n[[act.file]]\npath = "/x/gdpr.xml"\nsha256 = ""\n'
        '[[act]]\nid = "nis2"\naliases = []\n[[act.file]]\npath = "/x/nis2.xml"\nsha256 = ""\n',
        encoding="utf-8",
    )
    names = {"gdpr": ["GDPR", "General Data Protection Regulation"], "nis2": ["NIS 2 Directive"]}
    assert remove_local(local, "general data  protection regulation", names).id == "gdpr"
    assert remove_local(local, "nis 2 directive", names).id == "nis2"
    assert load_local(local) == []
    with pytest.raises(IngestError, match="not an added act"):
        remove_local(local, "dsgvo", names)

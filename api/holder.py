"""The loaded knowledge base, loaded in the background at start-up and swapped for a new one
when `kb ingest` publishes a new index.

The index folder is a link that ingest swaps atomically, so a new index shows as a new link
target. A watcher notices it (every KB_RELOAD_INTERVAL seconds), loads the new build beside
the old one, and swaps the reference; a request in flight keeps the one it started with.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from kb.config import Settings
from kb.errors import IndexMissing, KBError
from kb.knowledge import KnowledgeBase

log = logging.getLogger("regkb.api")


class Holder:
    def __init__(self, config: Settings) -> None:
        self.config = config
        self._kb: KnowledgeBase | None = None
        self._target: str | None = None
        self._error: str | None = "The index is still loading."
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._tried = threading.Event()  # set once the first load has succeeded or failed

    @property
    def kb(self) -> KnowledgeBase:
        kb = self._kb
        if kb is None:
            raise IndexMissing(self.config.index_dir, self._error or "The index is still loading.")
        return kb

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def loaded(self) -> bool:
        """Whether an index is being served (a failed reload keeps the one before)."""
        return self._kb is not None

    def wait(self, timeout: float) -> bool:
        """Block until the first load has finished, loaded or failed, or `timeout` seconds have
        passed; True if it finished."""
        return self._tried.wait(timeout)

    def start(self) -> None:
        threading.Thread(target=self._run, name="regkb-index", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        try:
            self.reload()
        finally:
            self._tried.set()
        interval = self.config.reload_interval
        while interval > 0 and not self._stop.wait(interval):
            # The watcher must outlive any failure, or later good builds would never be loaded.
            try:
                if self._current_target() != self._target:
                    self.reload()
            except Exception:
                log.exception("index watcher: checking for a new index failed; trying again")

    def _current_target(self) -> str | None:
        path = self.config.index_dir
        return os.path.realpath(path) if path.exists() else None

    def reload(self) -> bool:
        """Load the index the link points at now; keep serving the old one if that fails."""
        with self._lock:
            target = self._current_target()
            try:
                # The one way to build it (KB_VERSION included), keeping the loaded model.
                old = self._kb.embedder if self._kb is not None else None
                kb = KnowledgeBase.from_settings(
                    self.config, Path(target or self.config.index_dir), embedder=old
                )
            except Exception as exc:
                self._error = str(exc) if isinstance(exc, KBError) else _unexpected(target, exc)
                log.warning("index not loaded: %s", self._error)
                self._target = target
                return False
            self._kb, self._target, self._error = kb, target, None
            log.info("index loaded: %s (%s passages)", target, kb.manifest.counts.get("passages"))
            return True


def _unexpected(target: str | None, exc: Exception) -> str:
    """One line for a failure that is not one of ours (a library's error on a damaged file)."""
    first = (str(exc).strip().splitlines() or [""])[-1][:200]
    return (
        f"The index at {target} cannot be used: {exc.__class__.__name__}: {first}. "
        "Rebuild it with: kb ingest --force"
    )

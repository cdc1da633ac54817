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
from kb.embed import Embedder
from kb.errors import IndexMissing, KBError
from kb.generate import Writer
from kb.index import IndexFiles
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
            if self._current_target() != self._target:
                self.reload()

    def _current_target(self) -> str | None:
        path = self.config.index_dir
        return os.path.realpath(path) if path.exists() else None

    def reload(self) -> bool:
        """Load the index the link points at now; keep serving the old one if that fails."""
        with self._lock:
            target = self._current_target()
            try:
                files = IndexFiles(
                    Path(target or self.config.index_dir), expected_model=self.config.embed_model
                )
                old = self._kb
                same_model = old is not None and old.embedder.name == files.manifest.model.name
                name = files.manifest.model.name
                embedder = old.embedder if same_model else Embedder.from_settings(self.config, name)
                kb = KnowledgeBase(files, embedder, writer=Writer.from_settings(self.config))
                # The model is loaded (or exported) now, in the background, not on the first question.
                log.info("embedding with %s", embedder.backend)
            except KBError as exc:
                self._error = str(exc)
                log.warning("index not loaded: %s", exc)
                self._target = target
                return False
            self._kb, self._target, self._error = kb, target, None
            log.info("index loaded: %s (%s passages)", target, files.manifest.counts.get("passages"))
            return True

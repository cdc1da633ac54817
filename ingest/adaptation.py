"""The adaptation of a build (kb/adapt/): the pairs the indexed acts hold, their vectors (from the
embedding cache where known) and the adapter learned on them, written beside the index. Every
act of the build gets the same, an added one included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ingest.versions import Version
from kb.adapt import ADAPTATION_FILE, Adaptation, build
from kb.config import Settings
from kb.document import Passage, Unit
from kb.embed import Embedder
from kb.embed_cache import EmbeddingCache


def adapt(
    settings: Settings,
    embedder: Embedder,
    chains: dict[str, list[Version]],
    passages: list[Passage],
    vectors: np.ndarray,
    say: Callable[[str], None],
) -> Adaptation | None:
    """The build's adaptation: pairs from every version of every act (`chains`), embedded with
    the index's model through the embedding cache (KB_EMBED_CACHE), the adapter trained on the
    passages' `vectors` (float32 [len(passages), d]) or read from the cache's adapters folder.
    None when KB_ADAPTATION is off (the default: no ranking rule uses it yet)."""
    if not settings.adaptation:
        return None
    cache_dir = settings.embed_cache
    units: dict[tuple[str, str], Unit] = {}
    for doc, chain in chains.items():
        for version in chain:
            for unit in version.act.units:
                units.setdefault((doc, unit.id), unit)
    say("Adapting the encoder to the acts (citing sentences, titles, terms, recitals)")
    cache = EmbeddingCache(cache_dir, embedder)
    try:
        return build(
            units,
            lambda texts: cache.encode(texts).vectors,
            vectors,
            [(p.doc, p.unit) for p in passages],
            cache_dir / "adapters",
        )
    finally:
        cache.close()


def write(build_dir: Path, adaptation: Adaptation | None) -> None:
    """Write the adaptation into a build folder (before it is published); nothing when None."""
    if adaptation is None:
        return
    adaptation.save(build_dir / ADAPTATION_FILE)

"""The adaptation in the hybrid ranking (kb/search/hybrid.py): the views' ranking of units and
the adapted question vector. Both are off for an index without an adaptation file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from kb.adapt import Adaptation, adapter, load
from kb.index import IndexFiles


@dataclass
class Views:
    """The views of one view's units: vectors (float32 [m, d]), the unit position of each in the
    view (int [m]) and its pair kind (str [m])."""

    vectors: np.ndarray
    unit: np.ndarray
    kind: np.ndarray


def adaptation(files: IndexFiles) -> Adaptation | None:
    """The index's adaptation, read once per index and shared by every version's view."""
    if not hasattr(files, "_adaptation"):
        files._adaptation = load(files.path)  # type: ignore[attr-defined]
    found: Adaptation | None = files._adaptation  # type: ignore[attr-defined]
    return found


def views_of(found: Adaptation | None, unit_position: Mapping[tuple[str, str], int]) -> Views | None:
    """The views of the units in `unit_position` ((act id, unit id) -> position), or None."""
    if found is None or not len(found.view_vectors):
        return None
    keys = zip(found.view_doc.tolist(), found.view_unit.tolist(), strict=True)
    positions = np.array([unit_position.get(k, -1) for k in keys], dtype=int)
    keep = positions >= 0
    return Views(found.view_vectors[keep], positions[keep], found.view_kind[keep])


def view_ranking(views: Views, vector: np.ndarray, kinds: tuple[str, ...], units: int) -> np.ndarray:
    """Unit positions (int [≤ units]) ranked by their best view's cosine similarity to `vector`,
    only units with a view of one of `kinds`; best first."""
    chosen = np.isin(views.kind, kinds)
    best = np.full(units, -np.inf, dtype="float32")
    np.maximum.at(best, views.unit[chosen], views.vectors[chosen] @ vector)
    order: np.ndarray = np.argsort(-best, kind="stable")
    ranked: np.ndarray = order[np.isfinite(best[order])]
    return ranked


def adapted(found: Adaptation | None, vector: np.ndarray) -> np.ndarray:
    """The question vector through the index's adapter (unchanged without one)."""
    if found is None or found.adapter is None:
        return vector
    return adapter.apply(found.adapter, vector)

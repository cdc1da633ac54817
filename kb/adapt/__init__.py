"""The encoder adapted to the law from the acts themselves (issue 23): pairs of a text and the
provision it is about, read from the acts in the index (kb/adapt/pairs.py), used two ways:

- as document expansion: each pair's text is an extra view of its unit, embedded once; the
  views' own dense ranking of units is fused like the titles' ranking (`Rules.views`);
- as a query-side adapter: a linear map on the question's vector learned on the pairs
  (kb/adapt/adapter.py; `Rules.adapter`).

`kb ingest` builds both from whatever acts it indexes (ingest/adaptation.py) and writes them beside
the index (ADAPTATION_FILE); an index without the file searches as before. The build is
deterministic and cached by a hash of its inputs (the pairs, the passage vectors, the
adapter's settings), so an unchanged corpus costs a file read."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.adapt import adapter
from kb.adapt.pairs import KINDS, Pair, pairs_of
from kb.document import Unit

log = logging.getLogger("regkb.adapt")

ADAPTATION_FILE = "adaptation.npz"
# The kinds of pairs the adapter learns from and the views expand units with; docs/ranking.md
# ("Adaptation") has the ablation that chose them.
ADAPTER_KINDS: tuple[str, ...] = KINDS
VIEW_KINDS: tuple[str, ...] = ("citing", "recital")

__all__ = ["ADAPTATION_FILE", "Adaptation", "build", "load"]


@dataclass
class Adaptation:
    """The views (float32 [m, d] unit rows; the act id, unit id, pair kind and text of each) and
    the adapter (float32 [d, d]; None when it was not built)."""

    view_vectors: np.ndarray
    view_doc: np.ndarray  # str [m]
    view_unit: np.ndarray  # str [m]
    view_kind: np.ndarray  # str [m]
    view_text: np.ndarray  # str [m]
    adapter: np.ndarray | None

    def save(self, path: Path) -> None:
        """Write to `path` (a .npz without pickles)."""
        arrays: dict[str, np.ndarray] = {
            "view_vectors": self.view_vectors,
            "view_doc": self.view_doc.astype(str),
            "view_unit": self.view_unit.astype(str),
            "view_kind": self.view_kind.astype(str),
            "view_text": self.view_text.astype(str),
        }
        if self.adapter is not None:
            arrays["adapter"] = self.adapter
        np.savez(path, allow_pickle=False, **arrays)

    @classmethod
    def read(cls, path: Path) -> Adaptation:
        """Read what `save` wrote. Raises OSError or ValueError when it cannot."""
        with np.load(path, allow_pickle=False) as data:
            return cls(
                data["view_vectors"],
                data["view_doc"],
                data["view_unit"],
                data["view_kind"],
                data["view_text"],
                data["adapter"] if "adapter" in data.files else None,
            )


def build(
    units: Mapping[tuple[str, str], Unit],
    encode: Callable[[list[str]], np.ndarray],
    passage_vectors: np.ndarray,
    passage_keys: Sequence[tuple[str, str]],
    cache: Path | None = None,
) -> Adaptation:
    """The adaptation of the acts whose units are `units` (by (act id, unit id), every version's
    units may be given; repeats are dropped), with `encode` the index's model (texts -> float32
    unit rows) and the index's passages (vectors and (act id, unit id) of each). The adapter
    is read from `cache` (a folder) when it was trained on the same inputs before."""
    pairs = pairs_of(units)
    texts = list(dict.fromkeys(p.text for p in pairs))
    vectors = encode(texts) if texts else np.zeros((0, passage_vectors.shape[1]), dtype="float32")
    row = {t: i for i, t in enumerate(texts)}
    views = [p for p in pairs if p.kind in VIEW_KINDS]
    return Adaptation(
        view_vectors=vectors[[row[p.text] for p in views]].astype("float32"),
        view_doc=np.array([p.doc for p in views], dtype=str),
        view_unit=np.array([p.unit for p in views], dtype=str),
        view_kind=np.array([p.kind for p in views], dtype=str),
        view_text=np.array([p.text for p in views], dtype=str),
        adapter=_adapter(pairs, vectors, row, passage_vectors, passage_keys, cache),
    )


def _adapter(
    pairs: list[Pair],
    vectors: np.ndarray,
    row: dict[str, int],
    passage_vectors: np.ndarray,
    passage_keys: Sequence[tuple[str, str]],
    cache: Path | None,
) -> np.ndarray | None:
    rows_of: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(passage_keys):
        rows_of.setdefault(key, []).append(i)
    chosen = [p for p in pairs if p.kind in ADAPTER_KINDS and (p.doc, p.unit) in rows_of]
    if not chosen:
        return None
    queries = vectors[[row[p.text] for p in chosen]]
    positives = [np.array(rows_of[(p.doc, p.unit)]) for p in chosen]
    digest = hashlib.sha256()
    for part in (
        repr((adapter.TEMPERATURE, adapter.REGULARISATION, adapter.STEPS, adapter.LEARNING_RATE)),
        "\n".join(f"{p.doc}\t{p.unit}\t{p.text}" for p in chosen),
        repr(list(passage_keys)),
    ):
        digest.update(part.encode("utf-8"))
    digest.update(np.ascontiguousarray(passage_vectors, dtype="float32").tobytes())
    digest.update(np.ascontiguousarray(queries, dtype="float32").tobytes())
    path = cache / f"adapter-{digest.hexdigest()[:32]}.npy" if cache else None
    if path is not None and path.is_file():
        try:
            cached: np.ndarray = np.load(path, allow_pickle=False)
            return cached
        except (OSError, ValueError):
            log.warning("the cached adapter %s cannot be read: training it again", path)
    w = adapter.train(queries, positives, passage_vectors, adapter.REGULARISATION, adapter.STEPS)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, w)
        tmp.replace(path)
    return w


def load(path: Path) -> Adaptation | None:
    """The adaptation of the index at `path` (a folder), or None when it has none or it cannot
    be read (the search then runs without it)."""
    file = path / ADAPTATION_FILE
    if not file.is_file():
        return None
    try:
        return Adaptation.read(file)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("the index's adaptation cannot be read (%s): rebuild it (kb ingest)", exc)
        return None

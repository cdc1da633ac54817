"""A sentence-transformers model run by ONNX Runtime: the same vectors as torch, about 4× faster
for one question on two CPU cores (13.4 ms → 2.9 ms p50, measured for issue 15), and a serving
process that needs neither torch nor transformers once the export is cached.

The export is made once per model by `torch.onnx.export` from the sentence-transformers model
itself (transformer, pooling, any dense layer, then L2 normalisation, all inside the graph),
checked against torch on CHECK_SENTENCES, and cached in KB_MODEL_CACHE under a folder named by a
hash of the model's files:

    <model cache>/<model name>-<hash of model files, 16 hex>/
        model.onnx       the graph: (input_ids, attention_mask) int64 [batch, tokens]
                         -> embedding float32 [batch, dim], unit length
        tokenizer.json   the model's own fast tokenizer, as the `tokenizers` library reads it
        export.json      written last: what was exported from what, the sha256 of both files
                         and the agreement with torch

An export is used only when export.json exists, names the same model files and matches the
sha256 of both files; anything else (a half-written folder, a corrupt file, another model's
export) is removed and exported again. Torch is imported only to export.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict, cast

import numpy as np

log = logging.getLogger("regkb.embed")

# Bump when the export's graph or files change, so older exports are made again.
EXPORT_FORMAT = 1
# Opset 17 is the one measured for issue 15; onnxruntime 1.16+ runs it with every optimisation.
OPSET = 17
# Vectors from ONNX Runtime must agree with torch's to this cosine on every check sentence.
# Float32 graph optimisations move the last digits only (measured: 1.0000); int8 quantisation
# moved them to 0.96–0.98, which this bound refuses.
MIN_COSINE = 0.9999
# ONNX Runtime keeps its memory arena at the size of the largest batch it has run: 96 passages
# of up to 256 tokens left 725 MB resident in batches of 32 and 337 MB in batches of 8, for 8 %
# less CPU (less padding). Larger KB_EMBED_BATCH values are cut to this.
MAX_BATCH = 8
EXPORT_FILE = "export.json"
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"

# Short and long, legal and plain, one far past any model's input length (to check truncation),
# one with accents and odd spacing (to check normalisation).
CHECK_SENTENCES = (
    "Can we use emotion recognition on our staff?",
    "switching charges",
    "Article 5(1)(f)",
    "What obligations does a deployer of a high-risk AI system have?",
    "  Données à caractère personnel:   the GDPR's 'personal data' — Art. 4(1)  ",
    "The data holder shall make available to the user the product data and related service data. " * 40,
    "When does Chapter III apply?",
    "providers of general-purpose AI models with systemic risk",
)

# Folders some model packages ship beside the weights (other runtimes' copies): not the model.
_NOT_MODEL = {"onnx", "openvino", ".git", "__pycache__"}


class ExportRecord(TypedDict):
    """export.json: what an export was made from and with, and how well it agreed with torch."""

    format: int  # EXPORT_FORMAT
    model: str  # the model's name
    model_sha256: str  # fingerprint of the model's files
    onnx_sha256: str
    tokenizer_sha256: str
    dim: int  # vector dimension
    max_tokens: int  # the model's input length, in tokens
    do_lower_case: bool
    pad_id: int
    pad_token: str
    opset: int
    torch: str  # versions the export was made with
    onnxruntime: str
    min_cosine: float  # the lowest cosine to torch's vectors on CHECK_SENTENCES


class ExportError(Exception):
    """The model could not be exported to ONNX, or its export does not agree with torch."""


class StaleExport(Exception):
    """A cached export that must not be used: missing, unfinished, corrupt or for other files."""


# -- the model's identity ---------------------------------------------------------------------


def model_files(path: Path) -> list[Path]:
    """The files that make the model: weights, configuration, tokenizer, pooling (sorted)."""
    out = []
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path)
        if p.is_file() and not (_NOT_MODEL & set(rel.parts[:-1])) and p.suffix != ".md":
            out.append(p)
    return out


def model_fingerprint(path: Path, stamps: Path | None = None) -> str:
    """sha256 over the model's files (names and contents), hex.

    Hashing 90 MB (MiniLM) to 440 MB (mpnet) of weights at every start-up would cost up to a
    second, so each file's hash is remembered in `stamps` (a JSON file) under its path, size
    and modification time, and computed again only when one of those changes."""
    known: dict[str, dict[str, object]] = {}
    if stamps is not None and stamps.is_file():
        with contextlib.suppress(ValueError, OSError):
            known = json.loads(stamps.read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    changed = False
    for f in model_files(path):
        st = f.stat()
        key = str(f.resolve())
        entry = known.get(key)
        if not entry or entry.get("size") != st.st_size or entry.get("mtime_ns") != st.st_mtime_ns:
            entry = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256_file(f)}
            known[key] = entry
            changed = True
        digest.update(f"{f.relative_to(path).as_posix()}\0{entry['sha256']}\n".encode())
    if stamps is not None and changed:
        with contextlib.suppress(OSError):
            stamps.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(stamps, json.dumps(known, indent=1))
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def export_dir(cache: Path, name: str, fingerprint: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name or name).strip("_") or "model"
    return cache / f"{slug}-{fingerprint[:16]}"


# -- the runtime ------------------------------------------------------------------------------


class OnnxEncoder:
    """An exported model, ready to encode: `encode(texts)` -> float32 [len(texts), dim], unit rows.

    Raises StaleExport when `folder` holds no usable export for `fingerprint`."""

    def __init__(self, folder: Path, fingerprint: str, threads: int) -> None:
        self.folder = folder
        self.meta = _check_export(folder, fingerprint)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle ORT threads spin by default, taking CPU from the rest of the request on two cores
        # (the same trap as numpy's BLAS threads in kb/base.py).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(
                str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"]
            )
            self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:  # onnxruntime raises its own types for a graph it cannot load
            raise StaleExport(f"{folder} does not load ({exc.__class__.__name__}: {exc})") from exc
        self.dim = int(self.meta["dim"])
        self.max_tokens = int(self.meta["max_tokens"])
        self.lower = bool(self.meta.get("do_lower_case"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding(pad_id=int(self.meta["pad_id"]), pad_token=str(self.meta["pad_token"]))
        # Token counts see the whole text: a second tokenizer, never truncated nor padded.
        self.counter = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.counter.no_truncation()
        self.counter.no_padding()

    def _prepare(self, text: str) -> str:
        # sentence-transformers strips each text, and lowercases when its config says so.
        text = str(text).strip()
        return text.lower() if self.lower else text

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 vectors [len(texts), dim]. Texts are batched by length, as
        sentence-transformers does, so that short ones are not padded to the longest, in
        batches of at most MAX_BATCH."""
        out = np.zeros((len(texts), self.dim), dtype="float32")
        batch_size = max(1, min(batch_size, MAX_BATCH))
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([self._prepare(texts[i]) for i in rows])
            ids = np.array([e.ids for e in encodings], dtype="int64")
            mask = np.array([e.attention_mask for e in encodings], dtype="int64")
            (vectors,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[rows] = vectors
        return out

    def token_counts(self, texts: list[str]) -> list[int]:
        """Length of each text in the model's tokens, special tokens included, untruncated."""
        return [len(e.ids) for e in self.counter.encode_batch([str(t) for t in texts])]


def _check_export(folder: Path, fingerprint: str) -> ExportRecord:
    meta_path = folder / EXPORT_FILE
    if not meta_path.is_file():
        raise StaleExport(f"{folder} has no {EXPORT_FILE} (an unfinished export)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise StaleExport(f"{meta_path} is unreadable ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict) or meta.get("format") != EXPORT_FORMAT:
        raise StaleExport(f"{meta_path} is of another export format")
    if meta.get("model_sha256") != fingerprint:
        raise StaleExport(f"{folder} was exported from other model files")
    for name, key in ((ONNX_FILE, "onnx_sha256"), (TOKENIZER_FILE, "tokenizer_sha256")):
        path = folder / name
        if not path.is_file() or sha256_file(path) != meta.get(key):
            raise StaleExport(f"{path} is missing or does not match its sha256 in {EXPORT_FILE}")
    if float(meta.get("min_cosine", 0)) < MIN_COSINE:
        raise StaleExport(f"{folder} did not agree with torch")
    # The record `export` wrote: its format, model and files are checked above.
    return cast(ExportRecord, meta)


# -- the export ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(cache: Path, folder: Path) -> Iterator[None]:
    """One process exports a model at a time (`kb serve --workers 2` starts two at once)."""
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / f".{folder.name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_or_export(name: str, model_path: Path, cache: Path, threads: int) -> OnnxEncoder:
    """The cached export of the model at `model_path`, made (and checked) first if needed.

    Raises ExportError when the model cannot be exported or its export disagrees with torch."""
    fingerprint = model_fingerprint(model_path, cache / "model-files.json")
    folder = export_dir(cache, name, fingerprint)
    with _locked(cache, folder):
        if folder.exists():
            try:
                return OnnxEncoder(folder, fingerprint, threads)
            except StaleExport as exc:
                log.warning("ONNX export not used: %s; exporting again", exc)
                shutil.rmtree(folder, ignore_errors=True)
        export(name, model_path, folder, fingerprint)
        return OnnxEncoder(folder, fingerprint, threads)


def export(name: str, model_path: Path, folder: Path, fingerprint: str) -> None:
    """Export the sentence-transformers model at `model_path` into `folder` and check it.

    Writes into a temporary folder beside `folder` and renames it into place when checked, so
    `folder` is either a whole checked export or absent. Raises ExportError."""
    started = time.perf_counter()
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        meta = _export_into(name, model_path, tmp, fingerprint)
        _write_atomic(tmp / EXPORT_FILE, json.dumps(meta, indent=2))
        tmp.chmod(0o755)  # mkdtemp makes it private; the export is for every process of the host
        os.replace(tmp, folder)
    except ExportError:
        raise
    except Exception as exc:  # torch's exporter fails in many ways, all of which mean "no export"
        raise ExportError(f"exporting {name} to ONNX failed ({exc.__class__.__name__}: {exc})") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported %s to ONNX in %.1f s: %s", name, time.perf_counter() - started, folder)


def _export_into(name: str, model_path: Path, tmp: Path, fingerprint: str) -> ExportRecord:
    import onnxruntime
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_path), device="cpu")
    st.eval()
    first = st[0]
    tokenizer = getattr(first, "tokenizer", None)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if tokenizer is None or backend is None:  # no tokenizer has no backend either
        raise ExportError(f"{name} has no fast tokenizer that the `tokenizers` library can run")

    class Graph(torch.nn.Module):
        """The whole sentence-transformers pipeline after tokenisation, then normalisation."""

        def __init__(self) -> None:
            super().__init__()
            self.st = st

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            out = self.st({"input_ids": input_ids, "attention_mask": attention_mask})["sentence_embedding"]
            return torch.nn.functional.normalize(out, p=2, dim=1)

    sample = tokenizer(["a short one", "and a longer sentence to trace"], padding=True, return_tensors="pt")
    # The tracer warns that shapes become constants in code paths the check below exercises.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Graph(),
            (sample["input_ids"], sample["attention_mask"]),
            str(tmp / ONNX_FILE),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=OPSET,
            # The TorchScript exporter: the dynamo one needs onnxscript, which we do not ship.
            dynamo=False,
        )
    backend.save(str(tmp / TOKENIZER_FILE))
    meta: ExportRecord = {
        "format": EXPORT_FORMAT,
        "model": name,
        "model_sha256": fingerprint,
        "onnx_sha256": sha256_file(tmp / ONNX_FILE),
        "tokenizer_sha256": sha256_file(tmp / TOKENIZER_FILE),
        # Optional in sentence-transformers' hints (for modules of no fixed size); set for every
        # model that encodes sentences, and int(None) would fail the export as before.
        "dim": int(cast(int, st.get_embedding_dimension())),
        "max_tokens": int(cast(int, st.max_seq_length)),
        "do_lower_case": bool(getattr(first, "do_lower_case", False)),
        "pad_id": int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0),
        "pad_token": str(tokenizer.pad_token or "[PAD]"),
        "opset": OPSET,
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "min_cosine": 0.0,
    }
    # Check before first use: the export must give torch's vectors on every check sentence.
    # The temporary folder is opened with a provisional record; the real one replaces it.
    _write_atomic(tmp / EXPORT_FILE, json.dumps({**meta, "min_cosine": 1.0}))
    probe = OnnxEncoder(tmp, fingerprint, 1)
    sentences = list(CHECK_SENTENCES)
    expected = st.encode(sentences, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    # Batched (as ingest encodes) and one at a time (as a question is): padding must not matter.
    batched = probe.encode(sentences)
    single = np.vstack([probe.encode([s]) for s in sentences])
    cosine = float(min(np.min(np.sum(expected * got, axis=1)) for got in (batched, single)))
    if cosine < MIN_COSINE:
        raise ExportError(
            f"the ONNX export of {name} disagrees with torch (cosine {cosine:.6f} < {MIN_COSINE})"
        )
    meta["min_cosine"] = round(cosine, 6)
    return meta

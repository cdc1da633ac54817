"""A probe of the next lever (docs/ranking.md, "The encoder adapted to the law"): all-MiniLM-L6-v2
fine-tuned on the acts' own pairs (kb/adapt/pairs.py; never a question of a set), then every
passage and title re-embedded with it and the question sets scored with the shipped weights.

One epoch of in-batch-negatives contrastive loss (as sentence-transformers'
MultipleNegativesRankingLoss: scale 20, batch 32, AdamW 2e-5), each pair's text against the
passage of its unit that the model as trained finds closest; seeded, one order, torch's
deterministic algorithms: the same inputs give the same weights. Not part of ingest: a probe.

    python -m bench.finetune
"""

from __future__ import annotations

import copy
import time

import numpy as np

from bench.adaptation import SETS
from bench.common import all_units, write
from kb.adapt.pairs import pairs_of
from kb.evaluate import evaluate, load, regkb_system
from kb.knowledge import KnowledgeBase

BATCH = 32
STEPS_PER_EPOCH_CAP = 40  # the pairs fit in about 30 batches
SCALE = 20.0  # sentence-transformers' MultipleNegativesRankingLoss default
LEARNING_RATE = 2e-5
TRAIN_TOKENS = 128  # passages truncated for training only (speed on two cores)


class Questions:
    """Stands in for the index's embedder in a search: the fine-tuned model's vectors."""

    def __init__(self, model: object, name: str) -> None:
        self.model = model
        self.name = name
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        missing = [t for t in texts if t not in self.cache]
        if missing:
            vectors = self.model.encode(missing, batch_size=batch_size, normalize_embeddings=True)  # type: ignore[attr-defined]
            self.cache.update(zip(missing, np.asarray(vectors, dtype="float32"), strict=True))
        return np.array([self.cache[t] for t in texts], dtype="float32")


def main() -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    base = KnowledgeBase.open()
    files = base.files
    units = all_units(files)
    with files.db() as con:
        rows = con.execute("SELECT doc, unit, embed_text FROM passages ORDER BY id").fetchall()
    keys = [(r[0], r[1]) for r in rows]
    texts = [r[2] for r in rows]
    vectors = files.all_vectors()
    rows_of: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(keys):
        rows_of.setdefault(key, []).append(i)
    pairs = [p for p in pairs_of(units) if (p.doc, p.unit) in rows_of]
    pair_vectors = base.embedder.encode([p.text for p in pairs])
    positives = []
    for p, v in zip(pairs, pair_vectors, strict=True):
        members = rows_of[(p.doc, p.unit)]
        positives.append(texts[members[int(np.argmax(vectors[members] @ v))]])
    order = np.random.default_rng(0).permutation(len(pairs))

    model = SentenceTransformer(base.embedder.path, device="cpu")
    model.max_seq_length = TRAIN_TOKENS
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    model.train()
    started = time.perf_counter()
    for step, start in enumerate(range(0, len(order), BATCH)):
        if step >= STEPS_PER_EPOCH_CAP:
            break
        batch = order[start : start + BATCH]
        if len(batch) < 2:
            continue
        anchors = model.tokenize([pairs[i].text for i in batch])
        targets = model.tokenize([positives[i] for i in batch])
        a = torch.nn.functional.normalize(model(anchors)["sentence_embedding"], dim=-1)
        b = torch.nn.functional.normalize(model(targets)["sentence_embedding"], dim=-1)
        loss = torch.nn.functional.cross_entropy(a @ b.T * SCALE, torch.arange(len(batch)))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        print(f"step {step} loss {loss.item():.3f} {time.perf_counter() - started:.0f} s", flush=True)
    train_s = time.perf_counter() - started
    model.eval()
    model.max_seq_length = base.embedder.max_tokens
    started = time.perf_counter()
    with torch.no_grad():
        tuned = np.asarray(model.encode(texts, batch_size=32, normalize_embeddings=True), dtype="float32")
    embed_s = time.perf_counter() - started
    print(f"trained {train_s:.0f} s, passages re-embedded {embed_s:.0f} s", flush=True)

    encoder = Questions(model, "all-MiniLM-L6-v2 fine-tuned on the acts' pairs")
    kb = KnowledgeBase(files, base.embedder, base.default_version, base.rules)
    for version in ("original", "current"):
        s = kb.view(version).searcher
        st = copy.copy(s.structure)
        st.passage_vectors = tuned[st.passage_ids]
        titles = [f"{s.units[k].label}: {s.units[k].title}" if s.units[k].title else "" for k in st.unit_keys]
        title_vectors = encoder.encode([t for t in titles if t])
        it = iter(title_vectors)
        zero = np.zeros(tuned.shape[1], dtype="float32")
        st.title_vectors = np.array([next(it) if t else zero for t in titles], dtype="float32")
        s.structure = st
        s.ranker.structure = st
        s.embedder = encoder  # type: ignore[assignment]
    out: dict[str, object] = {"pairs": len(pairs), "train_s": round(train_s), "embed_s": round(embed_s)}
    for name, path, version in SETS:
        report = evaluate("fine-tuned", load(path), regkb_system(kb), version, questions=name)
        out[name] = {"overall": report.overall, "by_kind": report.by_kind}
        print(name, {f: report.overall[f] for f in ("hit@1", "hit@5", "mrr@10")}, flush=True)
    write("finetune", out)


if __name__ == "__main__":
    main()

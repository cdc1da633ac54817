"""A query-side adapter: a linear map W (d x d) applied to a question's vector before the dense
ranking, learned from the acts' own pairs (kb/adapt/pairs.py) so that a pair's text lands
nearer the passages of the provision it is about. The passages are not re-embedded.

Loss: multi-positive InfoNCE over every passage of the index (the positives are the passages of
the pair's unit), temperature TEMPERATURE, plus REGULARISATION * ||W - I||² so that W stays
close to the model as trained. Full-batch Adam in numpy, a fixed number of steps from W = I:
deterministic for the same inputs (no sampling, no random initialisation).
"""

from __future__ import annotations

import numpy as np

# Softmax temperature of the contrastive loss: 0.05 is the usual value for cosine logits
# (SimCSE, Gao et al. 2021; E5); MiniLM's cosines of related legal text lie within ~0.3.
TEMPERATURE = 0.05
# Weight of ||W - I||²: chosen on dev (docs/ranking.md, "Adaptation"); smaller lets W drift
# from the model and costs the questions the pairs do not resemble.
REGULARISATION = 1.0
# Full-batch Adam: 100 steps at 1e-3 converge on ~1,000 pairs in seconds on two cores.
STEPS = 100
LEARNING_RATE = 1e-3


def train(
    queries: np.ndarray,
    positives: list[np.ndarray],
    passages: np.ndarray,
    regularisation: float,
    steps: int,
) -> np.ndarray:
    """W, float32 [d, d], learned on `queries` (float32 [m, d], unit rows), each of whose
    positives are the rows `positives[i]` of `passages` (float32 [n, d], unit rows); weight
    `regularisation` on ||W - I||², `steps` steps of Adam (kb.adapt passes REGULARISATION and STEPS)."""
    m, d = queries.shape
    q = queries.astype(np.float32)
    p = passages.astype(np.float32)
    mask = np.zeros((m, len(p)), dtype=bool)
    for i, rows in enumerate(positives):
        mask[i, rows] = True
    eye = np.eye(d, dtype=np.float32)
    w = eye.copy()
    first = np.zeros_like(w)
    second = np.zeros_like(w)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        logits = (q @ w.T) @ p.T / TEMPERATURE  # [m, n]
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        every = exp / exp.sum(axis=1, keepdims=True)
        pos = np.where(mask, exp, 0.0)
        pos /= pos.sum(axis=1, keepdims=True)
        # d loss / d logits = softmax over all - softmax over the positives (mean over pairs).
        c = (every - pos) / (m * TEMPERATURE)
        grad = (c @ p).T @ q + 2 * regularisation * (w - eye)
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        w -= LEARNING_RATE * (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + eps)
    return w.astype("float32")


def apply(w: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """W times a question vector (float32 (d,)), back to unit length."""
    out = w @ vector
    norm = float(np.linalg.norm(out))
    return (out / norm).astype("float32") if norm else vector

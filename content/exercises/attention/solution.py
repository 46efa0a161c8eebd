"""Reference solution: scaled dot-product attention with an optional mask."""

import numpy as np


def _softmax_last(scores):
    # Shift by the row maximum so exp() cannot overflow; every row has at
    # least one allowed (finite) score, so the maximum is finite.
    exps = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    d_k = q.shape[-1]
    # Without the 1/sqrt(d_k) the dot products grow with d_k and the softmax
    # saturates to one-hot rows.
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_k)
    if mask is not None:
        # -inf before the softmax, so each row is renormalised over the
        # allowed keys only and the disallowed ones get exactly 0.
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    weights = _softmax_last(scores)
    return weights @ v, weights

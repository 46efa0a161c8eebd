"""Scaled dot-product attention."""

import numpy as np

from engine.softmax import softmax


def attention_scores(q, k):
    """q kᵀ / sqrt(d_k): q (..., Lq, d_k), k (..., Lk, d_k) -> (..., Lq, Lk)."""
    d_k = q.shape[-1]
    return (q @ np.swapaxes(k, -1, -2)) / np.sqrt(d_k)


def masked_softmax(scores, mask):
    """Softmax over the last axis of ``scores`` with disallowed keys at exactly 0.

    scores: (..., Lq, Lk); mask: None or bool broadcastable to (..., Lq, Lk),
    True where the query may attend to the key.
    """
    if mask is None:
        return softmax(scores, axis=-1)
    mask = np.asarray(mask, dtype=bool)
    # -inf before the softmax (not zeroing after it) keeps each row a
    # distribution over the allowed keys only.
    weights = softmax(np.where(mask, scores, -np.inf), axis=-1)
    # exp(-inf) is already 0.0; the where keeps disallowed weights exactly 0
    # even for a fully masked row (outside the contract), which would be nan.
    return np.where(mask, weights, 0.0)


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d_k)) V.

    q: (..., Lq, d_k); k: (..., Lk, d_k); v: (..., Lk, d_v), batch dims
    broadcastable. mask: None or bool broadcastable to (..., Lq, Lk), True where
    a query may attend to a key (no row entirely False).
    Returns (output (..., Lq, d_v), weights (..., Lq, Lk)), both float64.
    """
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    weights = masked_softmax(attention_scores(q, k), mask)
    return weights @ v, weights

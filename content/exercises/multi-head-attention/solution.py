"""Reference solution: multi-head self-attention."""

import numpy as np


def _softmax_last(scores):
    exps = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def _split_heads(projected, num_heads):
    # (..., L, d_model) -> (..., L, H, d_head): the head index varies slower than
    # the column index inside a head, so head h owns the contiguous columns
    # h*d_head:(h+1)*d_head. Then (..., H, L, d_head) to batch over heads.
    *lead, length, d_model = projected.shape
    per_head = projected.reshape(*lead, length, num_heads, d_model // num_heads)
    return np.swapaxes(per_head, -2, -3)


def multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    x = np.asarray(x, dtype=np.float64)
    d_model = x.shape[-1]
    if num_heads < 1 or d_model % num_heads != 0:
        raise ValueError("num_heads must divide d_model")
    d_head = d_model // num_heads

    q, k, v = (_split_heads(x @ np.asarray(w, dtype=np.float64), num_heads) for w in (w_q, w_k, w_v))
    # Each head is attention in its own d_head-dimensional space, so it is
    # scaled by sqrt(d_head), not sqrt(d_model).
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_head)  # (..., H, L, L)
    if mask is not None:
        # One mask for every head: give it a head axis of length 1.
        head_mask = np.expand_dims(np.asarray(mask, dtype=bool), -3)
        scores = np.where(head_mask, scores, -np.inf)
    heads = _softmax_last(scores) @ v  # (..., H, L, d_head)

    # Back to (..., L, H, d_head), then concatenate the heads in order.
    merged = np.swapaxes(heads, -2, -3)
    concat = merged.reshape(*merged.shape[:-2], d_model)
    return concat @ np.asarray(w_o, dtype=np.float64)

"""Multi-head self-attention built on scaled dot-product attention."""

import numpy as np

from engine.attention import scaled_dot_product_attention


def split_heads(projected, num_heads):
    """(..., L, d_model) -> (..., H, L, d_head); head h gets columns h*d_head:(h+1)*d_head."""
    *batch, length, d_model = projected.shape
    d_head = d_model // num_heads
    # (L, H, d_head), not (L, d_head, H): the head index must be the slower
    # one so that each head owns a contiguous block of columns.
    per_head = projected.reshape(*batch, length, num_heads, d_head)
    return np.swapaxes(per_head, -2, -3)


def merge_heads(heads):
    """(..., H, L, d_head) -> (..., L, H * d_head), heads concatenated in head order."""
    *batch, num_heads, length, d_head = heads.shape
    return np.swapaxes(heads, -2, -3).reshape(*batch, length, num_heads * d_head)


def head_mask(mask):
    """Add a head axis so one (…, L, L) mask applies to every head."""
    if mask is None:
        return None
    return np.expand_dims(np.asarray(mask, dtype=bool), -3)


def multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    """Multi-head self-attention.

    x: (L, d_model) or (B, L, d_model); w_q, w_k, w_v, w_o: (d_model, d_model),
    applied as ``x @ w``. num_heads must divide d_model; d_head = d_model // num_heads
    and each head is scaled by 1/sqrt(d_head). mask: None, (L, L) or broadcastable to
    (..., L, L), True = may attend, shared by all heads.
    Returns a float64 array shaped like x: concat(head_0, ..., head_{H-1}) @ w_o.
    """
    x = np.asarray(x, dtype=np.float64)
    num_heads = int(num_heads)
    d_model = x.shape[-1]
    if num_heads < 1 or d_model % num_heads:
        raise ValueError(f"num_heads={num_heads} must be positive and divide d_model={d_model}")
    q, k, v = (split_heads(x @ np.asarray(w, dtype=np.float64), num_heads) for w in (w_q, w_k, w_v))
    heads, _ = scaled_dot_product_attention(q, k, v, head_mask(mask))
    return merge_heads(heads) @ np.asarray(w_o, dtype=np.float64)

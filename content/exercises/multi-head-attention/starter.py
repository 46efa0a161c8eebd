import numpy as np


def multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    """Multi-head self-attention.

    x: (L, d_model) or (B, L, d_model), float64.
    w_q, w_k, w_v, w_o: (d_model, d_model), applied as x @ w.
    num_heads: int dividing d_model; d_head = d_model // num_heads.
        Head h uses columns h*d_head:(h+1)*d_head of x @ w_q, x @ w_k, x @ w_v
        and is scaled dot-product attention scaled by sqrt(d_head).
    mask: None, or bool (L, L) / broadcastable to (..., L, L), True = may attend,
        the same for every head.
    Returns concat(head_0, ..., head_{H-1}) @ w_o, shaped like x.
    """
    raise NotImplementedError

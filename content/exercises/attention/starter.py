import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d_k)) V.

    q: (..., Lq, d_k), k: (..., Lk, d_k), v: (..., Lk, d_v), float64.
    mask: None, or a bool array broadcastable to (..., Lq, Lk);
          True where a query may attend to a key (no row is entirely False).
    Returns (output, weights):
        weights: (..., Lq, Lk), softmax over the last axis, 0 where mask is False;
        output:  (..., Lq, d_v) = weights @ v.
    """
    raise NotImplementedError

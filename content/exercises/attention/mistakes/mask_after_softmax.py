# mistake: mask_after_softmax
# Zeroes the disallowed weights after the softmax: the rows no longer sum to 1.
import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    q = np.asarray(q, dtype=np.float64)
    d_k = q.shape[-1]
    scores = q @ np.swapaxes(np.asarray(k, dtype=np.float64), -1, -2) / np.sqrt(d_k)
    exps = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    weights = exps / np.sum(exps, axis=-1, keepdims=True)
    if mask is not None:
        weights = weights * np.asarray(mask, dtype=bool)
    return weights @ np.asarray(v, dtype=np.float64), weights

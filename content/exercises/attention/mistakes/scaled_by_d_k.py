# mistake: scaled_by_d_k
# Divides the scores by d_k instead of by its square root.
import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    q = np.asarray(q, dtype=np.float64)
    d_k = q.shape[-1]
    scores = q @ np.swapaxes(np.asarray(k, dtype=np.float64), -1, -2) / d_k
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    exps = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    weights = exps / np.sum(exps, axis=-1, keepdims=True)
    return weights @ np.asarray(v, dtype=np.float64), weights

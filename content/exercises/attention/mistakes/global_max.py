# mistake: global_max
# Shifts the scores by the maximum of the whole array instead of each row's
# own: a row whose scores lie far below it underflows to all zeros, then 0/0.
import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    exps = np.exp(scores - np.max(scores))
    weights = exps / np.sum(exps, axis=-1, keepdims=True)
    return weights @ v, weights

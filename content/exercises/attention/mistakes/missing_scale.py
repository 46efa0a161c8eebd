# mistake: missing_scale
# Plain dot-product attention: the scores are never divided by sqrt(d_k).
import numpy as np


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = np.asarray(q, dtype=np.float64) @ np.swapaxes(np.asarray(k, dtype=np.float64), -1, -2)
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    exps = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    weights = exps / np.sum(exps, axis=-1, keepdims=True)
    return weights @ np.asarray(v, dtype=np.float64), weights

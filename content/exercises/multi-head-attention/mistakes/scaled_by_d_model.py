# mistake: scaled_by_d_model
# Scales every head's scores by sqrt(d_model), the full width, instead of
# sqrt(d_head), the width of the head's own queries and keys.
import numpy as np


def _softmax_last(scores):
    exps = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    x = np.asarray(x, dtype=np.float64)
    d_model = x.shape[-1]
    d_head = d_model // num_heads
    outputs = []
    for h in range(num_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        q = (x @ w_q)[..., cols]
        k = (x @ w_k)[..., cols]
        v = (x @ w_v)[..., cols]
        scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_model)
        if mask is not None:
            scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
        outputs.append(_softmax_last(scores) @ v)
    return np.concatenate(outputs, axis=-1) @ w_o

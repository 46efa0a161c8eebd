# mistake: heads_split_wrongly
# Reshapes the projections to (L, d_head, H): head h gets every H-th column
# (h, h+H, ...) instead of the contiguous block h*d_head:(h+1)*d_head. The
# merge is right, so every shape works out and only the values are wrong.
import numpy as np


def _softmax_last(scores):
    exps = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    x = np.asarray(x, dtype=np.float64)
    *lead, length, d_model = x.shape
    d_head = d_model // num_heads

    def split(w):
        projected = (x @ np.asarray(w, dtype=np.float64)).reshape(*lead, length, d_head, num_heads)
        return np.moveaxis(projected, -1, -3)  # (..., H, L, d_head)

    q, k, v = split(w_q), split(w_k), split(w_v)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_head)
    if mask is not None:
        scores = np.where(np.expand_dims(np.asarray(mask, dtype=bool), -3), scores, -np.inf)
    heads = _softmax_last(scores) @ v  # (..., H, L, d_head)
    concat = np.concatenate([heads[..., h, :, :] for h in range(num_heads)], axis=-1)
    return concat @ np.asarray(w_o, dtype=np.float64)

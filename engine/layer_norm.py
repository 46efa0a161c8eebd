"""Layer normalisation."""

import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    """gamma * (x - mean) / sqrt(var + eps) + beta over the last axis.

    x: (..., d); gamma, beta: (d,) (anything broadcastable). The variance is
    the biased one (ddof=0), as Transformer implementations use.
    Returns a float64 array shaped like x.
    """
    x = np.asarray(x, dtype=np.float64)
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.var(x, axis=-1, keepdims=True)
    # eps inside the sqrt: a constant input has var 0 and must not divide by 0.
    normalised = (x - mean) / np.sqrt(var + eps)
    return np.asarray(gamma, dtype=np.float64) * normalised + np.asarray(beta, dtype=np.float64)

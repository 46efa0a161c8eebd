"""Reference solution: layer normalisation over the last axis."""

import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    mean = np.mean(x, axis=-1, keepdims=True)
    # Biased variance (divide by d, ddof=0): the population statistics of this
    # one vector, as in the layer-norm definition; ddof=1 would be a sample
    # estimate of something else.
    variance = np.mean((x - mean) ** 2, axis=-1, keepdims=True)
    # eps keeps a constant vector (variance 0) from dividing by zero.
    normalised = (x - mean) / np.sqrt(variance + eps)
    return normalised * np.asarray(gamma, dtype=np.float64) + np.asarray(beta, dtype=np.float64)

# mistake: wrong_axis
# Normalises over axis 0 (across the tokens, like batch norm) instead of over
# each token's own features.
import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0, keepdims=True)
    variance = x.var(axis=0, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * gamma + beta

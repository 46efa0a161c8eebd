# mistake: no_epsilon
# Leaves eps out: slightly off everywhere, and nan for a constant vector.
import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    std = x.std(axis=-1, keepdims=True)
    return (x - mean) / std * gamma + beta

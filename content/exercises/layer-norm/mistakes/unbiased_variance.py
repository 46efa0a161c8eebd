# mistake: unbiased_variance
# np.var(..., ddof=1): divides by d - 1 instead of d.
import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True, ddof=1)
    return (x - mean) / np.sqrt(variance + eps) * gamma + beta

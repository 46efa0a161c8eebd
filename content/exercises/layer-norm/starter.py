import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    """Layer normalisation over the last axis.

    x: (..., d) float64; gamma, beta: (d,); eps: float > 0.
    y = (x - mean) / sqrt(var + eps) * gamma + beta, where mean and the biased
    variance (divide by d) are taken over the last axis of x.
    Returns an array shaped like x.
    """
    raise NotImplementedError

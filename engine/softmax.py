"""Numerically stable softmax along any axis."""

import numpy as np


def softmax(x, axis=-1):
    """Softmax of ``x`` along ``axis``.

    x: array-like of any shape with ndim >= 1; ``-inf`` entries get weight 0
    (a slice made entirely of ``-inf`` is outside the contract).
    axis: any valid axis, negative ones included.
    Returns a float64 array shaped like ``x`` whose slices along ``axis`` sum to 1.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 1:
        raise ValueError("softmax needs an array with at least one dimension")
    # subtract the max: exp(1000) overflows to inf and inf/inf is nan.
    # The shift cancels in the ratio, so the result is unchanged.
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)  # exp(-inf) is exactly 0.0, as masked entries need
    return exps / np.sum(exps, axis=axis, keepdims=True)

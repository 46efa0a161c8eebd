"""Cosine similarity of embedding vectors."""

import numpy as np


def _unit_scale(a):
    """Divide each vector by its largest |entry| (zero vectors stay zero).

    Squaring 1e200 overflows and squaring 1e-200 underflows to 0; after this
    scaling the largest entry is ±1, and cosine is scale invariant anyway.
    """
    peak = np.max(np.abs(a), axis=-1, keepdims=True)
    return np.divide(a, peak, out=np.zeros_like(a), where=peak != 0)


def cosine_similarity(a, b):
    """cos(a, b) = a·b / (|a| |b|) along the last axis.

    a: (..., d), b: (..., d), batch dims broadcastable. Returns shape (...):
    an np.float64 for 1-D inputs, otherwise a float64 ndarray. Where either
    vector is all zeros the result is 0.0 (nan inputs stay nan). Values are
    clipped to [-1, 1] against rounding.
    """
    a = _unit_scale(np.asarray(a, dtype=np.float64))
    b = _unit_scale(np.asarray(b, dtype=np.float64))
    dot = np.sum(a * b, axis=-1)
    norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    cosine = np.divide(dot, norms, out=np.zeros(np.shape(dot)), where=norms != 0)
    return np.clip(cosine, -1.0, 1.0)[()]

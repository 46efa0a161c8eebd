"""Perplexity of a text from the per-token probabilities a model gave it."""

import numpy as np


def perplexity(probabilities):
    """exp(-mean(log p)) as a Python float.

    probabilities: 1-D array-like, non-empty, every entry > 0 (normally <= 1).
    Computed with logs: the product of a long text's probabilities underflows
    to 0.0 long before the perplexity itself is large.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError("probabilities must be a non-empty 1-D array")
    if not np.all(p > 0):
        raise ValueError("every probability must be > 0")
    return float(np.exp(-np.mean(np.log(p))))

"""Reference solution: perplexity from per-token probabilities."""

import numpy as np


def perplexity(probabilities):
    p = np.asarray(probabilities, dtype=np.float64)
    # Work with logs: the product of a few thousand probabilities underflows
    # to 0.0, while the mean of their logs is an ordinary number.
    return float(np.exp(-np.mean(np.log(p))))

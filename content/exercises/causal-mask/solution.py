"""Reference solution: the causal (look-ahead) mask."""

import numpy as np


def causal_mask(length):
    # Lower triangle, diagonal included: query i may see keys 0..i — itself
    # and the past, never the future.
    return np.tril(np.ones((length, length), dtype=bool))

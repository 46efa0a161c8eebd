# mistake: diagonal_excluded
# Strictly lower triangle: a token may not attend to itself, and the first
# row is entirely False (its softmax would be nan).
import numpy as np


def causal_mask(length):
    return np.tril(np.ones((length, length), dtype=bool), k=-1)

# mistake: transposed
# Upper instead of lower triangle: every token sees the future and not the past.
import numpy as np


def causal_mask(length):
    return np.triu(np.ones((length, length), dtype=bool))

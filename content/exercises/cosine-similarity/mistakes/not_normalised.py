# mistake: not_normalised
# Returns the dot product a·b: right for unit vectors only.
import numpy as np


def cosine_similarity(a, b):
    return np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64), axis=-1)

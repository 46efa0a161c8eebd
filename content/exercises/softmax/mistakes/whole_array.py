# mistake: whole_array
# Forgets `axis` in max and sum: the whole array becomes one distribution.
import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    exps = np.exp(x - np.max(x))
    return exps / np.sum(exps)

# mistake: global_max
# Shifts by the maximum of the whole array instead of each slice's own: a slice
# far below that maximum underflows to all zeros, and 0/0 gives nan.
import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    exps = np.exp(x - np.max(x))
    return exps / np.sum(exps, axis=axis, keepdims=True)

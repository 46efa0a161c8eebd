# mistake: no_max_subtraction
# The textbook formula typed in directly: exp(1000) overflows to inf and the
# slice becomes nan.
import numpy as np


def softmax(x, axis=-1):
    exps = np.exp(np.asarray(x, dtype=np.float64))
    return exps / np.sum(exps, axis=axis, keepdims=True)

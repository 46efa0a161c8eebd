# mistake: wrong_axis
# Stable, but always normalises along axis 0 (columns, as when vectors are
# drawn as columns on paper), whatever `axis` says.
import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    exps = np.exp(x - np.max(x, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)

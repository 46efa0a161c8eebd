# mistake: changes_arguments
# Right values, but `-=` shifts the caller's own array: np.asarray returns the
# very array it was given when it is already float64.
import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    x -= np.max(x, axis=axis, keepdims=True)
    exps = np.exp(x)
    return exps / np.sum(exps, axis=axis, keepdims=True)

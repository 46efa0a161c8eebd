# mistake: no_relu
# Two linear layers with nothing in between.
import numpy as np


def feed_forward(x, w1, b1, w2, b2):
    return (np.asarray(x, dtype=np.float64) @ w1 + b1) @ w2 + b2

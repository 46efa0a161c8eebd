"""Reference solution: the position-wise feed-forward network."""

import numpy as np


def feed_forward(x, w1, b1, w2, b2):
    x = np.asarray(x, dtype=np.float64)
    hidden = x @ np.asarray(w1, dtype=np.float64) + np.asarray(b1, dtype=np.float64)
    # ReLU on the hidden layer only: it is the non-linearity between the two
    # linear maps (without it the two would collapse into one).
    hidden = np.maximum(hidden, 0.0)
    return hidden @ np.asarray(w2, dtype=np.float64) + np.asarray(b2, dtype=np.float64)

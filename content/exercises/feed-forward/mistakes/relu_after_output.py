# mistake: relu_after_output
# Puts a ReLU after the second layer as well: every layer "gets an
# activation", but the FFN's output layer is linear, so negative outputs are lost.
import numpy as np


def feed_forward(x, w1, b1, w2, b2):
    hidden = np.maximum(np.asarray(x, dtype=np.float64) @ w1 + b1, 0.0)
    return np.maximum(hidden @ w2 + b2, 0.0)

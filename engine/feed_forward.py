"""Position-wise feed-forward network of a Transformer layer."""

import numpy as np


def relu(x):
    """max(0, x) elementwise."""
    return np.maximum(x, 0.0)


def feed_forward(x, w1, b1, w2, b2):
    """relu(x @ w1 + b1) @ w2 + b2.

    x: (..., d_model); w1: (d_model, d_ff); b1: (d_ff,); w2: (d_ff, d_model);
    b2: (d_model,). Returns a float64 array shaped like x. The ReLU is only
    between the two layers; the output layer is linear.
    """
    x, w1, b1, w2, b2 = (np.asarray(a, dtype=np.float64) for a in (x, w1, b1, w2, b2))
    return relu(x @ w1 + b1) @ w2 + b2

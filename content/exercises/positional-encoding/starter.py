import numpy as np


def positional_encoding(length, d_model):
    """Sinusoidal positional encoding of the Transformer.

    length: int >= 0, number of positions; d_model: int >= 1.
    Returns a float64 array PE of shape (length, d_model) with
        PE[p, 2i]   = sin(p / 10000 ** (2i / d_model))
        PE[p, 2i+1] = cos(p / 10000 ** (2i / d_model))
    """
    raise NotImplementedError

"""Sinusoidal position encoding of the original Transformer."""

import operator

import numpy as np


def positional_encoding(length, d_model):
    """PE[p, 2i] = sin(p / 10000**(2i/d_model)), PE[p, 2i+1] = cos(same angle).

    Returns a float64 array (length, d_model); an odd d_model ends on a sin column.
    """
    length, d_model = operator.index(length), operator.index(d_model)
    if length < 0 or d_model < 1:
        raise ValueError("length must be >= 0 and d_model >= 1")
    positions = np.arange(length, dtype=np.float64)[:, None]
    # columns 2i and 2i+1 share one frequency: the exponent uses the even
    # index 2i, not the column index.
    even_index = 2 * (np.arange(d_model) // 2)
    angles = positions / 10000.0 ** (even_index / d_model)
    is_even = np.arange(d_model) % 2 == 0
    return np.where(is_even, np.sin(angles), np.cos(angles))

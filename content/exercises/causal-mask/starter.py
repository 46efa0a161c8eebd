import numpy as np


def causal_mask(length):
    """Causal mask for a sequence of `length` tokens.

    length: int >= 0.
    Returns a bool array of shape (length, length) with [i, j] True where
    key j <= query i (True = may attend, as in scaled_dot_product_attention).
    """
    raise NotImplementedError

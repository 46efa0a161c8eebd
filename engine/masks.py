"""Attention masks (convention: True = the query may attend to the key)."""

import operator

import numpy as np


def causal_mask(length):
    """Causal (look-ahead) mask for a sequence of ``length`` tokens.

    Returns a bool array of shape (length, length) whose entry [i, j] is True
    where key j <= query i: a token sees itself and the tokens before it.
    """
    length = operator.index(length)
    if length < 0:
        raise ValueError("length must be non-negative")
    return np.tril(np.ones((length, length), dtype=bool))

"""Greedy decoding: pick the most likely next token."""

import numpy as np


def greedy_next_token(logits):
    """Argmax of logits over the vocabulary (last) axis.

    logits: (..., V) with V >= 1. Returns an int64 array of shape (...), or a
    Python int for 1-D input. Ties go to the lowest token id (np.argmax
    returns the first maximum).
    """
    # no float conversion: int64 logits above 2**53 would round into false ties
    logits = np.asarray(logits)
    if logits.ndim < 1 or logits.shape[-1] == 0:
        raise ValueError("logits must have a non-empty last axis")
    ids = np.argmax(logits, axis=-1).astype(np.int64)
    return int(ids) if ids.ndim == 0 else ids

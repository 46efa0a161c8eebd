"""Reference solution: greedy decoding picks the highest-scoring token."""

import numpy as np


def greedy_next_token(logits):
    logits = np.asarray(logits, dtype=np.float64)
    # np.argmax returns the first maximum, which is the tie rule we want
    # (lowest token id); axis=-1 keeps one choice per sequence in a batch.
    choice = np.argmax(logits, axis=-1)
    if logits.ndim == 1:
        return int(choice)
    return choice.astype(np.int64)

import numpy as np


def greedy_next_token(logits):
    """Greedy decoding: the id of the highest-scoring token.

    logits: float64 array of shape (..., V), scores over a vocabulary of V >= 1 tokens.
    Returns the argmax over the last axis: a Python int for 1-D logits,
    otherwise an integer array of shape (...). Ties go to the lowest id.
    """
    raise NotImplementedError

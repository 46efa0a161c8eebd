import numpy as np


def cosine_similarity(a, b):
    """cos(a, b) = a·b / (|a| |b|) along the last axis.

    a, b: float64 arrays of shapes (..., d) that broadcast against each other.
    Returns an array of the broadcast shape without the last axis (a 0-d array
    or float for two vectors); 0.0 where either vector has norm 0.
    """
    raise NotImplementedError

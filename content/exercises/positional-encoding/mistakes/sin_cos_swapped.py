# mistake: sin_cos_swapped
# Cosine in the even columns and sine in the odd ones.
import numpy as np


def positional_encoding(length, d_model):
    pe = np.zeros((length, d_model))
    for p in range(length):
        for j in range(0, d_model, 2):
            angle = p / 10000 ** (j / d_model)
            pe[p, j] = np.cos(angle)
            if j + 1 < d_model:
                pe[p, j + 1] = np.sin(angle)
    return pe

# mistake: exponent_uses_i
# Puts the column index j itself into the exponent, 10000^(j / d_model):
# right for the even columns (j = 2i), but the odd column 2i+1 gets its own
# frequency instead of sharing its partner's.
import numpy as np


def positional_encoding(length, d_model):
    pe = np.zeros((length, d_model))
    for p in range(length):
        for j in range(d_model):
            angle = p / 10000 ** (j / d_model)
            pe[p, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    return pe

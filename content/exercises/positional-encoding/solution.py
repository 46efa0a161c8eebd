"""Reference solution: sinusoidal positional encoding."""

import numpy as np


def positional_encoding(length, d_model):
    positions = np.arange(length, dtype=np.float64)[:, None]  # (length, 1)
    # Columns 2i and 2i+1 share the frequency 1 / 10000^(2i / d_model).
    even_columns = np.arange(0, d_model, 2, dtype=np.float64)  # the values 2i
    angles = positions / np.power(10000.0, even_columns / d_model)  # (length, ceil(d/2))
    encoding = np.zeros((length, d_model))
    encoding[:, 0::2] = np.sin(angles)
    # With an odd d_model the last sine column has no cosine partner.
    encoding[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return encoding

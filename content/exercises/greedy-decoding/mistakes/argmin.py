# mistake: argmin
# Picks the lowest score, as if the logits were losses.
import numpy as np


def greedy_next_token(logits):
    logits = np.asarray(logits, dtype=np.float64)
    choice = np.argmin(logits, axis=-1)
    return int(choice) if logits.ndim == 1 else choice

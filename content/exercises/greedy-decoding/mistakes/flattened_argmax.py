# mistake: flattened_argmax
# np.argmax without an axis: one index into the flattened batch instead of one
# token id per row. Right for a single 1-D vector only.
import numpy as np


def greedy_next_token(logits):
    return int(np.argmax(logits))

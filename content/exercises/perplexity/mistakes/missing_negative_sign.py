# mistake: missing_negative_sign
# exp(mean(log p)) is the geometric mean of the probabilities, i.e. 1 / PPL.
import numpy as np


def perplexity(probabilities):
    return float(np.exp(np.mean(np.log(probabilities))))

# mistake: sum_instead_of_mean
# Forgets to divide by N: the result grows with the length of the text.
import numpy as np


def perplexity(probabilities):
    return float(np.exp(-np.sum(np.log(probabilities))))

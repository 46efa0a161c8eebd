import numpy as np


def perplexity(probabilities):
    """Perplexity of a text from the probability the model gave each token.

    probabilities: 1-D float64 array of length N >= 1, every entry in (0, 1].
    Returns exp(-(1/N) * sum(log p)) as a float; must not underflow for long texts.
    """
    raise NotImplementedError

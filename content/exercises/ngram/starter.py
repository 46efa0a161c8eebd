from collections import Counter


def ngram_probability(corpus, context, word, n=2, k=0.0):
    """P(word | last n-1 tokens of context) under an n-gram model of `corpus`.

    corpus: list of sentences, each a list of str tokens.
    context: list of str tokens; only its last n-1 count, and a shorter one is
        padded on the left with "<s>".
    word: str. n: int >= 1. k: float >= 0, add-k smoothing.
    Training sentences are padded with n-1 "<s>" in front and one "</s>" at the end.
    P(w | h) = (c(h, w) + k) / (c(h) + k * |V|), V = distinct tokens of the padded
    training sentences except "<s>"; 0.0 where the denominator is 0.
    Returns a float.
    """
    raise NotImplementedError


def sentence_probability(corpus, sentence, n=2, k=0.0):
    """Product of P(w_i | previous n-1 tokens) over the padded `sentence`.

    sentence: list of str tokens, padded like the training sentences; every
    position after the n-1 "<s>" is scored, the final "</s>" included.
    Returns a float.
    """
    raise NotImplementedError

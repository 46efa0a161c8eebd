# mistake: missing_end_token
# Pads with "<s>" but never appends "</s>": the end of a sentence is neither
# counted in training nor scored, and V lacks "</s>".
from collections import Counter


def _pad(sentence, n):
    return ["<s>"] * (n - 1) + list(sentence)


def _count(corpus, n):
    pairs, histories, vocabulary = Counter(), Counter(), set()
    for sentence in corpus:
        tokens = _pad(sentence, n)
        vocabulary.update(t for t in tokens if t != "<s>")
        for i in range(n - 1, len(tokens)):
            h = tuple(tokens[i - n + 1 : i])
            pairs[h, tokens[i]] += 1
            histories[h] += 1
    return pairs, histories, vocabulary


def _p(counts, h, w, k):
    pairs, histories, vocabulary = counts
    denominator = histories[h] + k * len(vocabulary)
    return (pairs[h, w] + k) / denominator if denominator else 0.0


def ngram_probability(corpus, context, word, n=2, k=0.0):
    tail = list(context)[-(n - 1) :] if n > 1 else []
    h = tuple(["<s>"] * (n - 1 - len(tail)) + tail)
    return _p(_count(corpus, n), h, word, k)


def sentence_probability(corpus, sentence, n=2, k=0.0):
    counts = _count(corpus, n)
    tokens = _pad(sentence, n)
    result = 1.0
    for i in range(n - 1, len(tokens)):
        result *= _p(counts, tuple(tokens[i - n + 1 : i]), tokens[i], k)
    return result

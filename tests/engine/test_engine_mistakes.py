"""The known-wrong variants: well formed, each one a distinguishable mistake,
and each one only that mistake (it agrees with the reference where the mistake
cannot show)."""

import inspect
import itertools
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import REFERENCE, causal_mask
from engine.mistakes import MISTAKE_TEXT, MISTAKES

# ids with a hint but no callable: the checks detect them structurally
STRUCTURAL = {"weights_not_returned", "changes_arguments"}

CORPUS = [["我", "喜欢", "苹果"], ["我", "喜欢", "香蕉"], ["你", "喜欢", "苹果"]]


def _cases(seed=7):
    """Per slug and function, inputs (args, kwargs) on which every variant must
    differ from the reference: a generic random input, plus the input that
    triggers a mistake which only shows under stress (overflow, long text)."""
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(2, 4, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 3))
    mask = rng.random((2, 4, 5)) < 0.6
    mask[..., 0] = True
    mask[..., -1] = False  # every row has something masked out
    d = 8
    mha_weights = [rng.normal(size=(d, d)) for _ in range(4)]
    cosine_a = rng.normal(size=(3, 4))
    cosine_a[1] = 0.0  # one zero vector in the batch
    x_ff = rng.normal(size=(2, 3, 4))
    # b2 of both signs, far apart: some outputs are negative whatever the draw, so
    # a ReLU after the output layer always shows (with 24 outputs, all of them
    # positive happens for about one seed in a few million, and hypothesis finds it).
    ff_weights = (
        rng.normal(size=(4, 6)), rng.normal(size=6), rng.normal(size=(6, 4)),
        rng.normal(size=4) + np.array([-20.0, 20.0, -20.0, 20.0]),
    )  # fmt: skip
    small_spread = rng.normal(size=(3, 5)) * 0.01  # variance ~1e-4, so eps matters
    # Rows of very different size: shifting by the whole array's maximum
    # underflows the small row to 0/0 (the global_max mistake).
    uneven = np.array([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0]]) + rng.normal(size=(2, 3)) * 0.1
    q_uneven = np.array([[1000.0], [0.001]]) * (1.0 + rng.random((2, 1)))
    k_uneven = np.array([[1.0], [0.5]])
    x_uneven = np.array([[40.0, 0.0], [0.01, 0.0]]) * (1.0 + rng.random((2, 1)))
    return {
        "softmax": {"softmax": [
            ((rng.normal(size=(3, 4, 5)),), {"axis": 1}),
            ((rng.normal(size=(3, 4)) * 1e3 + 1e3,), {"axis": -1}),
            ((uneven,), {"axis": -1}),
        ]},
        "attention": {"scaled_dot_product_attention": [
            ((q, k, v), {"mask": mask}),
            ((q_uneven, k_uneven, rng.normal(size=(2, 2))), {}),
        ]},
        "multi-head-attention": {"multi_head_attention": [
            ((rng.normal(size=(2, 5, d)), *mha_weights, 2), {"mask": causal_mask(5)}),
            ((x_uneven, *(np.eye(2),) * 4, 1), {}),
        ]},
        "ngram": {
            "ngram_probability": [((CORPUS, ["你", "喜欢"], "苹果"), {"n": 2, "k": 0.5})],
            "sentence_probability": [((CORPUS, ["我", "喜欢", "苹果"]), {"n": 2, "k": 0.5})],
        },
        "cosine-similarity": {"cosine_similarity": [((cosine_a, rng.normal(size=4)), {})]},
        "causal-mask": {"causal_mask": [((4,), {})]},
        "layer-norm": {"layer_norm": [((small_spread, rng.normal(size=5), rng.normal(size=5)), {})]},
        "positional-encoding": {"positional_encoding": [((6, 8), {})]},
        "feed-forward": {"feed_forward": [((x_ff, *ff_weights), {})]},
        "perplexity": {"perplexity": [
            ((rng.uniform(0.01, 1.0, size=6),), {}),
            ((rng.uniform(1e-4, 1e-2, size=500),), {}),  # its product underflows
        ]},
        "greedy-decoding": {"greedy_next_token": [((rng.normal(size=(3, 5)),), {})]},
    }


CASES = _cases()
VARIANTS = [
    (slug, name, mistake_id)
    for slug, functions in MISTAKES.items()
    for name, variants in functions.items()
    for mistake_id in variants
]


def differs(a, b):
    """Would a grader with the default tolerance (rtol 1e-6, atol 1e-9) tell these apart?"""
    if isinstance(a, tuple) or isinstance(b, tuple):
        if not (isinstance(a, tuple) and isinstance(b, tuple)) or len(a) != len(b):
            return True
        return any(differs(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True)


def run(function, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # variants must not spray RuntimeWarnings
        return function(*args, **kwargs)


def test_required_mistakes_are_present():
    required = {
        "softmax": {"softmax": {"no_max_subtraction", "wrong_axis", "whole_array"}},
        "attention": {"scaled_dot_product_attention": {"missing_scale", "scaled_by_d_k", "mask_after_softmax"}},
        "multi-head-attention": {"multi_head_attention": {
            "heads_split_wrongly", "output_projection_forgotten", "scaled_by_d_model"}},
        "ngram": {
            "ngram_probability": {"missing_end_token", "start_in_vocabulary", "whole_context", "no_smoothing"},
            "sentence_probability": {"missing_end_token", "start_in_vocabulary", "no_smoothing"},
        },
        "cosine-similarity": {"cosine_similarity": {"not_normalised"}},
        "causal-mask": {"causal_mask": {"transposed", "diagonal_excluded"}},
        "layer-norm": {"layer_norm": {"unbiased_variance", "no_epsilon", "wrong_axis"}},
        "positional-encoding": {"positional_encoding": {"sin_cos_swapped", "exponent_uses_i"}},
        "feed-forward": {"feed_forward": {"no_relu", "relu_after_output"}},
        "perplexity": {"perplexity": {"missing_negative_sign", "sum_instead_of_mean"}},
        "greedy-decoding": {"greedy_next_token": {"argmin", "flattened_argmax"}},
    }
    for slug, functions in required.items():
        for name, ids in functions.items():
            assert ids <= set(MISTAKES[slug][name]), (slug, name)
    assert "weights_not_returned" in MISTAKE_TEXT


def test_mistakes_mirror_the_reference_table():
    assert set(MISTAKES) == set(REFERENCE)
    for slug, functions in MISTAKES.items():
        assert set(functions) <= set(REFERENCE[slug])


@pytest.mark.parametrize("slug, name, mistake_id", VARIANTS)
def test_variant_has_the_reference_signature(slug, name, mistake_id):
    variant = MISTAKES[slug][name][mistake_id]
    assert inspect.signature(variant) == inspect.signature(REFERENCE[slug][name])


def test_every_mistake_has_text_in_both_languages_and_no_text_is_orphaned():
    used = {mistake_id for _, _, mistake_id in VARIANTS}
    assert used <= set(MISTAKE_TEXT)
    assert set(MISTAKE_TEXT) - used == STRUCTURAL
    for mistake_id, text in MISTAKE_TEXT.items():
        assert set(text) == {"en", "zh"}, mistake_id
        assert text["en"].strip() and text["en"].endswith(".") and "\n" not in text["en"], mistake_id
        assert re.search(r"[\u4e00-\u9fff]", text["zh"]) and text["zh"].endswith("。"), mistake_id


@pytest.mark.parametrize("slug, name, mistake_id", VARIANTS)
def test_variant_differs_from_the_reference(slug, name, mistake_id):
    reference, variant = REFERENCE[slug][name], MISTAKES[slug][name][mistake_id]
    assert any(differs(run(variant, a, kw), run(reference, a, kw)) for a, kw in CASES[slug][name])


def test_the_harness_sees_no_difference_between_the_reference_and_itself():
    for slug, functions in CASES.items():
        for name, cases in functions.items():
            for args, kwargs in cases:
                assert not differs(run(REFERENCE[slug][name], args, kwargs), REFERENCE[slug][name](*args, **kwargs))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_every_variant_differs_on_fresh_random_inputs(seed):
    cases = _cases(seed)
    for slug, name, mistake_id in VARIANTS:
        reference, variant = REFERENCE[slug][name], MISTAKES[slug][name][mistake_id]
        assert any(differs(run(variant, a, kw), run(reference, a, kw)) for a, kw in cases[slug][name]), mistake_id


@pytest.mark.parametrize("slug, name", sorted({(s, n) for s, n, _ in VARIANTS}))
def test_variants_are_distinguishable_from_each_other(slug, name):
    outputs = {
        mistake_id: [run(variant, a, kw) for a, kw in CASES[slug][name]]
        for mistake_id, variant in MISTAKES[slug][name].items()
    }
    for first, second in itertools.combinations(outputs, 2):
        assert any(differs(x, y) for x, y in zip(outputs[first], outputs[second])), (first, second)


# where a mistake cannot show, the variant must give the reference's answer:
# evidence that it reproduces that one mistake and nothing else
rng = np.random.default_rng(11)
_x = rng.normal(size=(2, 6, 4))
_w = [rng.normal(size=(4, 4)) for _ in range(4)]
_q, _k, _v = rng.normal(size=(3, 3, 4))
AGREES = [
    ("softmax", "softmax", "no_max_subtraction", (rng.normal(size=(3, 4)),), {}),
    ("softmax", "softmax", "wrong_axis", (rng.normal(size=(3, 4)),), {"axis": 0}),
    ("softmax", "softmax", "axis_ignored", (rng.normal(size=(3, 4)),), {"axis": 1}),
    ("softmax", "softmax", "whole_array", (rng.normal(size=(1, 5)),), {}),
    ("attention", "scaled_dot_product_attention", "missing_scale", (_q[:, :1], _k[:, :1], _v), {}),
    ("attention", "scaled_dot_product_attention", "scaled_by_d_k", (_q[:, :1], _k[:, :1], _v), {}),
    ("attention", "scaled_dot_product_attention", "mask_after_softmax", (_q, _k, _v), {"mask": None}),
    ("attention", "scaled_dot_product_attention", "masked_scores_zeroed", (_q, _k, _v), {"mask": np.ones((3, 3), bool)}),
    ("attention", "scaled_dot_product_attention", "mask_inverted", (_q, _k, _v), {"mask": None}),
    ("attention", "scaled_dot_product_attention", "softmax_over_queries", (_q[:1], _k[:1], _v[:1]), {}),
    ("multi-head-attention", "multi_head_attention", "heads_split_wrongly", (_x, *_w, 1), {}),
    ("multi-head-attention", "multi_head_attention", "heads_interleaved", (_x, *_w, 1), {}),
    ("multi-head-attention", "multi_head_attention", "output_projection_forgotten",
     (_x, _w[0], _w[1], _w[2], np.eye(4), 2), {}),
    ("multi-head-attention", "multi_head_attention", "scaled_by_d_model", (_x, *_w, 1), {"mask": causal_mask(6)}),
    ("ngram", "ngram_probability", "missing_end_token", (CORPUS, ["我"], "喜欢"), {"k": 0}),
    ("ngram", "ngram_probability", "start_in_vocabulary", (CORPUS, ["我"], "喜欢"), {"k": 0}),
    ("ngram", "ngram_probability", "whole_context", (CORPUS, ["喜欢", "苹果"], "</s>"), {"n": 3, "k": 1}),
    ("ngram", "ngram_probability", "no_smoothing", (CORPUS, ["我"], "喜欢"), {"k": 0}),
    ("ngram", "ngram_probability", "smoothing_without_vocabulary", (CORPUS, ["我"], "喜欢"), {"k": 0}),
    ("ngram", "sentence_probability", "start_in_vocabulary", (CORPUS, ["我", "喜欢"]), {"k": 0}),
    ("ngram", "sentence_probability", "no_smoothing", (CORPUS, ["我", "喜欢"]), {"k": 0}),
    ("ngram", "sentence_probability", "smoothing_without_vocabulary", (CORPUS, ["我", "喜欢"]), {"k": 0}),
    ("cosine-similarity", "cosine_similarity", "not_normalised", (np.array([0.6, 0.8]), np.array([1.0, 0.0])), {}),
    ("cosine-similarity", "cosine_similarity", "zero_vector_nan", (rng.normal(size=(2, 3)), rng.normal(size=3)), {}),
    ("causal-mask", "causal_mask", "transposed", (1,), {}),
    ("layer-norm", "layer_norm", "no_epsilon", (rng.normal(size=(2, 4)), np.ones(4), np.zeros(4)), {"eps": 0.0}),
    ("layer-norm", "layer_norm", "wrong_axis", (rng.normal(size=5), np.ones(5), np.zeros(5)), {}),
    ("layer-norm", "layer_norm", "eps_outside_sqrt", (rng.normal(size=(2, 4)), np.ones(4), np.zeros(4)), {"eps": 0.0}),
    ("positional-encoding", "positional_encoding", "sin_cos_swapped", (0, 4), {}),
    ("positional-encoding", "positional_encoding", "exponent_uses_i", (5, 1), {}),
    ("feed-forward", "feed_forward", "no_relu",
     (np.ones((2, 2)), np.ones((2, 3)), np.ones(3), -np.ones((3, 2)), np.zeros(2)), {}),
    ("feed-forward", "feed_forward", "relu_after_output",
     (np.ones((2, 2)), np.ones((2, 3)), np.ones(3), np.ones((3, 2)), np.zeros(2)), {}),
    ("perplexity", "perplexity", "missing_negative_sign", (np.ones(3),), {}),
    ("perplexity", "perplexity", "sum_instead_of_mean", (np.array([0.3]),), {}),
    ("perplexity", "perplexity", "direct_product", (np.array([0.3, 0.5, 0.9]),), {}),
    ("greedy-decoding", "greedy_next_token", "argmin", (np.array([[1.0, 1.0]]),), {}),
    ("greedy-decoding", "greedy_next_token", "flattened_argmax", (np.array([0.5, 3.0, -1.0]),), {}),
]


@pytest.mark.parametrize("slug, name, mistake_id, args, kwargs", AGREES,
                         ids=[f"{s}:{m}" for s, _, m, _, _ in AGREES])
def test_variant_is_only_that_mistake(slug, name, mistake_id, args, kwargs):
    expected = REFERENCE[slug][name](*args, **kwargs)
    assert not differs(run(MISTAKES[slug][name][mistake_id], args, kwargs), expected)


def test_specific_symptoms():
    # naive softmax turns 1e3 inputs into nan
    assert np.isnan(MISTAKES["softmax"]["softmax"]["no_max_subtraction"](np.array([1000.0, 999.0]))).any()
    # d_k = 64 divided by 64 instead of 8
    attention = MISTAKES["attention"]["scaled_dot_product_attention"]["scaled_by_d_k"]
    q, k = np.zeros((1, 64)), np.zeros((2, 64))
    q[0, 0], k[0, 0], k[1, 0] = 1.0, 112.0, 96.0
    _, weights = attention(q, k, np.eye(2))
    np.testing.assert_allclose(weights[0, 0], 1 / (1 + np.exp(-16 / 64)))
    # missing "</s>": the sentence probability loses its final factor and "</s>" gets nothing
    sentence = MISTAKES["ngram"]["sentence_probability"]["missing_end_token"]
    assert sentence(CORPUS, ["我", "喜欢", "苹果"]) == pytest.approx(4 / 9)
    assert MISTAKES["ngram"]["ngram_probability"]["missing_end_token"](CORPUS, ["苹果"], "</s>") == 0.0
    # a long text's perplexity becomes inf through the underflowing product
    assert MISTAKES["perplexity"]["perplexity"]["direct_product"](np.full(1000, 1e-3)) == np.inf
    # the flattened argmax returns one int for a batch
    assert MISTAKES["greedy-decoding"]["greedy_next_token"]["flattened_argmax"](np.eye(3)) == 0

"""Check suites and judge(), without sandbox or Django: hand-made CallOutcomes."""

import copy
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import engine.mistakes
from grader.checks import (
    SUITES,
    Case,
    CheckConfigError,
    build_cases,
    default_params,
    judge,
    suite_functions,
    validate_params,
)
from grader.sandbox.types import Call, CallOutcome

SEEDS = (0, 1, 2**63 - 1)
SLUGS = (
    "softmax",
    "attention",
    "multi-head-attention",
    "ngram",
    "cosine-similarity",
    "causal-mask",
    "layer-norm",
    "positional-encoding",
    "feed-forward",
    "perplexity",
    "greedy-decoding",
)


def returned(case, value):
    return CallOutcome(name=case.call.name, kind="returned", value=value)


def as_returned(value):
    """What the sandbox hands back: plain arrays, tuples of them."""
    if isinstance(value, tuple):
        return tuple(np.asarray(v) for v in value)
    return np.asarray(value)


_CACHE = {}


def cases_for(suite, seed):
    if (suite, seed) not in _CACHE:
        _CACHE[suite, seed] = build_cases(suite, params={}, seed=seed)
    return _CACHE[suite, seed]


def messages(verdict):
    return verdict.message_en + "\n" + verdict.message_zh


# ---------------------------------------------------------------------------
# The registry


def test_every_slug_has_a_suite():
    assert set(SUITES) == set(SLUGS)
    assert suite_functions("ngram") == ("ngram_probability", "sentence_probability")


@pytest.mark.parametrize("suite", SLUGS)
@pytest.mark.parametrize("seed", SEEDS)
def test_cases_are_well_formed(suite, seed):
    cases = cases_for(suite, seed)
    names = [c.call.name for c in cases]
    assert len(set(names)) == len(names)
    assert any(not c.hidden for c in cases) and any(c.hidden for c in cases)
    for case in cases:
        assert isinstance(case, Case)
        assert case.call.name[0] == ("h" if case.hidden else "v")
        assert case.call.function in suite_functions(suite)
        assert case.weight > 0
        assert case.name_en and case.name_zh
        # What a visible case shows is built from our inputs; a hidden case shows none.
        assert bool(case.shown) == (not case.hidden)
    # Visible first: a student reads them in that order.
    hidden_flags = [c.hidden for c in cases]
    assert hidden_flags == sorted(hidden_flags)


# ---------------------------------------------------------------------------
# The reference passes, and so does the reference as plain lists


@pytest.mark.parametrize("suite", SLUGS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_output_passes_every_case(suite, seed):
    for case in cases_for(suite, seed):
        verdict = judge(case, returned(case, as_returned(case.expected)))
        assert verdict.passed, (case.name_en, verdict.message_en)
        assert verdict.mistake == ""


@pytest.mark.parametrize("suite", SLUGS)
def test_reference_recomputed_from_the_call_passes(suite):
    # Independent of what build stored: run the engine on the very args of the
    # Call, as a correct submission would see them.
    import engine

    for case in cases_for(suite, 7):
        fn = engine.REFERENCE[suite][case.call.function]
        value = fn(*copy.deepcopy(case.call.args))
        assert judge(case, returned(case, as_returned(value))).passed, case.name_en


def test_lists_are_accepted_as_arrays():
    case = cases_for("softmax", 0)[0]
    assert judge(case, returned(case, case.expected.tolist())).passed
    att = cases_for("attention", 0)[1]
    out, weights = att.expected
    assert judge(att, returned(att, [out.tolist(), weights.tolist()])).passed


# ---------------------------------------------------------------------------
# Known mistakes


@pytest.mark.parametrize("suite", SLUGS)
def test_every_engine_mistake_is_named_on_some_case(suite):
    named = set()
    wanted = set()
    for function, variants in engine.mistakes.MISTAKES[suite].items():
        wanted |= set(variants)
        for seed in SEEDS[:2]:
            for case in cases_for(suite, seed):
                if case.call.function != function:
                    continue
                for mistake_id, variant in variants.items():
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        try:
                            value = variant(*copy.deepcopy(case.call.args))
                        except Exception:
                            continue
                    verdict = judge(case, returned(case, as_returned(value)))
                    if verdict.passed:
                        continue
                    if verdict.mistake == mistake_id:
                        named.add(mistake_id)
                        text = engine.mistakes.MISTAKE_TEXT[mistake_id]
                        assert text["en"] in verdict.message_en
                        assert text["zh"] in verdict.message_zh
    assert wanted <= named, f"never named: {sorted(wanted - named)}"


def test_naive_softmax_nan_is_named_even_when_the_pattern_differs():
    case = next(c for c in cases_for("softmax", 0) if c.name_en.startswith("large inputs [1000"))
    partial = case.expected.copy()
    partial[-1] = np.inf  # not the variant's all-NaN pattern, still overflow
    verdict = judge(case, returned(case, partial))
    assert not verdict.passed
    assert verdict.mistake == "no_max_subtraction"
    assert "subtract the max" in verdict.message_en
    assert "inf" in verdict.message_en and "index (2,)" in verdict.message_en
    assert "减去每个切片的最大值" in verdict.message_zh


def test_attention_single_array_is_weights_not_returned():
    for case in cases_for("attention", 0):
        output, _ = case.expected
        verdict = judge(case, returned(case, output))
        assert not verdict.passed
        assert verdict.mistake == "weights_not_returned"
        assert "(output, weights)" in verdict.message_en


def test_attention_swapped_parts_are_reported():
    case = next(c for c in cases_for("attention", 0) if c.expected[0].shape != c.expected[1].shape)
    output, weights = case.expected
    verdict = judge(case, returned(case, (weights, output)))
    assert not verdict.passed and "wrong order" in verdict.message_en


def test_attention_masked_weights_must_be_exactly_zero():
    case = next(c for c in cases_for("attention", 0) if c.exact_zeros)
    output, weights = case.expected
    leaky = weights.copy()
    leaky[case.exact_zeros[1]] = 1e-12  # within atol, but not a masked weight of 0
    verdict = judge(case, returned(case, (output, leaky)))
    assert not verdict.passed
    assert "exactly 0" in verdict.message_en and "恰好为 0" in verdict.message_zh


# ---------------------------------------------------------------------------
# Messages


def test_shape_mismatch_message():
    case = next(c for c in cases_for("softmax", 0) if c.expected.ndim == 3)
    wrong = np.swapaxes(case.expected, 1, 2)
    verdict = judge(case, returned(case, wrong))
    assert not verdict.passed
    want, got = str(case.expected.shape), str(wrong.shape)
    assert f"expected {want}, got {got}" in verdict.message_en
    assert f"期望 {want}，得到 {got}" in verdict.message_zh


def test_values_off_message_visible():
    case = cases_for("softmax", 0)[0]
    assert case.name_en.startswith("worked example")
    verdict = judge(case, returned(case, np.array([0.5, 0.5])))
    assert not verdict.passed
    assert "index (0,)" in verdict.message_en
    assert "got 0.5" in verdict.message_en and "expected 0.880797" in verdict.message_en
    assert "max abs diff" in verdict.message_en
    assert "softmax(x=np.array([14., 12.]))" in verdict.message_en


def test_nan_message_visible():
    case = next(c for c in cases_for("layer-norm", 0) if not c.hidden)
    bad = case.expected.copy()
    bad.flat[1] = np.nan
    verdict = judge(case, returned(case, bad))
    assert not verdict.passed
    assert "NaN at index" in verdict.message_en and "NaN" in verdict.message_zh
    assert "sqrt(var + eps)" in verdict.message_en


def test_textbook_softmax_expected_value():
    case = cases_for("softmax", 3)[0]
    assert np.allclose(case.expected, [0.8808, 0.1192], atol=1e-4)
    att = cases_for("attention", 3)[0]
    assert np.allclose(att.expected[1], [[0.8808, 0.1192]], atol=1e-4)


def test_not_run_and_raised_visible():
    case = cases_for("softmax", 0)[0]
    verdict = judge(case, CallOutcome(name=case.call.name, kind="not_run"), status="timeout")
    assert not verdict.passed and "time limit" in verdict.message_en and "未运行" in verdict.message_zh
    # The one real cause, never another: a file that did not load is not a time limit.
    verdict = judge(case, CallOutcome(name=case.call.name, kind="not_run"), status="error")
    assert "did not load" in verdict.message_en and "time" not in verdict.message_en
    assert "没有加载成功" in verdict.message_zh and "超" not in verdict.message_zh
    tb = 'Traceback (most recent call last):\n  File "submission.py", line 4, in softmax\nNameError: nmpy'
    verdict = judge(case, CallOutcome(case.call.name, "raised", traceback=tb, exception_type="NameError"))
    assert "NameError" in verdict.message_en and "line 4" in verdict.message_en and "line 4" in verdict.message_zh
    verdict = judge(case, CallOutcome(case.call.name, "bad_return", detail="a str 'hello'"))
    assert "a str 'hello'" in verdict.message_en and "a single" not in verdict.message_en


def test_bool_and_int_outputs_need_their_dtype():
    mask_case = cases_for("causal-mask", 0)[0]
    verdict = judge(mask_case, returned(mask_case, mask_case.expected.astype(np.int64)))
    assert not verdict.passed and "dtype bool" in verdict.message_en and "values are right" in verdict.message_en
    assert judge(mask_case, returned(mask_case, mask_case.expected.tolist())).passed
    greedy = cases_for("greedy-decoding", 0)[0]
    verdict = judge(greedy, returned(greedy, float(greedy.expected)))
    assert not verdict.passed and "integer" in verdict.message_en
    assert judge(greedy, returned(greedy, int(greedy.expected))).passed
    assert judge(greedy, returned(greedy, np.int64(greedy.expected))).passed


@pytest.mark.parametrize(
    "value",
    [None, "text", [[1.0, 2.0], [3.0]], {"a": 1}, (1.0, (2.0, 3.0)), [np.zeros(2), np.zeros(3)], True],
)
def test_odd_values_fail_cleanly(value):
    for suite in ("softmax", "attention", "ngram", "causal-mask", "greedy-decoding"):
        for case in cases_for(suite, 0)[:2] + cases_for(suite, 0)[-2:]:
            verdict = judge(case, returned(case, value))
            assert not verdict.passed
            assert verdict.message_en and verdict.message_zh


def test_unknown_outcome_kind_is_our_bug():
    case = cases_for("softmax", 0)[0]
    with pytest.raises(ValueError):
        judge(case, CallOutcome(case.call.name, "exploded"))


# ---------------------------------------------------------------------------
# Hidden tests stay hidden

MARKER = "LEAK_7c1f"
MARKER_NUMBER = 987654.125
MARKER_SIZE = 4321


def _hostile_outcomes(case):
    exp = case.expected
    shaped = exp[0] if isinstance(exp, tuple) else exp
    wrong = np.full(shaped.shape, MARKER_NUMBER)
    yield CallOutcome(case.call.name, "raised", traceback=f'File "x.py", line 1\nValueError: {MARKER}', exception_type=MARKER)
    yield CallOutcome(case.call.name, "bad_return", detail=f"str {MARKER!r}")
    yield CallOutcome(case.call.name, "not_run", traceback=MARKER, detail=MARKER)
    yield returned(case, [MARKER])
    yield returned(case, MARKER)
    yield returned(case, wrong)
    yield returned(case, (wrong, wrong))
    yield returned(case, np.full(shaped.shape + (2,), MARKER_NUMBER))
    # A shape, a length or a dtype can carry an input value out just as well.
    yield returned(case, np.zeros((MARKER_SIZE, 3)))
    yield returned(case, [0.0] * MARKER_SIZE)
    yield returned(case, np.full(shaped.shape, True) if shaped.dtype != np.bool_ else np.zeros(shaped.shape))
    yield returned(case, (np.zeros(MARKER_SIZE), np.zeros(MARKER_SIZE)))
    if isinstance(exp, tuple):
        yield returned(case, (exp[0], np.full(exp[1].shape, MARKER_NUMBER)))


@pytest.mark.parametrize("suite", SLUGS)
def test_hidden_messages_carry_nothing_from_the_submission(suite):
    for case in cases_for(suite, 0):
        for outcome in _hostile_outcomes(case):
            verdict = judge(case, outcome)
            assert not verdict.passed
            text = messages(verdict)
            if case.hidden:
                assert MARKER not in text
                assert "987654" not in text
                assert "4321" not in text
                assert "float64" not in text and "int64" not in text
            assert not case.hidden or "Call:" not in text


def test_visible_messages_do_show_the_submission():
    # The counterpart of the test above: the marker does reach visible feedback,
    # so its absence from hidden feedback means something.
    case = cases_for("softmax", 0)[0]
    outcome = CallOutcome(case.call.name, "raised", traceback=f"ValueError: {MARKER}", exception_type="ValueError")
    assert MARKER in judge(case, outcome).message_en
    assert "987654" in judge(case, returned(case, np.full(2, MARKER_NUMBER))).message_en
    assert "4321" in judge(case, returned(case, np.zeros((MARKER_SIZE, 3)))).message_en


# ---------------------------------------------------------------------------
# Seeds and inputs


def _fingerprint(cases):
    def plain(x):
        if isinstance(x, np.ndarray):
            return (x.dtype.str, x.shape, x.tobytes())
        if isinstance(x, (list, tuple)):
            return tuple(plain(v) for v in x)
        return x

    return [(c.call.name, c.call.function, c.name_en, plain(c.call.args), c.weight, c.hidden) for c in cases]


@pytest.mark.parametrize("suite", SLUGS)
def test_same_seed_same_cases_other_seed_other_cases(suite):
    a = build_cases(suite, params={}, seed=42)
    b = build_cases(suite, params={}, seed=42)
    c = build_cases(suite, params={}, seed=43)
    assert _fingerprint(a) == _fingerprint(b)
    assert _fingerprint(a) != _fingerprint(c)
    for x, y in zip(a, b):
        assert str(x.expected) == str(y.expected)


def test_float32_inputs_stay_float32():
    cases = [c for c in cases_for("softmax", 0) if "float32" in c.name_en]
    assert {c.hidden for c in cases} == {False, True}
    for case in cases:
        assert case.call.args[0].dtype == np.float32
        assert case.rtol == 1e-5
        # Expected is the float64 softmax of exactly these float32 values.
        x = case.call.args[0].astype(np.float64)
        axis = case.call.args[1] if len(case.call.args) > 1 else -1
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        assert np.allclose(case.expected, e / e.sum(axis=axis, keepdims=True), rtol=1e-12)
        # A float32 computation passes.
        x32 = case.call.args[0]
        e32 = np.exp(x32 - x32.max(axis=axis, keepdims=True))
        assert judge(case, returned(case, (e32 / e32.sum(axis=axis, keepdims=True)).astype(np.float64))).passed


def test_other_inputs_are_float64():
    for suite in ("attention", "multi-head-attention", "layer-norm", "feed-forward", "cosine-similarity"):
        for case in cases_for(suite, 0):
            for arg in case.call.args:
                if isinstance(arg, np.ndarray):
                    assert arg.dtype in (np.float64, np.bool_), (suite, case.name_en)


def test_attention_masks_never_block_a_whole_row():
    for seed in SEEDS:
        for case in cases_for("attention", seed) + cases_for("multi-head-attention", seed):
            mask = case.call.args[3] if case.call.function.startswith("scaled") and len(case.call.args) > 3 else None
            if case.call.function == "multi_head_attention" and len(case.call.args) > 6:
                mask = case.call.args[6]
            if mask is not None:
                assert mask.dtype == np.bool_
                assert mask.any(axis=-1).all()


def test_softmax_edge_cases_present():
    cases = cases_for("softmax", 5)
    inputs = [c.call.args[0] for c in cases]
    axes = {c.call.args[1] for c in cases if len(c.call.args) > 1}
    assert {0, 1, 2, -2, -3} <= axes
    assert any(np.isneginf(x).any() for x in inputs)
    assert any(np.nanmax(np.abs(x[np.isfinite(x)])) >= 1e3 for x in inputs)
    assert any(np.max(x) < -9e3 for x in inputs)
    assert any(x.ndim == 3 for x in inputs)
    assert any(1 in x.shape for x in inputs)


def test_ngram_calls_are_json_friendly():
    for seed in SEEDS:
        for case in cases_for("ngram", seed):
            corpus = case.call.args[0]
            assert isinstance(corpus, list) and all(isinstance(s, list) for s in corpus)
            assert all(type(t) is str for s in corpus for t in s)
            assert type(case.call.args[1]) is list and all(type(t) is str for t in case.call.args[1])
            json.dumps(case.call.args, ensure_ascii=False)
    fns = {c.call.function for c in cases_for("ngram", 0)}
    assert fns == {"ngram_probability", "sentence_probability"}
    # Chinese tokens, and the textbook-style worked example 2/3.
    first = cases_for("ngram", 0)[0]
    assert "喜欢" in first.call.args[2] and float(first.expected) == pytest.approx(2 / 3)


# ---------------------------------------------------------------------------
# Parameters


def test_default_and_validated_params():
    for suite in SLUGS:
        defaults = default_params(suite)
        assert defaults["rtol"] == 1e-6 and defaults["atol"] == 1e-9
        assert validate_params(suite, {}) == defaults
    merged = validate_params("softmax", {"visible": 0, "hidden": 1, "rtol": 1e-5})
    assert merged["visible"] == 0 and merged["hidden"] == 1 and merged["rtol"] == 1e-5
    assert validate_params("softmax", {"visible": 2.0})["visible"] == 2  # JSON 2.0 is 2


def test_params_change_the_cases():
    few = build_cases("softmax", params={"visible": 0, "hidden": 0}, seed=1)
    many = build_cases("softmax", params={"visible": 4, "hidden": 10}, seed=1)
    assert len(many) == len(few) + 14
    loose = build_cases("softmax", params={"rtol": 1e-3}, seed=1)
    assert all(c.rtol == 1e-3 for c in loose if "float32" not in c.name_en)


@pytest.mark.parametrize(
    "suite, params, fragment",
    [
        ("nope", {}, "unknown check suite"),
        (None, {}, "unknown check suite"),
        ("softmax", {"visble": 3}, "unknown parameter"),
        ("softmax", {"visible": "3"}, "expected an integer"),
        ("softmax", {"visible": True}, "boolean"),
        ("softmax", {"visible": 2.5}, "expected an integer"),
        ("softmax", {"hidden": -1}, "out of range"),
        ("softmax", {"hidden": 10_000}, "out of range"),
        ("softmax", {"rtol": "1e-6"}, "expected a number"),
        ("softmax", {"rtol": float("nan")}, "finite"),
        ("softmax", {"atol": 1.0}, "out of range"),
        ("softmax", {"scale": 0}, "out of range"),
        ("softmax", {"min_size": 5, "max_size": 3}, "must not exceed"),
        ("ngram", {"vocab_size": 1}, "out of range"),
        ("softmax", ["visible"], "JSON object"),
    ],
)
def test_bad_params_raise(suite, params, fragment):
    with pytest.raises(CheckConfigError, match=fragment):
        validate_params(suite, params)
    with pytest.raises(CheckConfigError, match=fragment):
        build_cases(suite, params=params, seed=1)


@pytest.mark.parametrize("seed", [-1, 2**63, 1.5, "3", True, None])
def test_bad_seed_raises(seed):
    with pytest.raises(CheckConfigError, match="seed"):
        build_cases("softmax", params={}, seed=seed)


def test_judge_needs_no_django():
    import subprocess
    import sys

    code = (
        "import sys, grader.checks as C\n"
        "from grader.sandbox.types import CallOutcome\n"
        "cs = C.build_cases('attention', params={}, seed=1)\n"
        "assert all(C.judge(c, CallOutcome(c.call.name, 'returned', value=c.expected)).passed for c in cs)\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_call_is_a_sandbox_call():
    case = cases_for("softmax", 0)[0]
    assert isinstance(case.call, Call) and case.call.kwargs == {}


@pytest.mark.parametrize("suite", SUITES)
def test_every_test_keeps_its_key_whatever_the_seed(suite):
    keys = [case.key for case in build_cases(suite, params={}, seed=1)]
    assert len(set(keys)) == len(keys) and all(keys)
    for seed in (2, 2**62 + 5):
        assert [case.key for case in build_cases(suite, params={}, seed=seed)] == keys
    # More random cases add keys at the end of their group, and keep the others.
    more = [case.key for case in build_cases(suite, params={"visible": 5, "hidden": 9}, seed=1)]
    assert set(keys) <= set(more)

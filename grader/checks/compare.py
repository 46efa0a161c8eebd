"""judge(): one case's outcome -> a Verdict, on the trusted side.

Rules that keep hidden tests hidden (THREATS.md item 7): a hidden case's
message is built only from fixed texts, shapes, dtype names, counts and known
mistake texts. It never quotes a traceback, an exception type or message, a
`detail`, or any value the submission returned, nor an index into the output
(where a NaN appears says where a large input was), nor the shape, dtype or
length of what came back: a submission can encode an input value in a shape
(np.zeros(int(x[0] * 1000))), so "got (14523,)" would read the input out.
The expected shape is ours and is stated; so are fixed categories and mistake
texts, which reveal at most which of a handful of outcomes occurred.

Comparison rules:
- float outputs: numpy.isclose with the case's rtol/atol and equal_nan=False,
  shapes must be equal (no broadcasting), NaN/inf where the expected value is
  finite is reported as such;
- float outputs may come back as ints (a probability of 0) but not as bools;
- int outputs (token ids) must have an integer dtype and be exactly equal;
- bool outputs (masks) must have dtype bool and be exactly equal. 0/1 integers
  are refused with a message saying so: used as a numpy index, an int array
  picks rows 0 and 1 instead of the True positions, so it is not a mask;
- Case.exact_zeros positions must be exactly 0.0 (attention weights where the
  mask is False), whatever the tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.checks import messages as M
from grader.checks.base import KIND_ARRAY, KIND_BOOL, KIND_INT, KIND_SCALAR, KIND_TUPLE, Case, Verdict
from grader.checks.messages import Bilingual
from grader.sandbox.types import CallOutcome

# Values we print in full when the output is this small.
SMALL_OUTPUT = 12
SMALL_MASK = 64
MAX_MISTAKES_SHOWN = 3

# Mistakes the judge recognises from the structure of the answer; the engine
# may describe them too (engine.mistakes.MISTAKE_TEXT wins when it does).
LOCAL_MISTAKE_TEXT = {
    "weights_not_returned": Bilingual(
        "you returned only the output; the function must return the tuple (output, weights).",
        "你只返回了 output；函数必须返回元组 (output, weights)。",
    ),
}


@dataclass
class Problem:
    """What is wrong with a returned value, said for visible and for hidden cases."""

    visible: Bilingual  # may quote the submission's values
    hidden: Bilingual  # fixed texts, shapes, counts only
    nonfinite: bool = False
    mistake: str = ""  # a structural mistake (e.g. weights_not_returned)


def _mistake_text(mistake_id: str) -> Bilingual:
    try:
        from engine.mistakes import MISTAKE_TEXT
    except ImportError:
        MISTAKE_TEXT = {}
    # The engine is pure and knows nothing of grader types: its texts are {"en", "zh"} dicts.
    engine_text = MISTAKE_TEXT.get(mistake_id)
    if engine_text:
        return Bilingual(engine_text["en"], engine_text["zh"])
    return LOCAL_MISTAKE_TEXT.get(mistake_id) or Bilingual(
        f"this matches a known mistake ({mistake_id}).", f"这与一个常见错误相符（{mistake_id}）。"
    )


# ----------------------------------------------------------------------------
# Describing what was expected


def _expectation(case: Case) -> Bilingual:
    exp = case.expected
    if case.kind == KIND_TUPLE:
        names = ", ".join(case.parts)
        shapes = ", ".join(M.fmt_shape(p.shape) for p in exp)
        return Bilingual(
            f"a tuple ({names}) with shapes {shapes}",
            f"元组 ({names})，形状分别为 {shapes}",
        )
    if case.kind == KIND_SCALAR or (exp.shape == () and case.kind == KIND_ARRAY):
        return Bilingual("a single number", "一个数")
    if case.kind == KIND_INT:
        if exp.shape == ():
            return "a single integer token id", "一个整数 token id"
        return Bilingual(f"an integer array of shape {M.fmt_shape(exp.shape)}", f"形状为 {M.fmt_shape(exp.shape)} 的整数数组")
    if case.kind == KIND_BOOL:
        return Bilingual(f"a bool array of shape {M.fmt_shape(exp.shape)}", f"形状为 {M.fmt_shape(exp.shape)} 的布尔数组")
    return Bilingual(f"an array of shape {M.fmt_shape(exp.shape)}", f"形状为 {M.fmt_shape(exp.shape)} 的数组")


def _prefix(label: str, pair: Bilingual) -> Bilingual:
    if not label:
        return pair
    return Bilingual(f"in `{label}`: {pair.en}", f"`{label}` 中：{pair.zh}")


# ----------------------------------------------------------------------------
# Checking one array


def _to_array(raw):
    """np.asarray of what came back, or None if it is not numbers."""
    if raw is None:
        return None
    try:
        arr = np.asarray(raw)
    except (ValueError, TypeError):  # ragged nested lists
        return None
    if arr.dtype.kind not in "biuf":
        return None
    return arr


def _not_numbers(raw, label: str) -> Problem:
    if raw is None:
        pair = Bilingual("your function returned None — is a `return` missing?", "你的函数返回了 None——是不是漏写了 `return`？")
        return Problem(_prefix(label, pair), _prefix(label, pair))
    visible = Bilingual(
        f"expected numbers, but numpy cannot turn what you returned into an array of numbers "
        f"(ragged nested lists or non-numeric values): {M.fmt_value(raw, 200)}",
        f"期望数字，但 numpy 无法把你的返回值转成数字数组（嵌套列表长短不一，或含非数值内容）：{M.fmt_value(raw, 200)}",
    )
    return Problem(_prefix(label, visible), _prefix(label, M.HIDDEN_NOT_NUMBERS))


def _shape_problem(arr, expected, label: str) -> Problem:
    if expected.shape == ():
        visible = Bilingual(
            f"expected a single number (shape ()), got an array of shape {M.fmt_shape(arr.shape)}",
            f"期望一个数（形状 ()），得到形状为 {M.fmt_shape(arr.shape)} 的数组",
        )
        hidden = Bilingual("expected a single number (shape ()), got an array", "期望一个数（形状 ()），得到的是数组")
    else:
        visible = Bilingual(
            f"wrong shape: expected {M.fmt_shape(expected.shape)}, got {M.fmt_shape(arr.shape)}",
            f"形状错误：期望 {M.fmt_shape(expected.shape)}，得到 {M.fmt_shape(arr.shape)}",
        )
        # Only the expected shape: the returned one could encode a hidden input.
        hidden = Bilingual(
            f"wrong shape: expected {M.fmt_shape(expected.shape)}",
            f"形状错误：期望 {M.fmt_shape(expected.shape)}",
        )
    return Problem(_prefix(label, visible), _prefix(label, hidden))


def _first(mask) -> tuple:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _at(index) -> Bilingual:
    if len(index) == 0:
        return Bilingual("", "")
    return Bilingual(f" at index {M.fmt_index(index)}", f"在索引 {M.fmt_index(index)} 处")


def _small_dump(got, expected) -> Bilingual:
    # A whole mask reads at a glance even when it is 8 × 8; float arrays do not.
    limit = SMALL_MASK if expected.dtype == np.bool_ else SMALL_OUTPUT
    if expected.size > limit or expected.ndim == 0:
        return Bilingual("", "")
    g, e = M.fmt_value(got, 400), M.fmt_value(expected, 400)
    return Bilingual(f"expected: {e}\ngot:      {g}", f"期望：{e}\n得到：{g}")


def _check_exact(case: Case, arr, expected, label: str) -> Problem | None:
    """int and bool outputs: right dtype family, then exact equality."""
    want_bool = case.kind == KIND_BOOL
    dtype_ok = arr.dtype.kind == "b" if want_bool else arr.dtype.kind in "iu"
    if not dtype_ok:
        same_values = bool(np.array_equal(arr, expected))
        if want_bool:
            want = Bilingual("expected a bool array (dtype bool)", "期望布尔数组（dtype bool）")
            right = Bilingual("; the values are right, return them as bools (e.g. dtype=bool)", "；数值是对的，请以布尔类型返回（例如 dtype=bool）")
        else:
            want = Bilingual("expected integer token ids (an integer dtype)", "期望整数 token id（整数 dtype）")
            right = Bilingual(
                "; the values are right, return them as ints (np.argmax already gives ints)",
                "；数值是对的，请以整数返回（np.argmax 本身就返回整数）",
            )
        tail = right if same_values else Bilingual("", "")
        visible = Bilingual(
            f"{want.en}, got dtype {arr.dtype.name}{tail.en}",
            f"{want.zh}，得到 dtype {arr.dtype.name}{tail.zh}",
        )
        hidden = Bilingual(want.en + tail.en, want.zh + tail.zh)
        return Problem(_prefix(label, visible), _prefix(label, hidden))
    wrong = arr != expected
    if not np.any(wrong):
        return None
    index = _first(wrong)
    if expected.ndim == 0:
        pair = Bilingual(
            f"got {M.fmt_number(arr[()])}, expected {M.fmt_number(expected[()])}",
            f"得到 {M.fmt_number(arr[()])}，期望 {M.fmt_number(expected[()])}",
        )
        return Problem(_prefix(label, pair), _prefix(label, M.HIDDEN_VALUES))
    at_en, at_zh = _at(index)
    count = int(np.count_nonzero(wrong))
    visible = Bilingual(
        f"{count} of {expected.size} values differ from expected; first{at_en}: "
        f"got {M.fmt_number(arr[index])}, expected {M.fmt_number(expected[index])}",
        f"{expected.size} 个值中有 {count} 个与期望不符；第一个{at_zh}：得到 {M.fmt_number(arr[index])}，"
        f"期望 {M.fmt_number(expected[index])}",
    )
    visible = M.join(visible, _small_dump(arr, expected))
    return Problem(_prefix(label, visible), _prefix(label, M.HIDDEN_VALUES))


def _check_float(case: Case, arr, expected, label: str, zeros) -> Problem | None:
    got = arr.astype(np.float64)
    expected = expected.astype(np.float64)
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if np.any(bad):
        index = _first(bad)
        at_en, at_zh = _at(index)
        kind = "NaN" if np.isnan(got[index]) else "inf"
        # The exercise's hint on what makes NaN/inf is added by judge(), and
        # only when no known mistake explains them better.
        visible = Bilingual(
            f"your output has {kind}{at_en} where the expected value is {M.fmt_number(expected[index])}",
            f"你的输出{at_zh}是 {kind}，而期望值是 {M.fmt_number(expected[index])}",
        )
        return Problem(_prefix(label, visible), _prefix(label, M.HIDDEN_NONFINITE), nonfinite=True)
    close = np.isclose(got, expected, rtol=case.rtol, atol=case.atol, equal_nan=False)
    if not np.all(close):
        wrong = ~close
        index = _first(wrong)
        at_en, at_zh = _at(index)
        count = int(np.count_nonzero(wrong))
        diff = float(np.max(np.abs(got[wrong] - expected[wrong]))) if np.all(np.isfinite(got[wrong])) else np.inf
        tol = f"rtol={case.rtol:g}, atol={case.atol:g}"
        if expected.ndim == 0:
            visible = Bilingual(
                f"got {M.fmt_number(got[()])}, expected {M.fmt_number(expected[()])} "
                f"(abs diff {M.fmt_number(diff)}; tolerance {tol})",
                f"得到 {M.fmt_number(got[()])}，期望 {M.fmt_number(expected[()])}"
                f"（绝对误差 {M.fmt_number(diff)}；容差 {tol}）",
            )
        else:
            visible = Bilingual(
                f"values differ from expected at {count} of {expected.size} positions; first{at_en}: "
                f"got {M.fmt_number(got[index])}, expected {M.fmt_number(expected[index])} "
                f"(max abs diff {M.fmt_number(diff)}; tolerance {tol})",
                f"{expected.size} 个位置中有 {count} 个数值与期望不符；第一个{at_zh}："
                f"得到 {M.fmt_number(got[index])}，期望 {M.fmt_number(expected[index])}"
                f"（最大绝对误差 {M.fmt_number(diff)}；容差 {tol}）",
            )
            visible = M.join(visible, _small_dump(got, expected))
        return Problem(_prefix(label, visible), _prefix(label, M.HIDDEN_VALUES))
    if zeros is not None:
        leaked = np.broadcast_to(zeros, got.shape) & (got != 0.0)
        if np.any(leaked):
            index = _first(leaked)
            at_en, at_zh = _at(index)
            fixed = Bilingual(
                "weights where the mask is False must be exactly 0; "
                "set the scores there to -inf (np.where(mask, scores, -np.inf)) before the softmax",
                "掩码为 False 的位置权重必须恰好为 0；请在 softmax 之前把这些位置的分数设为 -inf"
                "（np.where(mask, scores, -np.inf)）",
            )
            visible = M.join(
                fixed,
                (
                    f"got {M.fmt_number(got[index])}{at_en}",
                    f"{at_zh}得到 {M.fmt_number(got[index])}",
                ),
            )
            return Problem(_prefix(label, visible), _prefix(label, fixed))
    return None


def _check_array(case: Case, raw, expected, label: str = "", zeros=None) -> Problem | None:
    arr = _to_array(raw)
    if arr is None:
        return _not_numbers(raw, label)
    if arr.shape != expected.shape:
        return _shape_problem(arr, expected, label)
    if case.kind in (KIND_INT, KIND_BOOL):
        return _check_exact(case, arr, expected, label)
    if arr.dtype.kind == "b":
        # True == 1.0 would pass a softmax over one element: a type confusion, not an answer.
        pair = Bilingual("expected numbers, got bools (True/False)", "期望数值，得到的是布尔值（True/False）")
        return Problem(_prefix(label, pair), _prefix(label, pair))
    return _check_float(case, arr, expected, label, zeros)


def _check_tuple(case: Case, raw) -> Problem | None:
    parts = case.expected
    names = case.parts
    want_en, want_zh = _expectation(case)
    is_seq = isinstance(raw, (tuple, list)) and len(raw) == len(parts)
    if is_seq:
        shapes = [getattr(_to_array(r), "shape", None) for r in raw]
        fits = all(s == p.shape for s, p in zip(shapes, parts))
    if not is_seq or not fits:
        whole = _to_array(raw)
        if whole is not None and whole.shape == parts[0].shape and case.single_array_mistake:
            pair = Bilingual(
                f"expected {want_en}, got one array shaped like `{names[0]}`",
                f"期望{want_zh}，得到一个形状与 `{names[0]}` 相同的数组",
            )
            return Problem(pair, pair, mistake=case.single_array_mistake)
    if not is_seq:
        arr = _to_array(raw)
        if isinstance(raw, (tuple, list)):
            got = Bilingual(f"a sequence of {len(raw)} items", f"含 {len(raw)} 项的序列")
            category = Bilingual("a sequence of another length", "长度不同的序列")
        elif arr is not None:
            got = Bilingual("an array of shape " + M.fmt_shape(arr.shape), "形状为 " + M.fmt_shape(arr.shape) + " 的数组")
            category = Bilingual("a single array", "单个数组")
        else:
            got = category = Bilingual("something else", "其他内容")
        visible = Bilingual(f"expected {want_en}, got {got.en}", f"期望{want_zh}，得到{got.zh}")
        hidden = Bilingual(f"expected {want_en}, got {category.en}", f"期望{want_zh}，得到{category.zh}")
        return Problem(visible, hidden)
    if (
        len(parts) == 2
        and parts[0].shape != parts[1].shape
        and shapes[0] == parts[1].shape
        and shapes[1] == parts[0].shape
    ):
        pair = Bilingual(
            f"the parts are in the wrong order: return ({', '.join(names)}), not ({', '.join(reversed(names))})",
            f"各部分顺序错了：应返回 ({', '.join(names)})，而不是 ({', '.join(reversed(names))})",
        )
        return Problem(pair, pair)
    problems = [
        _check_array(case, r, p, label=name, zeros=case.exact_zeros.get(i))
        for i, (r, p, name) in enumerate(zip(raw, parts, names))
    ]
    problems = [p for p in problems if p is not None]
    if not problems:
        return None
    return Problem(
        M.join(*(p.visible for p in problems)),
        M.join(*(p.hidden for p in problems)),
        nonfinite=any(p.nonfinite for p in problems),
    )


# ----------------------------------------------------------------------------
# Known mistakes


def _matches(case: Case, raw, mistake_value) -> bool:
    if isinstance(mistake_value, tuple):
        return (
            isinstance(raw, (tuple, list))
            and len(raw) == len(mistake_value)
            and all(_matches(case, r, m) for r, m in zip(raw, mistake_value))
        )
    arr = _to_array(raw)
    if arr is None or arr.shape != mistake_value.shape:
        return False
    if case.kind in (KIND_INT, KIND_BOOL):
        return bool(np.array_equal(arr, mistake_value))
    # equal_nan: the naive softmax gives NaN where exp overflowed, and so does
    # the student who wrote it; that pattern is the match we are looking for.
    return bool(
        np.allclose(
            arr.astype(np.float64),
            mistake_value.astype(np.float64),
            rtol=case.rtol,
            atol=case.atol,
            equal_nan=True,
        )
    )


def _nonfinite_within(raw, variant) -> bool:
    """Whether every NaN/inf of the answer sits where the mistake variant has one too.

    The variant that names "exp overflowed" is NaN exactly where exp overflows;
    an answer that is NaN elsewhere (a whole row underflowed after shifting by
    the maximum of the whole array) has another cause.
    """
    if isinstance(variant, tuple):
        return (
            isinstance(raw, (tuple, list))
            and len(raw) == len(variant)
            and all(_nonfinite_within(r, v) for r, v in zip(raw, variant))
        )
    arr = _to_array(raw)
    if arr is None or arr.shape != variant.shape:
        return False
    got_bad = ~np.isfinite(arr.astype(np.float64))
    return bool(np.all(~got_bad | ~np.isfinite(variant.astype(np.float64))))


def _overflow_fallback(case: Case, raw) -> list[str]:
    """The case's nonfinite mistake, when the answer's NaN/inf are where that mistake puts them."""
    variant = case.mistakes.get(case.nonfinite_mistake)
    if variant is None:
        return []
    try:
        return [case.nonfinite_mistake] if _nonfinite_within(raw, variant) else []
    except (ValueError, TypeError):
        return []


CHANGED_ARGUMENTS = "changes_arguments"


def _changed_arguments(case: Case, changed: tuple) -> Problem:
    names = [case.arg_names[i] if i < len(case.arg_names) else f"#{i + 1}" for i in changed]
    listed = ", ".join(f"`{name}`" for name in names)
    pair = Bilingual(
        f"the values are right, but your function changed its argument(s) {listed} in place: "
        "after the call, the caller's data is no longer what it passed in",
        f"数值正确，但你的函数原地修改了传入的参数 {listed}：调用之后，调用者的数据已不再是它传入的样子",
    )
    return Problem(pair, pair, mistake=CHANGED_ARGUMENTS)


def reproduces(case: Case, outcome: CallOutcome, mistake_id: str) -> bool | None:
    """Whether the answer equals the known mistake's value on this case; None when the
    mistake cannot show here (it gives the right answer on these inputs) or nothing came back."""
    value = case.mistakes.get(mistake_id)
    if value is None or outcome.kind != "returned":
        return None
    try:
        return _matches(case, outcome.value, value)
    except (ValueError, TypeError):
        return False


def _find_mistakes(case: Case, raw) -> list[str]:
    """Every known mistake whose value the answer reproduces, in id order."""
    found = []
    for mistake_id, value in case.mistakes.items():
        try:
            if _matches(case, raw, value):
                found.append(mistake_id)
        except (ValueError, TypeError):
            continue
    return found


# ----------------------------------------------------------------------------


def _check(case: Case, raw) -> Problem | None:
    if case.kind == KIND_TUPLE:
        return _check_tuple(case, raw)
    zeros = case.exact_zeros.get(0)
    return _check_array(case, raw, case.expected, zeros=zeros)


def judge(case: Case, outcome: CallOutcome, *, status: str = "", ruled_out: frozenset = frozenset()) -> Verdict:
    """Compare one outcome with the case's expected value; pure, no Django.

    `status` is the run's (timeout, error...): it says why a call did not run.
    `ruled_out`: known mistakes other tests of the run contradict (judge_run),
    not to be named here even where this input cannot tell them apart.
    """
    hidden = case.hidden
    if outcome.kind == "not_run":
        return Verdict(False, *M.not_run(status))
    if outcome.kind == "raised":
        if hidden:
            return Verdict(False, *M.HIDDEN_RAISED)
        name = outcome.exception_type or "an exception"
        tb = M.cut(outcome.traceback, M.MAX_TRACEBACK_CHARS)
        en, zh = f"your function raised {name}", f"你的函数抛出了 {name}"
        if tb:
            en, zh = f"{en}:\n{tb}", f"{zh}：\n{tb}"
        return Verdict(False, *M.with_call(en, zh, case.shown))
    if outcome.kind == "bad_return":
        if hidden:
            return Verdict(False, *M.HIDDEN_BAD_RETURN)
        want_en, want_zh = _expectation(case)
        detail = M.cut(outcome.detail, M.MAX_DETAIL_CHARS) or "something that is not numbers"
        en = f"your function returned {detail}; expected {want_en}"
        zh = f"你的函数返回了 {detail}；期望{want_zh}"
        return Verdict(False, *M.with_call(en, zh, case.shown))
    if outcome.kind != "returned":
        # The sandbox promises four kinds; anything else is our bug, not the student's.
        raise ValueError(f"unknown outcome kind {outcome.kind!r} for call {outcome.name!r}")

    raw = outcome.value
    problem = _check(case, raw)
    changed = tuple(i for i in outcome.changed_args if case.call.report_changed_args)
    if problem is None and changed:
        problem = _changed_arguments(case, changed)
    if problem is None:
        return Verdict(True, *M.PASSED)
    matched = tuple(_find_mistakes(case, raw))
    found = [mistake_id for mistake_id in matched if mistake_id not in ruled_out]
    if problem.mistake and problem.mistake not in found:
        found.insert(0, problem.mistake)
    if not found and problem.nonfinite and case.nonfinite_mistake:
        found = _overflow_fallback(case, raw)
    en, zh = problem.hidden if hidden else problem.visible
    if problem.nonfinite and not found:
        en, zh = M.join(Bilingual(en, zh), case.nonfinite_hint)
    # Several variants can coincide on one input (all give 0.0, say): name them
    # all rather than guess; Verdict.mistake records the first for statistics.
    found = found[:MAX_MISTAKES_SHOWN]
    for i, mistake_id in enumerate(found):
        text_en, text_zh = _mistake_text(mistake_id)
        if len(found) == 1:
            label = Bilingual("Likely mistake: ", "可能的错误：")
        else:
            label = Bilingual(f"Possible mistake {i + 1} of {len(found)}: ", f"可能的错误（{i + 1}/{len(found)}）：")
        en, zh = M.join(Bilingual(en, zh), Bilingual(label.en + text_en, label.zh + text_zh))
    mistake = found[0] if found else ""
    if not hidden:
        en, zh = M.with_call(en, zh, case.shown)
    return Verdict(False, en, zh, mistake, matched)

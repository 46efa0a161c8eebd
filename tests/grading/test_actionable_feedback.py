"""Feedback a student can act on, graded through the real sandbox.

Each test grades a realistic wrong submission end to end (checks, sandbox,
judge, summary) and reads what the student would read, in both languages.
"""

import re

from courses.services import SAMPLE_CONTENT_DIRECTORY
from grader import checks
from grader.code_grading import grade_code

EXERCISES_DIR = SAMPLE_CONTENT_DIRECTORY / "exercises"
LIMIT_WORDS_EN = ("time limit", "memory", "printed too much", "output")
LIMIT_WORDS_ZH = ("超时", "超出时间", "内存", "输出过多")


def reference(slug):
    return (EXERCISES_DIR / slug / "solution.py").read_text()


def test_a_syntax_error_is_reported_once_with_its_line_and_no_test_blames_a_limit(exercise):
    code = "import numpy as np\n\n\ndef softmax(x, axis=-1)\n    return np.exp(x)\n"
    report = grade_code(exercise=exercise("softmax"), code=code, seed=5)
    assert report.status == "error" and report.score == 0
    assert "line 4" in report.feedback_en and "SyntaxError" in report.feedback_en
    assert "第 4 行" in report.feedback_zh and "SyntaxError" in report.feedback_zh
    for test in report.tests:
        assert not test.passed
        assert "did not load" in test.message_en and "未运行" in test.message_zh
        # Said once, above the tests: no test repeats the traceback or blames a limit.
        assert "SyntaxError" not in test.message_en
        assert not any(word in test.message_en for word in LIMIT_WORDS_EN), test.message_en
        assert not any(word in test.message_zh for word in LIMIT_WORDS_ZH), test.message_zh


def test_an_error_at_import_names_the_line_of_the_students_file(exercise):
    code = "import numpy as np\nscale = undefined_name * 2\n\ndef softmax(x, axis=-1):\n    return x\n"
    report = grade_code(exercise=exercise("softmax"), code=code, seed=5)
    assert report.status == "error"
    assert "(line 2: NameError" in report.feedback_en and "（第 2 行：NameError" in report.feedback_zh
    assert all("did not load" in test.message_en for test in report.tests)


def test_a_misspelt_function_is_named_with_its_line(exercise):
    code = "import numpy as np\n\n\ndef soft_max(x, axis=-1):\n    return np.exp(x)\n"
    report = grade_code(exercise=exercise("softmax"), code=code, seed=5)
    assert report.status == "error"
    assert "Line 4 defines `soft_max`: the name must be exactly `softmax`." in report.feedback_en
    assert "第 4 行定义的是 `soft_max`" in report.feedback_zh
    for test in report.tests:
        assert "defines no function named `softmax`" in test.message_en
        assert not any(word in test.message_en for word in LIMIT_WORDS_EN)


def test_a_function_defined_inside_another_block_is_pointed_at(exercise):
    # The student's own try-out block: it does not run when the grader loads the file.
    before, after = reference("ngram").split("def sentence_probability(")
    indented = re.sub(r"(?m)^(?=.)", "    ", "def sentence_probability(" + after)
    code = before + 'if __name__ == "__main__":\n' + indented
    report = grade_code(exercise=exercise("ngram"), code=code, seed=5)
    assert report.status == "error"
    assert "`sentence_probability` is defined on line" in report.feedback_en
    assert "does not run when the file is loaded" in report.feedback_en
    assert "顶层" in report.feedback_zh
    # The function that exists is graded as usual; only the missing one's tests did not run.
    probability = [t for t in report.tests if t.name_en.startswith(("worked example: P(喜欢", "unseen word"))]
    assert probability and all(t.passed for t in probability)
    sentence = [t for t in report.tests if "sentence" in t.name_en and "sentence_probability" not in t.message_en]
    assert all(t.passed or "defines no function" not in t.message_en for t in sentence)
    assert any("defines no function named `sentence_probability`" in t.message_en for t in report.tests)


NGRAM_UNIGRAM_BUG = reference("ngram").replace(
    "    if n == 1:\n        return ()  # context[-0:] would be the whole list, not an empty one\n", ""
)


def test_hidden_only_failures_get_the_exercises_own_hint_ngram(exercise):
    assert NGRAM_UNIGRAM_BUG != reference("ngram")
    report = grade_code(exercise=exercise("ngram"), code=NGRAM_UNIGRAM_BUG, seed=5)
    failed = [t for t in report.tests if not t.passed]
    assert failed and all(t.hidden for t in failed)
    assert "n = 1" in report.feedback_en
    assert "-inf" not in report.feedback_en and "axes" not in report.feedback_en and "axis" not in report.feedback_en
    assert "n = 1" in report.feedback_zh and "轴" not in report.feedback_zh


def test_hidden_only_failures_get_the_exercises_own_hint_softmax(exercise):
    # Passes every visible test (none goes past 1e3), but gives up on inputs around 1e4.
    code = reference("softmax").replace(
        "    x = np.asarray(x, dtype=np.float64)\n",
        "    x = np.asarray(x, dtype=np.float64)\n"
        "    if np.abs(x[np.isfinite(x)]).max() > 5000:\n        return np.zeros_like(x)\n",
        1,
    )
    assert code != reference("softmax")
    report = grade_code(exercise=exercise("softmax"), code=code, seed=5)
    failed = [t for t in report.tests if not t.passed]
    assert failed and all(t.hidden for t in failed)
    assert "inputs around -1e4" in report.feedback_en and "约 -1e4 的输入" in report.feedback_zh
    for word in ("unseen", "word", "context"):
        assert word not in report.feedback_en.lower()
    assert "未见" not in report.feedback_zh and "词" not in report.feedback_zh


ATTENTION_2D_ONLY = '''import numpy as np

def scaled_dot_product_attention(q, k, v, mask=None):
    scores = np.dot(q, k.T) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return np.dot(weights, v), weights
'''


def test_a_function_that_fails_only_on_batches_is_told_so_with_the_shape(exercise):
    report = grade_code(exercise=exercise("attention"), code=ATTENTION_2D_ONLY, seed=5)
    by_name = {t.name_en: t for t in report.tests}
    assert by_name["worked example: d_k = 64, scores 112 and 96 / sqrt(64) = 8"].passed
    batched = by_name["batch of 2, causal mask (5, 5) shared by the batch"]
    assert not batched.passed and batched.hidden
    assert "extra leading (batch) axes: shape (2, 5, 4)" in batched.message_en
    assert "np.swapaxes(k, -1, -2)" in batched.message_en
    assert "额外的前导（批量）维，形状为 (2, 5, 4)" in batched.message_zh
    # The note goes exactly on the failing tests whose input is a batch, each with its own shape.
    cases = checks.build_cases("attention", params={}, seed=5)
    assert [c.name_en for c in cases] == [t.name_en for t in report.tests]
    for case, test in zip(cases, report.tests):
        noted = "(batch) axes" in test.message_en
        assert noted == (not test.passed and case.batch_shape is not None), test.name_en
        if noted:
            assert f"shape {case.batch_shape}" in test.message_en


def test_a_global_max_is_named_as_such_not_as_overflow(exercise):
    code = (EXERCISES_DIR / "softmax" / "mistakes" / "global_max.py").read_text()
    report = grade_code(exercise=exercise("softmax"), code=code, seed=5)
    by_name = {t.name_en: t for t in report.tests}
    # A 1-D input has one slice: the global max is its max, so that test passes.
    assert by_name["large inputs [1000, 1001, 1002] (exp overflows)"].passed
    uneven = by_name["2-D input, rows of very different size"]
    assert not uneven.passed and uneven.mistake == "global_max"
    assert "maximum of the whole array" in uneven.message_en and "整个数组的最大值" in uneven.message_zh
    assert all(t.mistake != "no_max_subtraction" for t in report.tests)
    assert not any("overflow" in t.message_en for t in report.tests if not t.passed)
    # The summary points at the first visible test the mistake explains.
    assert "Likely mistake, first seen in \u201c2-D input, rows of very different size\u201d" in report.feedback_en
    assert "首先出现在「二维输入，各行数值大小相差很大」" in report.feedback_zh


def test_attention_global_max_is_not_called_an_overflow(exercise):
    code = (EXERCISES_DIR / "attention" / "mistakes" / "global_max.py").read_text()
    report = grade_code(exercise=exercise("attention"), code=code, seed=5)
    uneven = next(t for t in report.tests if t.name_en == "one row of scores near 1000, another near 0")
    assert not uneven.passed and uneven.mistake == "global_max"
    assert "exp() overflows" not in uneven.message_en and "溢出" not in uneven.message_zh
    # Hidden: the mistake's fixed text, nothing the submission returned.
    assert "maximum of the whole array" in uneven.message_en
    assert all(t.mistake != "no_max_subtraction" for t in report.tests)


def test_the_overflow_hint_stays_on_the_tests_it_explains(exercise):
    code = (EXERCISES_DIR / "softmax" / "mistakes" / "no_max_subtraction.py").read_text()
    report = grade_code(exercise=exercise("softmax"), code=code, seed=5)
    first_visible = next(t for t in report.tests if not t.passed and not t.hidden)
    assert first_visible.name_en == "large inputs [1000, 1001, 1002] (exp overflows)"
    assert first_visible.mistake == "no_max_subtraction" and "exp() overflows" in first_visible.message_en
    # Every test the naive softmax passes (small inputs) carries no hint at all.
    for test in report.tests:
        if test.passed:
            assert test.message_en == "passed" and not test.mistake
    assert "Likely mistake, first seen in \u201clarge inputs [1000, 1001, 1002] (exp overflows)\u201d" in report.feedback_en


def test_ngram_pads_the_callers_corpus_in_place_and_loses_the_named_tests(exercise):
    code = (EXERCISES_DIR / "ngram" / "mistakes" / "changes_arguments.py").read_text()
    report = grade_code(exercise=exercise("ngram"), code=code, seed=5)
    failed = {t.name_en: t for t in report.tests if not t.passed}
    assert set(failed) == {
        "ngram_probability leaves its arguments unchanged",
        "sentence_probability leaves its arguments unchanged",
    }
    for test in failed.values():
        assert not test.hidden and test.mistake == "changes_arguments"
        assert "changed its argument(s) `corpus` in place" in test.message_en
        assert "原地修改了传入的参数 `corpus`" in test.message_zh
        assert "insert / append / extend" in test.message_en


def test_softmax_shifting_the_callers_array_in_place_loses_the_named_test(exercise):
    code = (EXERCISES_DIR / "softmax" / "mistakes" / "changes_arguments.py").read_text()
    report = grade_code(exercise=exercise("softmax"), code=code, seed=5)
    failed = [t for t in report.tests if not t.passed]
    assert [t.name_en for t in failed] == ["softmax leaves its arguments unchanged"]
    assert "`x` in place" in failed[0].message_en and failed[0].mistake == "changes_arguments"


def test_every_exercise_with_array_or_list_inputs_checks_them_unchanged(exercise):
    for slug in ("softmax", "attention", "multi-head-attention", "ngram", "cosine-similarity", "layer-norm",
                 "feed-forward", "perplexity", "greedy-decoding"):
        cases = checks.build_cases(slug, params={}, seed=3)
        checked = {c.call.function for c in cases if c.call.report_changed_args}
        assert checked == set(checks.suite_functions(slug)), slug
        assert all(not c.hidden for c in cases if c.call.report_changed_args)
    # Lengths and sizes are ints: nothing to change in place.
    assert not any(c.call.report_changed_args for c in checks.build_cases("causal-mask", params={}, seed=3))


def test_ngram_trains_on_an_empty_sentence(exercise):
    skips_empty = reference("ngram").replace(
        "    for sentence in corpus:\n", "    for sentence in corpus:\n        if not sentence:\n            continue\n"
    )
    assert skips_empty != reference("ngram")
    report = grade_code(exercise=exercise("ngram"), code=skips_empty, seed=5)
    test = next(t for t in report.tests if t.name_en == "training on an empty sentence: P(</s> | <s>)")
    assert not test.hidden and not test.passed
    assert "got 0, expected 0.2" in test.message_en.replace("got 0.0", "got 0")
    honest = grade_code(exercise=exercise("ngram"), code=reference("ngram"), seed=5)
    assert honest.score == honest.max_score


def test_each_test_keeps_its_key_across_seeds(exercise):
    softmax = exercise("softmax")
    first = grade_code(exercise=softmax, code=reference("softmax"), seed=1)
    second = grade_code(exercise=softmax, code=reference("softmax"), seed=2**40 + 3)
    assert [t.check_key for t in first.tests] == [t.check_key for t in second.tests]
    assert len({t.check_key for t in first.tests}) == len(first.tests)
    # Random cases show their drawn shapes in their names, never in their keys.
    assert [t.name_en for t in first.tests] != [t.name_en for t in second.tests]
    assert "worked-example-scores-112-and-96-8" in {t.check_key for t in first.tests}
    assert "random-hidden-1" in {t.check_key for t in first.tests}


def test_each_stored_test_result_keeps_its_checks_key(exercise, sample_course, django_user_model):
    from courses.models import Enrollment
    from grader.models import TestResult
    from grader.services import submission_create
    from grader.services.runs import submission_grade

    student = django_user_model.objects.create_user(username="ada", password="ada-pw")
    Enrollment.objects.create(user=student, course=sample_course)
    code = (EXERCISES_DIR / "softmax" / "mistakes" / "changes_arguments.py").read_text()
    submission = submission_create(user=student, exercise=exercise("softmax"), code=code)
    assert submission_grade(submission_id=submission.pk, last_try=True).result == "stored"
    rows = TestResult.objects.filter(run__submission=submission).order_by("position")
    run = rows.first().run
    cases = checks.build_cases("softmax", params={}, seed=run.seed)
    assert [row.check_key for row in rows] == [case.key for case in cases]
    failed = rows.get(passed=False)
    assert failed.check_key == "softmax-leaves-its-arguments-unchanged" and failed.mistake == "changes_arguments"


def test_a_mistake_other_tests_contradict_is_not_named_where_two_give_the_same_value(exercise):
    # Using the whole context as the history gives P(</s> | empty context) = 0,
    # which is also what forgetting </s> gives; but this student counts </s>
    # (the smoothing test, where forgetting it would change |V|, passes).
    code = (EXERCISES_DIR / "ngram" / "mistakes" / "whole_context.py").read_text()
    report = grade_code(exercise=exercise("ngram"), code=code, seed=5)
    by_name = {t.name_en: t for t in report.tests}
    assert by_name["add-1 smoothing of an unseen word"].passed
    empty = by_name["training on an empty sentence: P(</s> | <s>)"]
    assert not empty.passed and empty.mistake == "whole_context"
    assert "Likely mistake: You condition on the whole context" in empty.message_en
    assert "Possible mistake" not in empty.message_en
    assert all(t.mistake != "missing_end_token" for t in report.tests)
    assert "Likely mistake, first seen in \u201ctraining on an empty sentence" in report.feedback_en

"""Generated feedback has one type for its two languages: grader.checks.messages.Bilingual."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from grader.checks import build_cases, judge
from grader.checks import compare
from grader.checks import messages as M
from grader.checks.messages import Bilingual
from grader.feedback import summary_text
from grader.sandbox.types import CallOutcome, Limits


def test_it_is_frozen_and_unpacks_as_english_then_chinese():
    message = Bilingual("passed", "通过")
    en, zh = message
    assert (en, zh) == ("passed", "通过")
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.en = "failed"
    assert not Bilingual("", "")


def test_join_keeps_each_language_apart_and_drops_empty_parts():
    joined = M.join(Bilingual("a", "甲"), Bilingual("", ""), Bilingual("b", "乙"))
    assert joined == Bilingual("a\nb", "甲\n乙")
    assert M.with_call("wrong", "错", "f(1)") == Bilingual("wrong\nCall: f(1)", "错\n调用：f(1)")


def test_the_fixed_texts_are_bilingual():
    for name in ("PASSED", "NOT_RUN_UNKNOWN", "HIDDEN_RAISED", "HIDDEN_BAD_RETURN", "HIDDEN_VALUES", "HIDDEN_NONFINITE", "HIDDEN_NOT_NUMBERS"):
        text = getattr(M, name)
        assert isinstance(text, Bilingual) and text.en and text.zh
    for status, text in M.NOT_RUN.items():
        assert isinstance(text, Bilingual) and text.en and text.zh, status


def test_a_wrong_answer_is_described_by_bilingual_problems():
    case = next(case for case in build_cases("softmax", params={}, seed=1) if not case.hidden)
    wrong = np.zeros_like(case.expected) if isinstance(case.expected, np.ndarray) else 0.0
    problem = compare._check(case, wrong.tolist() if hasattr(wrong, "tolist") else wrong)
    assert isinstance(problem.visible, Bilingual) and isinstance(problem.hidden, Bilingual)
    verdict = judge(case, CallOutcome(name=case.call.name, kind="returned", value=wrong))
    assert not verdict.passed and verdict.message_en and verdict.message_zh


def test_the_summary_is_bilingual():
    @dataclasses.dataclass
    class Run:
        stdout: str = "hello"
        missing_functions: tuple = ()
        load_error: str = ""

    @dataclasses.dataclass
    class Test:
        passed: bool
        hidden: bool = False
        name_en: str = "sums to one"
        name_zh: str = "和为一"
        mistake: str = ""
        position: int = 1

    summary = summary_text(status="graded", run=Run(), tests=[Test(True), Test(False)], limits=Limits(), score=1, max_score=2)
    assert isinstance(summary, Bilingual)
    assert summary.en.startswith("1 of 2 tests passed") and "sums to one" in summary.en and "hello" in summary.en
    assert summary.zh.startswith("通过 1/2 个测试") and "和为一" in summary.zh


def test_the_messages_module_needs_no_django():
    code = "import sys, grader.checks.messages; assert not [m for m in sys.modules if m.startswith('django')]"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_suite_hint_and_local_mistake_text_is_bilingual():
    from grader.checks.registry import REGISTRY, get_suite

    for name in REGISTRY:
        assert isinstance(get_suite(name).nonfinite_hint, Bilingual), name
    for text in compare.LOCAL_MISTAKE_TEXT.values():
        assert isinstance(text, Bilingual) and text.en and text.zh
    assert compare._mistake_text("an_unheard_of_mistake") == Bilingual(
        "this matches a known mistake (an_unheard_of_mistake).", "这与一个常见错误相符（an_unheard_of_mistake）。"
    )
    assert isinstance(compare._mistake_text("no_max_subtraction"), Bilingual)  # the engine's {"en", "zh"} text

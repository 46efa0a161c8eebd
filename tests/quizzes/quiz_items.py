"""Small builders for items in tests: valid by default, one field changed at a time."""

from dataclasses import replace
from fractions import Fraction

from quizzes.items import (
    CLOZE, MATCHING, MULTIPLE, NUMERIC, PARAMETERISED, SHORT, SINGLE, TRUE_FALSE, Item,
    Option, Pair, Text,
)

EXPLANATION = Text("见 2.3.1。", "See 2.3.1.")


def option(key, correct=False):
    return Option(key=key, text=Text(f"选项{key}", f"option {key}"), correct=correct)


def single(**changes):
    item = Item(
        id="single", type=SINGLE, prompt=Text("哪一个？", "Which one?"),
        explanation=EXPLANATION, section="2.3.1",
        options=(option("a", True), option("b"), option("c")),
    )
    return replace(item, **changes)


def multiple(**changes):
    item = Item(
        id="multiple", type=MULTIPLE, prompt=Text("哪些？", "Which ones?"),
        explanation=EXPLANATION, section="2.3.1", points=Fraction(4),
        options=(option("a", True), option("b", True), option("c"), option("d")),
    )
    return replace(item, **changes)


def true_false(**changes):
    item = Item(
        id="tf", type=TRUE_FALSE, prompt=Text("对吗？", "True?"),
        explanation=EXPLANATION, answer_bool=True,
    )
    return replace(item, **changes)


def numeric(**changes):
    item = Item(
        id="numeric", type=NUMERIC, prompt=Text("112 除以 8 是多少？", "112 / 8?"),
        explanation=EXPLANATION, answer_number=14.0, abs_tol=0.01,
    )
    return replace(item, **changes)


def short(**changes):
    item = Item(
        id="short", type=SHORT, prompt=Text("激活函数？", "Activation?"),
        explanation=EXPLANATION, accepted=("ReLU", "修正线性单元"),
    )
    return replace(item, **changes)


def parameterised(**changes):
    item = Item(
        id="param", type=PARAMETERISED,
        prompt=Text("得分 $s1、$s2，d_k = $d_k。", "Scores $s1, $s2, d_k = $d_k."),
        explanation=EXPLANATION, generator="softmax_weight", abs_tol=0.005,
    )
    return replace(item, **changes)


def pair(key, prompt, answer):
    return Pair(key=key, prompt=None if prompt is None else Text(prompt, prompt), answer=Text(answer, answer))


def matching(**changes):
    item = Item(
        id="match", type=MATCHING, prompt=Text("配对。", "Match them."),
        explanation=EXPLANATION,
        pairs=(pair("1", "cat", "meow"), pair("2", "dog", "woof"), pair("3", "cow", "moo"),
               pair("4", None, "quack")),
    )
    return replace(item, **changes)


def gap(kind, **fields):
    return Item(id="gap", type=kind, prompt=Text("", ""), explanation=Text("", ""), **fields)


def cloze(**changes):
    item = Item(
        id="cloze", type=CLOZE,
        prompt=Text("激活函数 {#1}，112/8 = {#2}，{#3}", "Activation {#1}, 112/8 = {#2}, {#3}"),
        explanation=EXPLANATION,
        parts=(
            replace(gap(SHORT, accepted=("ReLU",)), id="1"),
            replace(gap(NUMERIC, answer_number=14.0, abs_tol=0.01), id="2", points=Fraction(2)),
            replace(gap(SINGLE, options=(option("a", True), option("b"))), id="3"),
        ),
    )
    return replace(item, **changes)

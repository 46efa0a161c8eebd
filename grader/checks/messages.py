"""Feedback text, in English and Chinese, and how values are printed in it.

Two families of text live here:
- fixed texts (FIXED, categories): safe for hidden tests, because nothing in
  them comes from the submission;
- formatters for visible tests, which may quote what the submission returned.
judge() decides which family a case may use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

# Feedback quotes a traceback, not a novel: cut what a submission can make long.
MAX_TRACEBACK_CHARS = 4000
MAX_DETAIL_CHARS = 300
MAX_SHOWN_CHARS = 1200


@dataclass(frozen=True)
class Bilingual:
    """One text in both languages: every message the grader generates for a student is one of these.

    It unpacks as (en, zh), so `en, zh = message` reads where the two are stored apart.
    """

    en: str
    zh: str

    def __iter__(self) -> Iterator[str]:
        return iter((self.en, self.zh))

    def __bool__(self) -> bool:
        return bool(self.en or self.zh)


def both(en: str, zh: str) -> Bilingual:
    return Bilingual(en, zh)


PASSED = both("passed", "通过")

# Why a test did not run, by the run's status: each names the one real cause.
NOT_RUN = {
    "error": both(
        "not run: your file did not load (see the message above the tests)",
        "未运行：你的文件没有加载成功（见测试列表上方的说明）",
    ),
    "timeout": both(
        "not run: your code reached the time limit before this test",
        "未运行：在此测试之前，你的代码已超出时间限制",
    ),
    "memory_limit": both(
        "not run: your code reached the memory limit before this test",
        "未运行：在此测试之前，你的代码已超出内存限制",
    ),
    "output_limit": both(
        "not run: your code printed too much before this test",
        "未运行：在此测试之前，你的代码输出过多",
    ),
    "crashed": both(
        "not run: the process running your code ended before this test",
        "未运行：在此测试之前，运行你代码的进程已终止",
    ),
}
NOT_RUN_UNKNOWN = both("not run: the run ended before this test", "未运行：运行在此测试之前已结束")


def not_run(status: str) -> Bilingual:
    return NOT_RUN.get(status, NOT_RUN_UNKNOWN)


def missing_function(function: str) -> Bilingual:
    return both(
        f"not run: your file defines no function named `{function}` (see the message above the tests)",
        f"未运行：你的文件没有定义名为 `{function}` 的函数（见测试列表上方的说明）",
    )

HIDDEN_RAISED = both(
    "your function raised an exception on a hidden test",
    "你的函数在一个隐藏测试上抛出了异常",
)

HIDDEN_BAD_RETURN = both(
    "on a hidden test your function returned something that is not numbers or arrays of numbers",
    "在一个隐藏测试上，你的函数返回的不是数字或数字数组",
)

HIDDEN_VALUES = both(
    "values differ from expected on a hidden test",
    "在一个隐藏测试上，数值与期望结果不符",
)

HIDDEN_NONFINITE = both(
    "your output has NaN or inf on a hidden test where the expected values are finite",
    "在一个隐藏测试上，你的输出含有 NaN 或 inf，而期望结果是有限值",
)

HIDDEN_NOT_NUMBERS = both(
    "on a hidden test your function returned something numpy cannot turn into an array of numbers "
    "(ragged nested lists, or non-numeric values)",
    "在一个隐藏测试上，你的返回值无法被 numpy 转成数字数组（嵌套列表长短不一，或含非数值内容）",
)


def cut(text: str, limit: int) -> str:
    text = str(text)
    if len(text) <= limit:
        return text
    # Keep the end of a traceback: the failing line and the exception are there.
    return "…" + text[-limit:]


def fmt_shape(shape) -> str:
    return str(tuple(int(s) for s in shape))


def fmt_index(index) -> str:
    return str(tuple(int(i) for i in index))


def fmt_number(x) -> str:
    """A number as a student would write it: ints plain, floats to 10 significant digits."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.10g}"


def fmt_value(value, limit: int = MAX_SHOWN_CHARS) -> str:
    """Any input or output as compact Python/numpy source, cut to `limit`."""
    if isinstance(value, np.ndarray):
        with np.printoptions(threshold=40, edgeitems=3, precision=8, linewidth=100):
            body = np.array2string(value, separator=", ")
        if value.dtype == np.float32:
            text = f"np.array({body}, dtype=np.float32)"
        else:
            text = f"np.array({body})"
        if value.size > 40:
            text += f"  # shape {fmt_shape(value.shape)}"
        if len(text) > limit:
            # Half an array misleads more than none: name its shape instead.
            return f"<array of shape {fmt_shape(value.shape)}, dtype {value.dtype.name}>"
    elif isinstance(value, float):
        # repr keeps "1.0" a float, as the student's code receives it.
        text = repr(value) if np.isfinite(value) else f"float('{fmt_number(value)}')"
    else:
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def fmt_call(function: str, args: tuple, names: tuple = ()) -> str:
    """`softmax(x=np.array([14., 12.]))`-like text for a visible case's inputs."""
    shown = []
    for i, arg in enumerate(args):
        label = f"{names[i]}=" if i < len(names) else ""
        shown.append(label + fmt_value(arg, limit=max(MAX_SHOWN_CHARS // max(1, len(args)), 300)))
    return f"{function}({', '.join(shown)})"


def with_call(en: str, zh: str, shown: str) -> Bilingual:
    if not shown:
        return Bilingual(en, zh)
    return Bilingual(f"{en}\nCall: {shown}", f"{zh}\n调用：{shown}")


def join(*messages: Bilingual, separator: str = "\n") -> Bilingual:
    """The non-empty messages one after the other, each language on its own."""
    kept = [m if isinstance(m, Bilingual) else Bilingual(*m) for m in messages]
    kept = [m for m in kept if m]
    return Bilingual(separator.join(m.en for m in kept), separator.join(m.zh for m in kept))

"""The grade's summary, in English and Chinese, in a student's terms.

Per-test messages come from the checks; this is the paragraph above them: what
happened to the run as a whole and where to start.
"""

import ast
import difflib
import re

from engine.mistake_text import MISTAKE_TEXT
from grader.checks.messages import Bilingual, join

OUTPUT_SHOWN_CHARS = 2000

GENERIC_HIDDEN_HINT = Bilingual(
    "think about the edge cases the statement names.",
    "请考虑题目中提到的边界情况。",
)

_FRAME_LINE = re.compile(r'File "submission\.py", line (\d+)')


def _load_error_where(load_error: str) -> Bilingual:
    """"line 3: SyntaxError: expected ':'" from the student's traceback (its last own frame, its last line)."""
    lines = [line for line in load_error.strip().splitlines() if line.strip()]
    numbers = _FRAME_LINE.findall(load_error)
    error = lines[-1].strip() if lines else ""
    if numbers:
        return Bilingual(f"line {numbers[-1]}: {error}", f"第 {numbers[-1]} 行：{error}")
    return Bilingual(error, error)


def _definitions(code: str) -> list[tuple[str, int, str]]:
    """(name, line, where) of every function the file defines; where is "" at the top level.

    The file is parsed, never run, on this side: ast.parse executes nothing.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found = []

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((child.name, child.lineno, where))
                visit(child, f"function `{child.name}`")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"class `{child.name}`")
            elif isinstance(child, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                visit(child, where or "a block (if / try / with / loop) that does not run when the file is loaded")
            else:
                visit(child, where)

    try:
        visit(tree, "")
    except RecursionError:
        return found
    return found


def _missing_paragraph(missing: list[str], code: str) -> Bilingual:
    definitions = _definitions(code)
    defined_names = sorted({name for name, _, _ in definitions})
    parts = [
        Bilingual(
            f"Your file does not define {', '.join(f'`{m}`' for m in missing)} at its top level, "
            "so the tests of that function did not run.",
            f"你的文件没有在顶层定义 {', '.join(f'`{m}`' for m in missing)}，因此该函数的测试没有运行。",
        )
    ]
    for name in missing:
        nested = [(line, where) for defined, line, where in definitions if defined == name and where]
        if nested:
            line, where = nested[0]
            where_zh = where.replace("function", "函数").replace("class", "类").replace(
                "a block (if / try / with / loop) that does not run when the file is loaded", "加载文件时不会执行的代码块（if / try / with / 循环）"
            )
            parts.append(
                Bilingual(
                    f"`{name}` is defined on line {line} inside {where}: define it at the top level of the file.",
                    f"`{name}` 定义在第 {line} 行的{where_zh}中：请把它定义在文件的顶层。",
                )
            )
            continue
        close = difflib.get_close_matches(name, defined_names, n=1, cutoff=0.75)
        if close:
            line = next(line for defined, line, _ in definitions if defined == close[0])
            parts.append(
                Bilingual(
                    f"Line {line} defines `{close[0]}`: the name must be exactly `{name}`.",
                    f"第 {line} 行定义的是 `{close[0]}`：函数名必须正好是 `{name}`。",
                )
            )
    if len(parts) == 1:
        parts.append(
            Bilingual(
                "Define the function(s) with exactly the names and signatures in the statement.",
                "请按题目给出的名字和签名定义函数。",
            )
        )
    return join(*parts, separator=" ")


def _points(value) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def _status_paragraph(status, run, limits, code) -> Bilingual | None:
    if status == "error":
        if run.load_error:
            where_en, where_zh = _load_error_where(run.load_error)
            return Bilingual(
                f"Your file could not be loaded ({where_en}), so no test ran. Python said:\n" + run.load_error,
                f"你的文件无法加载（{where_zh}），因此没有运行任何测试。Python 的报错：\n" + run.load_error,
            )
        return _missing_paragraph(list(run.missing_functions), code)
    if status == "timeout":
        return Bilingual(
            f"Your code ran past the time limit ({limits.cpu_seconds:g} s of CPU, {limits.wall_seconds:g} s in all), "
            "so the tests after that point did not run. Look for an endless loop, or a Python loop over array "
            "elements that numpy could do in one vectorised operation.",
            f"你的代码超出了时间限制（CPU {limits.cpu_seconds:g} 秒，总计 {limits.wall_seconds:g} 秒），之后的测试没有运行。"
            "请检查是否有死循环，或者是否用 Python 循环逐个处理了本可以用 numpy 向量化完成的计算。",
        )
    if status == "memory_limit":
        return Bilingual(
            f"Your code used more memory than allowed ({limits.memory_mb} MB), so the tests after that point did not run. "
            "Avoid building arrays much larger than the inputs (for example an outer product you do not need).",
            f"你的代码使用的内存超过了限制（{limits.memory_mb} MB），之后的测试没有运行。"
            "请避免创建比输入大得多的数组（例如不必要的外积）。",
        )
    if status == "output_limit":
        return Bilingual(
            f"Your code printed more than {limits.output_bytes // 1024} KiB, so it was stopped. Remove print calls inside loops.",
            f"你的代码输出超过了 {limits.output_bytes // 1024} KiB，因此被终止。请删除循环中的 print。",
        )
    if status == "crashed":
        return Bilingual(
            "The process running your code died without a Python error (for example a segmentation fault from ctypes, "
            "or a forbidden system call such as starting a process). Only plain computation is allowed.",
            "运行你的代码的进程异常终止，且没有 Python 报错（例如 ctypes 引起的段错误，或启动进程等被禁止的系统调用）。"
            "只允许进行普通计算。",
        )
    return None


def _mistake_paragraph(tests) -> Bilingual | None:
    """The known mistake behind the first failing test that one explains, visible tests first."""
    failing = [test for test in tests if not test.passed and test.mistake]
    if not failing:
        return None
    first = min(failing, key=lambda test: (test.hidden, test.position))
    text = MISTAKE_TEXT.get(first.mistake)
    if not text:
        return None
    if first.hidden:
        return Bilingual(
            "Your answers on hidden tests match a known mistake: " + text["en"],
            "你在隐藏测试上的结果与一个常见错误相符：" + text["zh"],
        )
    return Bilingual(
        f"Likely mistake, first seen in \u201c{first.name_en}\u201d: " + text["en"],
        f"可能的错误（首先出现在「{first.name_zh}」）：" + text["zh"],
    )


def summary_text(*, status, run, tests, limits, score, max_score, code="", hidden_hint=None) -> Bilingual:
    passed = sum(1 for test in tests if test.passed)
    total = len(tests)
    parts = [
        Bilingual(
            f"{passed} of {total} tests passed: {_points(score)} / {_points(max_score)} points.",
            f"通过 {passed}/{total} 个测试：得分 {_points(score)} / {_points(max_score)}。",
        )
    ]
    paragraph = _status_paragraph(status, run, limits, code)
    if paragraph:
        parts.append(paragraph)
    elif passed == total:
        parts.append(Bilingual("Every test passed. Well done.", "全部测试通过，做得好。"))
    else:
        first_visible = next((test for test in tests if not test.passed and not test.hidden), None)
        if first_visible is not None:
            parts.append(
                Bilingual(
                    f"Start with the first failing visible test, \u201c{first_visible.name_en}\u201d: its message says what differs.",
                    f"请先看第一个未通过的公开测试「{first_visible.name_zh}」，它的说明指出了哪里不同。",
                )
            )
        else:
            hint = hidden_hint or GENERIC_HIDDEN_HINT
            parts.append(
                Bilingual(
                    "Every visible test passed but some hidden tests failed: " + hint.en,
                    "公开测试全部通过，但部分隐藏测试未通过：" + hint.zh,
                )
            )
        mistake = _mistake_paragraph(tests)
        if mistake:
            parts.append(mistake)

    if run.stdout:
        shown = run.stdout[:OUTPUT_SHOWN_CHARS]
        cut = "\n[…]" if len(run.stdout) > OUTPUT_SHOWN_CHARS else ""
        parts.append(
            Bilingual(
                "What your code printed (at import and in visible tests):\n" + shown + cut,
                "你的代码的输出（导入时和公开测试中）：\n" + shown + cut,
            )
        )
    return join(*parts, separator="\n\n")

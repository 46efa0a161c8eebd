"""The grade's summary, in English and Chinese, in a student's terms.

Per-test messages come from the checks; this is the paragraph above them: what
happened to the run as a whole and where to start.
"""

from grader.checks.messages import Bilingual, join

OUTPUT_SHOWN_CHARS = 2000


def _points(value) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def _status_paragraph(status, run, limits) -> Bilingual | None:
    if status == "error":
        missing = ", ".join(run.missing_functions)
        if run.load_error:
            return Bilingual(
                "Your file could not be loaded, so no test ran. Python said:\n" + run.load_error,
                "你的文件无法加载，因此没有运行任何测试。Python 的报错：\n" + run.load_error,
            )
        return Bilingual(
            f"Your file does not define {missing}. Define the function(s) with exactly the names and signatures in the statement.",
            f"你的文件没有定义 {missing}。请按题目给出的名字和签名定义函数。",
        )
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


def summary_text(*, status, run, tests, limits, score, max_score) -> Bilingual:
    passed = sum(1 for test in tests if test.passed)
    total = len(tests)
    parts = [
        Bilingual(
            f"{passed} of {total} tests passed: {_points(score)} / {_points(max_score)} points.",
            f"通过 {passed}/{total} 个测试：得分 {_points(score)} / {_points(max_score)}。",
        )
    ]
    paragraph = _status_paragraph(status, run, limits)
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
            parts.append(
                Bilingual(
                    "Every visible test passed but some hidden tests failed: think about edge cases "
                    "(very large or -inf inputs, other axes, batches, unseen words).",
                    "公开测试全部通过，但部分隐藏测试未通过：请考虑边界情况（很大的数或 -inf、其他轴、批量维度、未见过的词）。",
                )
            )

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

"""What makes an exercise valid, decided once.

Admin (through `Exercise.clean()`), the content loader (courses.services) and
any future importer all call `exercise_problems`, so a value one of them
accepts is never refused by another. Code is parsed here, never run: the
sandbox is the grader's, not the editor's.

Messages read "English · 中文", like the rest of the instructors' side.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

MISTAKE_MARKER = "# mistake:"
_MISTAKE_ID = re.compile(r"^[a-z][a-z0-9_]*$")

# The fields whose values are Python source that a student could hand in.
CODE_FIELDS = ("reference_solution", "starter_code")
# Every Exercise field exercise_problems looks at.
EXERCISE_FIELDS = (
    "required_functions",
    "check_suite",
    "check_params",
    *CODE_FIELDS,
    "points",
    "cpu_limit_seconds",
    "wall_limit_seconds",
    "memory_limit_mb",
)


@dataclass(frozen=True)
class ExerciseProblem:
    field: str  # the Exercise field the problem is about
    message: str


def defined_functions(source: str, *, filename: str = "<source>") -> set[str]:
    """Names of the functions a module defines at its top level (parsed, never run).

    Raises SyntaxError when `source` is not valid Python.
    """
    tree = ast.parse(source, filename=filename)
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def mistake_declared(code: str) -> str:
    """The mistake id a known-wrong solution declares on its first line, or "" when it declares none.

    The first line must read `# mistake: <id>` with a lower_snake_case id;
    anything else (a blank line first, an id with capitals) declares nothing.
    """
    first_line = code.split("\n", 1)[0].rstrip("\r")
    if not first_line.startswith(MISTAKE_MARKER):
        return ""
    mistake_id = first_line[len(MISTAKE_MARKER) :].strip()
    return mistake_id if _MISTAKE_ID.match(mistake_id) else ""


def function_names_problem(names: Any) -> str | None:
    if not isinstance(names, list) or not names:
        return 'Give a non-empty list of function names, e.g. ["softmax"] · 请填写非空的函数名列表，例如 ["softmax"]'
    bad = [name for name in names if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)]
    if bad:
        shown = ", ".join(repr(name) for name in bad)
        return f"Not Python function names · 不是合法的 Python 函数名: {shown}"
    if len(set(names)) != len(names):
        return "A function is listed twice · 有函数名重复"
    return None


def code_problems(code: str, *, required_functions: Any) -> list[str]:
    """Why `code` could not be handed in as a submission defining `required_functions`."""
    # Imported here: grader.services loads the grading machinery (sandbox,
    # checks, models), which only validating code needs.
    from grader.services.submissions import SubmissionRejected, submission_code_validate

    try:
        submission_code_validate(code)
    except SubmissionRejected as exc:
        return [f"{exc.message} · {exc.message_zh}"]
    try:
        defined = defined_functions(code)
    except SyntaxError as exc:
        return [f"Syntax error at line {exc.lineno}: {exc.msg} · 第 {exc.lineno} 行语法错误"]
    if not isinstance(required_functions, list):
        return []  # reported once, on required_functions
    missing = [name for name in required_functions if isinstance(name, str) and name not in defined]
    if missing:
        return [f"Does not define {', '.join(missing)} (required functions) · 未定义必须的函数: {', '.join(missing)}"]
    return []


def _suite_problems(suite: Any, params: Any, required_functions: Any) -> list[ExerciseProblem]:
    # Imported here: the suites pull in numpy and the engine, which only
    # validating an exercise needs, not every module that imports this one.
    from grader.checks import SUITES, CheckConfigError, suite_functions, validate_params

    if suite not in SUITES:
        return [ExerciseProblem("check_suite", f"Unknown check suite {suite!r} · 未知的检查套件; known · 可用: {', '.join(SUITES)}")]
    try:
        validate_params(suite, params)
    except CheckConfigError as exc:
        return [ExerciseProblem("check_params", f"{exc} · 检查参数无效")]
    if not isinstance(required_functions, list):
        return []
    missing = [name for name in suite_functions(suite) if name not in required_functions]
    if missing:
        return [
            ExerciseProblem(
                "required_functions",
                f"Lacks {', '.join(missing)}, which suite {suite!r} calls · 缺少检查套件 {suite} 会调用的函数: {', '.join(missing)}",
            )
        ]
    return []


def _shown(value: Any) -> str:
    # -1 from TOML and -1.0 from a form field read the same.
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return f"{value:g}"
    return repr(value)


def _positive(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value > 0 and math.isfinite(value)


def _limit_problems(values: Mapping[str, Any]) -> list[ExerciseProblem]:
    problems = []
    for name in ("cpu_limit_seconds", "wall_limit_seconds"):
        if name in values and not _positive(values[name]):
            problems.append(ExerciseProblem(name, f"Must be a positive number of seconds · 必须是正数（秒）, got {_shown(values[name])}"))
    if "memory_limit_mb" in values:
        memory = values["memory_limit_mb"]
        if isinstance(memory, bool) or not isinstance(memory, int) or memory < 1:
            problems.append(ExerciseProblem("memory_limit_mb", f"Must be a whole number of MB, at least 1 · 必须是不小于 1 的整数（MB）, got {_shown(memory)}"))
    if "points" in values:
        try:
            # str() first: Decimal(0.1) would carry the binary expansion of 0.1.
            points = Decimal(str(values["points"]))
        except (InvalidOperation, ValueError):
            points = None
        # Exercise.points is DecimalField(max_digits=6, decimal_places=2).
        if (
            isinstance(values["points"], bool)
            or points is None
            or not (points.is_finite() and Decimal("0.01") <= points <= Decimal("9999.99"))
            or points != points.quantize(Decimal("0.01"))
        ):
            problems.append(
                ExerciseProblem(
                    "points", f"Must be between 0.01 and 9999.99 with at most 2 decimals · 分值须在 0.01 到 9999.99 之间且最多两位小数, got {_shown(values['points'])}"
                )
            )
    return problems


def exercise_problems(values: Mapping[str, Any]) -> list[ExerciseProblem]:
    """Every problem with an exercise's values (Exercise field name -> value); [] when it is valid.

    Fields absent from `values` are not checked. What is checked: the
    required function names, the check suite and its parameters (and that
    required_functions names every function the suite calls), the reference
    solution and starter code (each must be something a student could submit
    and define the required functions; an empty starter is allowed), points
    and limits.
    """
    problems: list[ExerciseProblem] = []
    names = values.get("required_functions")
    if "required_functions" in values:
        problem = function_names_problem(names)
        if problem:
            problems.append(ExerciseProblem("required_functions", problem))
            names = None
    if "check_suite" in values:
        problems += _suite_problems(values["check_suite"], values.get("check_params", {}), names)
    for name in CODE_FIELDS:
        code = values.get(name)
        if name not in values or (name == "starter_code" and not code):
            continue
        if not isinstance(code, str):
            problems.append(ExerciseProblem(name, "Must be text · 必须是文本"))
            continue
        problems += [ExerciseProblem(name, message) for message in code_problems(code, required_functions=names)]
    problems += _limit_problems(values)
    return problems


def mistake_problems(code: str, *, required_functions: Any) -> list[str]:
    """Why a known-wrong solution cannot be used: it must declare its mistake and be submittable."""
    problems = []
    if not mistake_declared(code):
        problems.append(f"The first line must be '{MISTAKE_MARKER} <mistake_id>' (lower_snake_case) · 第一行须为 '{MISTAKE_MARKER} <错误标识>'")
    problems += code_problems(code, required_functions=required_functions)
    return problems

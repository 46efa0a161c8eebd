"""The mutant generator on small sources: each operator, stable ids, no duplicates, only compiling mutants."""

import ast
import textwrap

import pytest

from courses.services import SAMPLE_CONTENT_DIRECTORY
from grader.mutation.equivalents import equivalents_read
from grader.mutation.generate import generate_mutants


def mutants_of(source):
    return generate_mutants(textwrap.dedent(source))


def bodies(source):
    """The mutated `return` expressions, unparsed: what each mutant computes."""
    out = []
    for mutant in mutants_of(source):
        function = ast.parse(mutant.source).body[-1]
        out.append(ast.unparse(function.body[-1]))
    return out


def kinds(source):
    return {mutant.kind for mutant in mutants_of(source)}


def test_arithmetic_operators_are_swapped_and_terms_dropped_or_doubled():
    found = bodies("def f(a, b):\n    return a + b\n")
    assert {"return a - b", "return a * b", "return a", "return b", "return a + b + b"} <= set(found)


def test_division_and_power():
    assert {"return a * b", "return a // b", "return a"} <= set(bodies("def f(a, b):\n    return a / b\n"))
    # `** 0.5` removed
    assert "return x" in bodies("def f(x):\n    return x ** 0.5\n")


def test_a_swapped_operator_keeps_its_operands_text_and_precedence():
    # a - b * c with b * c -> b + c must stay a - (b + c), not become a - b + c
    sources = [m.source for m in mutants_of("def f(a, b, c):\n    return a - b * c\n")]
    assert "def f(a, b, c):\n    return a - (b + c)\n" in sources
    for source in sources:
        compile(source, "<mutant>", "exec")


def test_comparison_and_boolean_operators():
    assert "return a <= b" in bodies("def f(a, b):\n    return a < b\n")
    assert "return a is not None" in bodies("def f(a):\n    return a is None\n")
    assert "return a or b" in bodies("def f(a, b):\n    return a and b\n")
    assert "return a" in bodies("def f(a):\n    return not a\n")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", {"1", "-1"}), ("1", {"0", "2", "-1"}), ("3", {"4", "2", "-3", "6"}), ("2.5", {"3.5", "1.5", "-2.5", "5.0"})],
)
def test_numeric_constants(value, expected):
    found = {body.removeprefix("return x * ") for body in bodies(f"def f(x):\n    return x * {value}\n")}
    assert expected <= found


def test_axis_and_keepdims_arguments():
    found = set(bodies("import numpy as np\n\ndef f(x):\n    return np.sum(x, axis=-1, keepdims=True)\n"))
    assert "return np.sum(x, axis=-2, keepdims=True)" in found
    assert "return np.sum(x, keepdims=True)" in found  # axis= removed
    assert "return np.sum(x, axis=-1)" in found  # keepdims= removed
    assert "return np.sum(x, axis=-1, keepdims=False)" in found
    assert "return np.mean(x, axis=-1, keepdims=True)" in found  # sum <-> mean
    assert "return np.sum(x, axis=1)" in bodies("import numpy as np\n\ndef f(x):\n    return np.sum(x, axis=0)\n")


def test_function_swaps_and_dropped_calls():
    found = set(bodies("import numpy as np\n\ndef f(x):\n    return np.sqrt(np.max(x))\n"))
    assert "return np.sqrt(np.min(x))" in found
    assert "return np.max(x)" in found  # np.sqrt removed


def test_slice_bounds():
    found = set(bodies("def f(x, n):\n    return x[1:n]\n"))
    assert {"return x[:n]", "return x[2:n]", "return x[0:n]", "return x[1:]", "return x[1:n + 1]", "return x[1:n - 1]"} <= found


def test_swapped_arguments():
    assert "return g(b, a)" in bodies("def f(a, b):\n    return g(a, b)\n")
    # identical arguments: swapping them would change nothing, so no mutant
    assert "arguments swapped" not in kinds("def f(a):\n    return g(a, a)\n")


def test_a_statement_is_removed_but_never_the_return():
    source = "def f(x):\n    y = x + 1\n    return y\n"
    removed = [m for m in mutants_of(source) if m.kind == "statement removed"]
    assert [m.source for m in removed] == ["def f(x):\n    pass\n    return y\n"]


def test_imports_docstrings_and_dtype_are_left_alone():
    source = '''
    """Module docstring 1."""
    import numpy as np


    def f(x, eps=1e-5):
        """Docstring 2."""
        return np.asarray(x, dtype=np.float64)
    '''
    for mutant in mutants_of(source):
        assert "import numpy as np" in mutant.source
        assert "Docstring 2." in mutant.source
        assert "eps=1e-5" in mutant.source
        assert "dtype=np.float64" in mutant.source


def test_each_mutant_is_one_line_described_with_a_diff_against_the_reference():
    source = "def f(a, b):\n    # keep me\n    return a + b\n"
    for mutant in mutants_of(source):
        assert "\n" not in mutant.description and mutant.description.startswith(f"line {mutant.line}, f: ")
        assert mutant.diff.startswith("--- solution.py\n+++ solution.py (mutant ")
        assert "-    return a + b\n" in mutant.diff
        assert "# keep me" in mutant.source  # only the changed span is rewritten


def test_ids_are_stable_across_runs_and_edits_elsewhere_in_the_file():
    source = "def f(a, b):\n    c = a * 2\n    return a + b - c\n"
    first = [(m.id, m.description) for m in generate_mutants(source)]
    assert first == [(m.id, m.description) for m in generate_mutants(source)]
    shifted = "# a comment added above\n\n" + source.replace("    c =", "    # and one inside\n    c =")
    assert [m.id for m in generate_mutants(shifted)] == [identifier for identifier, _ in first]
    assert all(len(identifier) == 12 for identifier, _ in first)


def test_no_two_mutants_are_the_same_and_none_is_the_reference():
    # 0 -> 1 as a constant and as a slice bound + 1 give the same x[1:], only once
    source = "def f(x):\n    return x[0:] * 1 + x[:1]\n"
    mutants = generate_mutants(source)
    dumps = [ast.dump(ast.parse(m.source)) for m in mutants]
    assert len(dumps) == len(set(dumps)) == len({m.id for m in mutants})
    assert ast.dump(ast.parse(source)) not in dumps


def test_mutants_that_do_not_compile_are_dropped():
    # Removing `x = 1` parses, but `nonlocal x` then has no binding: a compile error.
    source = "def f():\n    x = 1\n\n    def g():\n        nonlocal x\n        x = 2\n\n    g()\n    return x\n"
    mutants = generate_mutants(source)
    assert mutants  # the others are kept
    assert all("    x = 1\n" in mutant.source for mutant in mutants if mutant.kind == "statement removed")
    for mutant in mutants:
        compile(mutant.source, "<mutant>", "exec")


def test_the_order_is_deterministic_and_follows_the_source():
    source = "def f(a, b):\n    c = a - 1\n    return c * b\n"
    mutants = generate_mutants(source)
    assert [m.line for m in mutants] == sorted(m.line for m in mutants)
    assert [m.id for m in mutants] == [m.id for m in generate_mutants(source)]


@pytest.mark.parametrize("exercise_dir", sorted((SAMPLE_CONTENT_DIRECTORY / "exercises").iterdir()), ids=lambda p: p.name)
def test_every_equivalent_mark_of_the_sample_course_names_a_current_mutant(exercise_dir):
    """A reference edited after its mutants were marked shows up here, not as a silently ignored mark."""
    marked = equivalents_read(exercise_dir=exercise_dir)
    ids = {mutant.id for mutant in generate_mutants((exercise_dir / "solution.py").read_text(encoding="utf-8"))}
    assert set(marked) <= ids

"""One helper starts the real stack for the integration tests and bench/, with one percentile definition."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stack import ROOT, percentile


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([15, 20, 35, 40, 50], 5, 15),  # nearest rank: ceil(0.05 * 5) = 1st
        ([15, 20, 35, 40, 50], 30, 20),  # ceil(1.5) = 2nd
        ([15, 20, 35, 40, 50], 40, 20),  # exactly 2 of 5: the 2nd
        ([15, 20, 35, 40, 50], 50, 35),
        ([15, 20, 35, 40, 50], 100, 50),
        ([3, 1, 2], 0, 1),
        ([7.5], 95, 7.5),
        (list(range(1, 101)), 95, 95),
        (list(range(100, 0, -1)), 50, 50),  # order of the input does not matter
    ],
)
def test_percentile_is_the_nearest_rank(values, q, expected):
    assert percentile(values, q) == expected


def test_percentile_refuses_what_has_no_answer():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1, 2], 0.95 * 1000)


def _defined_functions_and_classes(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def test_bench_and_the_integration_tests_start_processes_through_tests_stack():
    users = [ROOT / "bench" / "load_bench.py", ROOT / "bench" / "grade_bench.py", ROOT / "tests" / "integration" / "conftest.py"]
    for path in users:
        source = path.read_text(encoding="utf-8")
        assert "from tests.stack import" in source, path.name
        assert "percentile" not in _defined_functions_and_classes(path), path.name
        assert "subprocess.Popen" not in source, path.name  # processes are started by tests.stack only


def test_the_bench_scripts_find_the_helper_when_run_as_scripts():
    # `make bench` runs them as files, from the repository root, not under pytest.
    result = subprocess.run([sys.executable, "bench/load_bench.py", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "--soak" in result.stdout

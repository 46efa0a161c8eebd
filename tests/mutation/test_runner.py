"""Mutants graded through the real sandbox: a weak check suite lets one survive, the shipped one kills it."""

import numpy as np
import pytest

import engine
from grader.checks import registry
from grader.checks.base import Suite, tolerance_params
from grader.mutation.runner import exercise_mutation_report

# Global instead of per-row max: the same as the reference on one 1-D vector only.
AXIS_DROPPED = "axis= removed: `np.max(x, axis=axis, keepdims=True)` → `np.max(x, keepdims=True)`"


def _one_vector(b, p, rng):
    b.add("one 1-D vector", "一个一维向量", "softmax", (np.array([1.0, 2.0, 3.0]),), hidden=False)


@pytest.fixture
def weak_softmax_suite(monkeypatch):
    """A suite an instructor might have written first: one small 1-D input, nothing else."""
    suite = Suite(name="softmax-one-vector", functions=("softmax",), params=tolerance_params(), build=_one_vector)
    monkeypatch.setitem(registry.REGISTRY, suite.name, suite)
    monkeypatch.setitem(engine.REFERENCE, suite.name, engine.REFERENCE["softmax"])
    return suite.name


def _by_description(report, fragment):
    [result] = [result for result in report.results if fragment in result.mutant.description]
    return result


def test_a_weak_suite_lets_the_global_max_mutant_survive_and_the_shipped_suite_kills_it(
    unsaved_exercise, weak_softmax_suite
):
    weak = exercise_mutation_report(exercise=unsaved_exercise("softmax", check_suite=weak_softmax_suite, check_params={}))
    survivor = _by_description(weak, AXIS_DROPPED)
    assert survivor.outcome == "survived" and survivor.status == "graded"
    assert survivor.mutant.id in {entry["id"] for entry in weak.as_dict()["survivors"]}
    assert "+    shifted = x - np.max(x, keepdims=True)\n" in survivor.mutant.diff
    assert weak.score < 0.9

    shipped = exercise_mutation_report(exercise=unsaved_exercise("softmax"))
    killed = _by_description(shipped, AXIS_DROPPED)
    assert killed.mutant.id == survivor.mutant.id  # the same mutant: the id depends on the code alone
    assert killed.outcome == "killed"
    assert killed.score.split("/")[0] != killed.score.split("/")[1]
    assert shipped.count("killed") > weak.count("killed")
    assert shipped.total == weak.total and shipped.count("error") == 0


def test_marked_equivalents_leave_the_denominator_and_stale_marks_are_reported(unsaved_exercise, weak_softmax_suite):
    exercise = unsaved_exercise("softmax", check_suite=weak_softmax_suite, check_params={})
    unmarked = exercise_mutation_report(exercise=exercise)
    survivors = {result.mutant.id for result in unmarked.survivors}
    assert survivors
    marks = {identifier: "marked for the test" for identifier in survivors} | {"000000000000": "an old mutant"}

    marked = exercise_mutation_report(exercise=exercise, equivalents=marks)
    assert marked.count("equivalent") == len(survivors)
    assert marked.count("survived") == 0
    assert marked.score == 1.0 == marked.count("killed") / (marked.total - marked.count("equivalent"))
    assert marked.stale_marks == ["000000000000"]
    summary = marked.as_dict()
    assert summary["total"] == summary["killed"] + summary["survived"] + summary["equivalent"] + summary["errors"]


def test_the_report_is_reproducible_with_the_fixed_seed(unsaved_exercise):
    exercise = unsaved_exercise("greedy-decoding")
    first, again = (exercise_mutation_report(exercise=exercise, threads=threads) for threads in (1, 2))
    assert [(r.mutant.id, r.outcome, r.score) for r in first.results] == [
        (r.mutant.id, r.outcome, r.score) for r in again.results
    ]

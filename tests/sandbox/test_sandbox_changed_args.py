"""A call asked to report its changed arguments says which positions it changed
in place, and only those: nothing of their contents, whatever the submission
puts there, and nothing for a call that was not asked."""

import numpy as np

from grader.sandbox import Call, outcome
from grader.sandbox.outcome import MAX_CHANGED_ARGS

CODE = """
import numpy as np

class Hostile:
    def __eq__(self, other):
        raise SystemExit("no comparing me")
    __hash__ = None

def pads(corpus, context):
    for sentence in corpus:
        sentence.append("</s>")
    return 1.0

def shifts(x, y):
    x -= 1.0
    return float(y.sum())

def copies(x, corpus):
    x = x - 1.0
    corpus = [s + ["</s>"] for s in corpus]
    return float(x.sum())

def replaces(corpus, x):
    corpus[0] = Hostile()
    return 0.0

def nan_in_place(x):
    x[0] = np.nan
    return 0.0
"""

FUNCTIONS = ("pads", "shifts", "copies", "replaces", "nan_in_place")
CORPUS = [["我", "喜欢"], []]


def _calls(report=True, hidden=False):
    nan_input = np.array([np.nan, 1.0])
    args = {
        "pads": ([list(s) for s in CORPUS], ["我"]),
        "shifts": (np.arange(3.0), np.ones(2)),
        "copies": (np.arange(3.0), [list(s) for s in CORPUS]),
        "replaces": ([list(s) for s in CORPUS], np.zeros(1)),
        "nan_in_place": (nan_input,),
    }
    return [
        Call(name=f"c_{name}", function=name, args=args[name], hidden=hidden, report_changed_args=report)
        for name in FUNCTIONS
    ]


def test_the_positions_changed_in_place_are_reported(sandbox):
    run = sandbox.run(CODE, _calls(), required=FUNCTIONS)
    assert run.status == "ok", run.detail
    changed = {name: run.calls[f"c_{name}"].changed_args for name in FUNCTIONS}
    assert changed == {
        "pads": (0,),
        "shifts": (0,),
        "copies": (),
        "replaces": (0,),  # an object that refuses comparison counts as changed
        "nan_in_place": (),  # NaN where NaN was is no change
    }
    assert run.calls["c_shifts"].value == 2.0


def test_hidden_calls_report_positions_too_and_nothing_else(sandbox):
    run = sandbox.run(CODE, _calls(hidden=True), required=FUNCTIONS)
    assert run.calls["c_pads"].changed_args == (0,)
    assert run.calls["c_pads"].traceback == "" and run.calls["c_pads"].detail == ""


def test_a_call_not_asked_reports_nothing(sandbox):
    run = sandbox.run(CODE, _calls(report=False), required=FUNCTIONS)
    assert all(run.calls[f"c_{name}"].changed_args == () for name in FUNCTIONS)


def test_forged_positions_are_cut_to_small_ints_each_once():
    read = outcome._changed
    assert read({"changed": [2, 0, 2, -1, "1", 1.0, True, 10**9]}) == (0, 2)
    assert read({"changed": "0"}) == () and read({}) == ()
    assert read({"changed": list(range(MAX_CHANGED_ARGS + 1))}) == ()

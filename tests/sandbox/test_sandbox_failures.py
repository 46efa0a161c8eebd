"""THREATS 8: failure is a grade, not a crash: named statuses, messages in the student's terms."""

import numpy as np

from grader.sandbox import Call

HARNESS_MARKS = ("<string>", "zygote", "_Harness", "load_module", "run_call", "exec(", "/opt/site", "sandbox")


def _softmax_calls():
    return [Call(name="v", function="softmax", args=(np.zeros(3),)),
            Call(name="h", function="softmax", args=(np.zeros(3),), hidden=True)]


def _assert_student_only(text):
    for mark in HARNESS_MARKS:
        assert mark not in text, (mark, text)


def test_a_syntax_error_is_an_error_with_the_students_line(sandbox):
    code = "import numpy as np\n\ndef softmax(x):\n    return np.exp(x) /\n"
    out = sandbox.run(code, calls=_softmax_calls(), required=("softmax",))
    assert out.status == "error", out
    assert 'File "submission.py", line 4' in out.load_error
    assert "return np.exp(x) /" in out.load_error
    assert "SyntaxError" in out.load_error
    _assert_student_only(out.load_error)
    assert {call.kind for call in out.calls.values()} == {"not_run"}
    sandbox.assert_honest_submission_works()


def test_an_exception_at_import_shows_the_students_frames_only(sandbox):
    code = "import numpy as np\n\ndef helper():\n    return np.ones(3) @ np.ones(4)\n\nTABLE = helper()\n\ndef softmax(x):\n    return x\n"
    out = sandbox.run(code, calls=_softmax_calls(), required=("softmax",))
    assert out.status == "error", out
    tb = out.load_error
    assert tb.startswith("Traceback (most recent call last):")
    assert 'File "submission.py", line 6, in <module>' in tb and "TABLE = helper()" in tb
    assert 'File "submission.py", line 4, in helper' in tb
    assert "ValueError: matmul: Input operand 1 has a mismatch" in tb
    _assert_student_only(tb)
    assert "numpy" not in tb.split("ValueError")[0]  # numpy's own frames are not the student's
    sandbox.assert_honest_submission_works()


def test_other_load_failures_are_errors(sandbox):
    cases = {
        "import scipy\ndef softmax(x):\n    return x\n": "ModuleNotFoundError: No module named 'scipy'",
        "raise KeyboardInterrupt\n": "KeyboardInterrupt",
        "import sys\nsys.exit('bye')\n": "SystemExit: bye",
        "x = 1\x00\n": "null bytes",
        "def softmax(x):\n  return x\n    return 2\n": "IndentationError",
    }
    for code, expected in cases.items():
        out = sandbox.run(code, calls=_softmax_calls(), required=("softmax",))
        assert out.status == "error", (code, out)
        assert expected in out.load_error, (code, out.load_error)
        _assert_student_only(out.load_error)
    sandbox.assert_honest_submission_works()


def test_a_missing_function_is_an_error_naming_it(sandbox):
    code = "import numpy as np\ndef soft_max(x):\n    return x\nsoftmax = 3\n"
    out = sandbox.run(code, calls=_softmax_calls(), required=("softmax",))
    assert out.status == "error", out
    assert out.missing_functions == ["softmax"]
    assert out.load_error == ""
    assert out.calls["v"].kind == "not_run"
    assert out.calls["v"].detail == "the submission defines no function named softmax"
    sandbox.assert_honest_submission_works()


def test_an_exception_in_a_call_is_that_calls_result(sandbox):
    code = "def softmax(x):\n    if x.sum() == 0:\n        raise ZeroDivisionError('all zeros')\n    return x\n"
    calls = _softmax_calls() + [Call(name="fine", function="softmax", args=(np.ones(2),))]
    out = sandbox.run(code, calls=calls, required=("softmax",))
    assert out.status == "ok", out
    v = out.calls["v"]
    assert (v.kind, v.exception_type) == ("raised", "ZeroDivisionError")
    assert v.traceback == (
        'Traceback (most recent call last):\n'
        '  File "submission.py", line 3, in softmax\n'
        "    raise ZeroDivisionError('all zeros')\n"
        'ZeroDivisionError: all zeros\n'
    )
    assert out.calls["h"].kind == "raised"
    assert out.calls["fine"].kind == "returned"
    sandbox.assert_honest_submission_works()


def test_inputs_arrive_with_their_exact_types(sandbox):
    code = """
import numpy as np
def describe(value):
    if isinstance(value, np.ndarray):
        return f"ndarray[{value.dtype.str}{list(value.shape)}]"
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + "(" + ",".join(describe(v) for v in value) + ")"
    if isinstance(value, dict):
        return "dict(" + ",".join(f"{k}={describe(v)}" for k, v in value.items()) + ")"
    return f"{type(value).__name__}:{value!r}"

def probe(*args, **kwargs):
    return describe(args) + " " + describe(kwargs)
"""
    args = (np.zeros((2, 3), dtype=np.float32), np.arange(3), np.array([True, False]), [1, 2.5, None, True],
            (1, "two"), {"k": np.ones(1)}, float("inf"), 2**70, np.float32(1.5), np.int64(3))
    calls = [Call(name="probe", function="probe", args=args, kwargs={"axis": -1, "mask": None})]
    out = sandbox.run(code, calls=calls)
    assert out.calls["probe"].value == (
        "tuple(ndarray[<f4[2, 3]],ndarray[<i8[3]],ndarray[|b1[2]],list(int:1,float:2.5,NoneType:None,bool:True),"
        "tuple(int:1,str:'two'),dict(k=ndarray[<f8[1]]),float:inf,int:1180591620717411303424,float32:np.float32(1.5),"
        "int64:np.int64(3)) dict(axis=int:-1,mask=NoneType:None)"
    )
    # Non-finite values come back as they are (the checks judge finiteness).
    code = "import numpy as np\ndef probe():\n    return (float('nan'), np.array([np.inf, -np.inf, np.nan]), -0.0)\n"
    value = sandbox.probe(code)
    assert np.isnan(value[0]) and np.isinf(value[1][:2]).all() and np.isnan(value[1][2])
    assert str(value[2]) == "-0.0"
    sandbox.assert_honest_submission_works()

"""THREATS 3: the grade is computed outside, from plain data; nothing the submission
returns, prints, writes, exits with or patches changes what the trusted side sees."""

import secrets
from pathlib import Path

import numpy as np

from grader.sandbox import Call

ODD_RETURNS = """
import numpy as np

class AlwaysEqual:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = object.__hash__

class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)
    def __array_finalize__(self, obj):
        pass
    def tolist(self):
        return [1.0]

def subclass():
    return np.zeros(3).view(Liar)
def always_equal():
    return AlwaysEqual()
def text():
    return "0.0900, 0.2447, 0.6652"
def mapping():
    return {"output": np.ones(3)}
def objects():
    return np.array([AlwaysEqual(), 1.0], dtype=object)
def complex_array():
    return np.ones(3, dtype=complex)
def strings():
    return np.array(["abc", "d"])
def float128():
    return np.ones(2, dtype=np.longdouble)
def nested():
    return (np.ones(2, dtype=np.float32), [1, 2.5, True, None], np.float64(3.5), np.int64(7))
def big_endian():
    return np.arange(4, dtype=">f8")
def fortran():
    return np.asfortranarray(np.arange(6.0).reshape(2, 3))
"""


def test_odd_return_values_arrive_as_plain_data_or_are_refused(sandbox):
    names = ["subclass", "always_equal", "text", "mapping", "objects", "complex_array", "strings", "float128",
             "nested", "big_endian", "fortran"]
    calls = [Call(name=name, function=name) for name in names]
    calls.append(Call(name="hidden_text", function="text", hidden=True))
    out = sandbox.run(ODD_RETURNS, calls=calls, required=names)
    assert out.status == "ok", out
    got = out.calls

    # The subclass's bytes come back; its class, __eq__ and tolist do not.
    assert got["subclass"].kind == "returned"
    assert type(got["subclass"].value) is np.ndarray
    assert not (got["subclass"].value == np.ones(3)).any()
    assert got["subclass"].value.tolist() == [0.0, 0.0, 0.0]

    assert (got["always_equal"].kind, got["always_equal"].detail) == ("bad_return", "an object of type AlwaysEqual")
    assert got["always_equal"].value is None
    assert (got["mapping"].kind, got["mapping"].detail) == ("bad_return", "a dict")
    assert (got["objects"].kind, got["objects"].detail) == ("bad_return", "an array of dtype object")
    assert (got["complex_array"].kind, got["complex_array"].detail) == ("bad_return", "an array of dtype complex128")
    assert (got["strings"].kind, got["strings"].detail) == ("bad_return", "an array of dtype <U3")
    assert (got["float128"].kind, got["float128"].detail) == ("bad_return", "an array of dtype <f16")

    # A str is plain data on a visible call, and refused on a hidden one (no text leaves a hidden call).
    assert (got["text"].kind, got["text"].value) == ("returned", "0.0900, 0.2447, 0.6652")
    assert (got["hidden_text"].kind, got["hidden_text"].detail, got["hidden_text"].value) == ("bad_return", "", None)

    nested = got["nested"].value
    assert type(nested) is tuple and len(nested) == 4
    assert type(nested[0]) is np.ndarray and nested[0].dtype == np.float32
    assert nested[1] == [1, 2.5, True, None] and [type(v) for v in nested[1]] == [int, float, bool, type(None)]
    assert type(nested[2]) is float and nested[2] == 3.5
    assert type(nested[3]) is int and nested[3] == 7

    big = got["big_endian"].value
    assert big.dtype == np.float64 and big.dtype.isnative and big.tolist() == [0.0, 1.0, 2.0, 3.0]
    fort = got["fortran"].value
    assert fort.flags.c_contiguous and fort.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    sandbox.assert_honest_submission_works()


def test_a_patched_numpy_save_cannot_smuggle_a_pickle_out(sandbox, tmp_path):
    # If the worker ever unpickled what comes back, this would create the marker file on the host.
    marker = tmp_path / f"pwned-{secrets.token_hex(4)}"
    code = f"""
import io, numpy as np
import numpy.lib.format as fmt

class Exploit:
    def __reduce__(self):
        return (open, ({str(marker)!r}, "w"))

_obj = np.empty(1, dtype=object)
_obj[0] = Exploit()
_buffer = io.BytesIO()
fmt.write_array(_buffer, _obj, allow_pickle=True)
PAYLOAD = _buffer.getvalue()  # a real .npy whose data is a pickle

def write_array(fp, array, version=None, allow_pickle=True, pickle_kwargs=None):
    fp.write(PAYLOAD)

fmt.write_array = write_array
np.save = lambda *a, **k: write_array(*a[:2])
# The harness keeps its own reference to write_array: find it and patch that too.
import gc
for thing in gc.get_objects():
    if hasattr(type(thing), "encode_array") and hasattr(thing, "write_array"):
        thing.write_array = write_array

def softmax(x):
    return np.ones(3)
"""
    calls = [Call(name="v", function="softmax", args=(np.zeros(3),)),
             Call(name="h", function="softmax", args=(np.zeros(3),), hidden=True)]
    out = sandbox.run(code, calls=calls, required=("softmax",))
    assert out.status == "ok", out
    assert (out.calls["v"].kind, out.calls["v"].detail) == ("bad_return", "an array of dtype object")
    assert (out.calls["h"].kind, out.calls["h"].detail) == ("bad_return", "")
    assert not marker.exists()
    sandbox.assert_honest_submission_works()


FORGED_FRAMES = """
import json, os, struct

def frame(obj):
    data = json.dumps(obj).encode()
    os.write(3, struct.pack(">I", len(data)) + data)

# Before the seal: a hidden call's result (refused: wrong phase), a value the
# trusted side cannot hold, a huge-shape .npy header, and garbage.
frame({"k": "call", "name": "h", "kind": "returned", "value": {"f": "0x1p+0"}})
frame({"k": "call", "name": "dict_value", "kind": "returned", "value": {"d": [["a", None]]}})
frame({"k": "call", "name": "huge_npy", "kind": "returned",
       "value": {"a": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEwMDAwMDAwMDAwMDAsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAK"}})
frame({"k": "call", "name": "not_a_call_of_this_run", "kind": "returned", "value": None})
frame({"k": "call", "name": "nan_json", "kind": "returned", "value": None, "x": float("nan")})
os.write(3, struct.pack(">I", 4) + b"\\xff\\xfe{[")
frame(["not", "an", "object"])
print(json.dumps({"k": "call", "name": "printed", "kind": "returned", "value": {"f": "0x1p+0"}}))
with open("result.json", "w") as handle:
    json.dump({"printed": 1.0, "h": 1.0}, handle)

def dict_value():
    return 2.0
def huge_npy():
    return 3.0
def nan_json():
    return 4.0
def printed():
    return 5.0
def softmax(x):
    return 6.0
"""


def test_forged_result_frames_count_for_nothing_more_than_a_return(sandbox):
    calls = [Call(name=name, function=name) for name in ("dict_value", "huge_npy", "nan_json", "printed")]
    calls.append(Call(name="h", function="softmax", args=(np.zeros(2),), hidden=True))
    out = sandbox.run(FORGED_FRAMES, calls=calls, required=("softmax",))
    got = out.calls
    # Forged frames for visible calls come first and win, like an early return would;
    # but only plain data survives them.
    assert (got["dict_value"].kind, got["dict_value"].detail) == ("bad_return", "data the grader cannot read")
    assert (got["huge_npy"].kind, got["huge_npy"].detail) == ("bad_return", "data the grader cannot read")
    # NaN is not JSON: the forged frame is dropped and the real return counts.
    assert (got["nan_json"].kind, got["nan_json"].value) == ("returned", 4.0)
    # Printed or written "results" are just output.
    assert (got["printed"].kind, got["printed"].value) == ("returned", 5.0)
    # The hidden call's forged pre-seal frame is refused; its real result counts.
    assert (got["h"].kind, got["h"].value) == ("returned", 6.0)
    assert "not_a_call_of_this_run" not in got
    sandbox.assert_honest_submission_works()


PATCHED_EVERYTHING = """
import builtins, json, math, numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.isclose = lambda a, b, **k: np.ones(np.shape(a), dtype=bool)
math.isclose = lambda *a, **k: True
json.dumps = lambda obj, *a, **k: '{"k": "call", "name": "v", "kind": "returned", "value": {"f": "0x1p+0"}}'
_real_isinstance = builtins.isinstance
builtins.isinstance = lambda obj, cls: True

def softmax(x):
    return np.zeros_like(x)
"""


def test_monkeypatching_numpy_json_and_builtins_changes_nothing_outside(sandbox):
    x = np.array([1.0, 2.0, 3.0])
    calls = [Call(name="v", function="softmax", args=(x,)), Call(name="h", function="softmax", args=(x,), hidden=True)]
    out = sandbox.run(PATCHED_EVERYTHING, calls=calls, required=("softmax",))
    for name in ("v", "h"):
        call = out.calls[name]
        # Whatever the patched harness managed to send, it is plain data, and the
        # comparison (here, as in the checks) runs with the real numpy.
        if call.kind == "returned":
            assert type(call.value) in (float, np.ndarray)
            assert not np.allclose(call.value, np.exp(x) / np.exp(x).sum())
        else:
            assert call.kind in ("bad_return", "not_run", "raised"), call
    sandbox.assert_honest_submission_works()


def test_an_exit_code_is_no_result(sandbox):
    for code in ("import os\nos._exit(0)\n", "import sys\nsys.exit(0)\n", "raise SystemExit(0)\n"):
        out = sandbox.run(code + "def softmax(x):\n    return x\n",
                          calls=[Call(name="v", function="softmax", args=(np.zeros(2),))], required=("softmax",))
        assert out.calls["v"].kind == "not_run", (code, out)
        assert out.status in ("crashed", "error"), (code, out)
    sandbox.assert_honest_submission_works()


def test_the_worker_never_unpickles(tmp_path):
    # The trusted loader itself, fed a pickle-bearing .npy directly.
    import base64
    import io

    from grader.sandbox import codec

    marker = Path(tmp_path) / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    buffer = io.BytesIO()
    obj = np.empty(1, dtype=object)
    obj[0] = Exploit()
    np.lib.format.write_array(buffer, obj, allow_pickle=True)
    tree = {"a": base64.b64encode(buffer.getvalue()).decode()}
    try:
        codec.decode_value(tree, allow_str=False)
    except codec.BadValue as bad:
        assert bad.detail == "an array of dtype object"
    else:
        raise AssertionError("an object array was accepted")
    assert not marker.exists()


def test_a_desynchronised_result_stream_costs_only_the_submission(sandbox):
    code = """
import os, struct
os.write(3, struct.pack(">I", 5) + b"{}")  # claims 5 bytes, sends 2: every later frame is misread
def softmax(x):
    return 1.0
"""
    out = sandbox.run(code, calls=[Call(name="v", function="softmax", args=(np.zeros(2),))], required=("softmax",))
    assert out.calls["v"].kind == "not_run"
    assert out.status in ("crashed", "ok")
    sandbox.assert_honest_submission_works()

"""THREATS 7: a hidden test's feedback never carries text the submission produced."""

import base64

import numpy as np

from grader.sandbox import Call

# The hidden input holds this number; no text field of the outcome may.
SECRET = 987654.25
SECRET_TEXTS = ("987654", base64.b64encode(np.float64(SECRET).tobytes()).decode()[:8], "9.87654", "987,654")


def _all_text(outcome) -> str:
    parts = [outcome.stdout, outcome.load_error, outcome.detail, " ".join(outcome.missing_functions)]
    for call in outcome.calls.values():
        parts += [call.traceback, call.detail, call.exception_type, call.name]
        if isinstance(call.value, str):
            parts.append(call.value)
    return "\n".join(parts)


def _assert_no_secret(outcome):
    text = _all_text(outcome)
    for secret in SECRET_TEXTS:
        assert secret not in text, (secret, text)


def _calls():
    hidden_input = np.full((2, 3), SECRET)
    return [
        Call(name="visible", function="softmax", args=(np.zeros((2, 3)),)),
        Call(name="hidden", function="softmax", args=(hidden_input,), hidden=True),
    ]


ECHOES = {
    "exception message": "def softmax(x):\n    raise ValueError(f'input was {x.tolist()}')\n",
    "exception type name": "def softmax(x):\n    raise type(f'E{int(x.flat[0])}', (Exception,), {})()\n",
    "print": "def softmax(x):\n    print(x)\n    return x\n",
    "stderr": "import sys\ndef softmax(x):\n    sys.stderr.write(repr(x))\n    return x\n",
    "dup of stdout kept from import": (
        "import os\nSAVED = os.dup(1)\ndef softmax(x):\n    os.write(SAVED, repr(x).encode())\n    return x\n"
    ),
    "returned text": "def softmax(x):\n    return str(x.tolist())\n",
    "object type name": "def softmax(x):\n    return type(f'Leak{int(x.flat[0])}', (), {})()\n",
    "warning": "import warnings\ndef softmax(x):\n    warnings.warn(str(x))\n    return x\n",
}


def test_nothing_a_hidden_call_says_reaches_the_outcome(sandbox):
    for label, code in ECHOES.items():
        out = sandbox.run(code, calls=_calls(), required=("softmax",))
        _assert_no_secret(out)
        hidden = out.calls["hidden"]
        assert (hidden.traceback, hidden.detail, hidden.exception_type) == ("", "", ""), (label, hidden)
        # The same echo on the visible call is shown: it is the student's own input.
        visible = out.calls["visible"]
        if visible.kind == "raised":
            assert visible.traceback and visible.exception_type, (label, visible)
    sandbox.assert_honest_submission_works()


EARLY_SEAL = """
import json, os, struct

def frame(obj):
    data = json.dumps(obj).encode()
    os.write(3, struct.pack(">I", len(data)) + data)

# Seal the visible phase ourselves, at import, and read the hidden inputs...
os.write(4, b"S")
hidden = b""
while True:
    part = os.read(5, 65536)
    if not part:
        break
    hidden += part
text = hidden.decode()
# ...then try every channel back: stdout, stderr, and frames that name visible things.
print(text)
os.write(2, hidden)
frame({"k": "call", "name": "visible", "kind": "raised", "tb": text, "exc": text[:100]})
frame({"k": "call", "name": "visible", "kind": "bad_return", "detail": text})
frame({"k": "call", "name": "visible", "kind": "returned", "value": {"s": text}})
frame({"k": "call", "name": "hidden", "kind": "raised", "tb": text, "exc": text[:100], "detail": text})
frame({"k": "load_error", "tb": text})
frame({"k": "missing", "names": [text]})

def softmax(x):
    return x
"""


def test_sealing_early_and_reading_the_hidden_inputs_leaks_nothing(sandbox):
    out = sandbox.run(EARLY_SEAL, calls=_calls(), required=("softmax",))
    _assert_no_secret(out)
    assert out.calls["visible"].kind == "not_run"  # its frames came after the seal
    hidden = out.calls["hidden"]  # the forged frame came first and counts, stripped of its text
    assert (hidden.kind, hidden.traceback, hidden.exception_type, hidden.detail) == ("raised", "", "", "")
    assert out.stdout == ""  # everything printed came after the seal
    assert out.load_error == "" and out.missing_functions == []
    sandbox.assert_honest_submission_works()


def test_visible_output_and_tracebacks_are_still_shown(sandbox):
    code = "print('loading')\ndef softmax(x):\n    print('visible call', x.shape)\n    raise ValueError('shape ' + str(x.shape))\n"
    out = sandbox.run(code, calls=_calls(), required=("softmax",))
    assert out.stdout == "loading\nvisible call (2, 3)\n"
    visible = out.calls["visible"]
    assert visible.kind == "raised" and visible.exception_type == "ValueError"
    assert 'File "submission.py", line 4, in softmax' in visible.traceback
    assert visible.traceback.rstrip().endswith("ValueError: shape (2, 3)")
    assert out.calls["hidden"].kind == "raised" and out.calls["hidden"].traceback == ""
    sandbox.assert_honest_submission_works()

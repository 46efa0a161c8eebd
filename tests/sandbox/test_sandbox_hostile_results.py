"""THREATS 8: whatever bytes a child writes where a result should be, the trusted
side comes to an outcome (the student's bad_return, or a frame that counts for
nothing), never an exception, and reading them costs bounded time and memory."""

import base64
import json
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.sandbox import Call, codec, outcome
from grader.sandbox.types import Limits, RunOutcome

from .helpers import FORGED_FRAME_HELPERS, reference_softmax


def _npy_header(shape, descr="<f8") -> bytes:
    header = "{'descr': %r, 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (-(codec.NPY_PREFIX + len(header) + 1) % 64) + "\n"
    return codec.NPY_MAGIC + len(header).to_bytes(2, "little") + header.encode()


@pytest.mark.parametrize("shape", [(0, 10**19), (0, 2**63 - 1), (0, 2**62, 4), (0, 2**40, 2**40), (10**19, 0)])
def test_a_zero_length_axis_beside_a_huge_one_is_data_the_grader_cannot_read(shape):
    # Zero elements, so the byte count matches; numpy then refuses the shape.
    # That refusal used to escape the decoder and end as our internal_error.
    tree = {"a": base64.b64encode(_npy_header(shape)).decode()}
    with pytest.raises(codec.BadValue) as caught:
        codec.decode_value(tree, allow_str=False)
    assert caught.value.detail == "data the grader cannot read"


def test_a_returned_str_longer_than_the_harness_sends_is_refused():
    with pytest.raises(codec.BadValue) as caught:
        codec.decode_value({"s": "a" * (codec.MAX_STRING + 1)}, allow_str=True)
    assert caught.value.detail == f"a str of {codec.MAX_STRING + 1} characters"


class _CountingDecoder:
    """The frame parser, counting what it is handed (json's own work is proportional to it)."""

    def __init__(self, real):
        self.real = real
        self.structural = 0
        self.calls = 0

    def decode(self, text):
        self.calls += 1
        self.structural += sum(text.count(char) for char in "[{,:")
        return self.real.decode(text)


@pytest.fixture
def counting_decoder(monkeypatch):
    spy = _CountingDecoder(codec._FRAME_DECODER)
    monkeypatch.setattr(codec, "_FRAME_DECODER", spy)
    return spy


def test_a_30_mib_frame_of_tiny_tokens_is_refused_before_json_builds_anything(counting_decoder):
    frame = b'{"k":"call","name":"v","kind":"returned","value":{"l":[' + b'{"i":"1"},' * (3 * 2**20) + b"null]}}"
    tracemalloc.start()
    try:
        assert codec.parse_frame(frame) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Parsed, this was 3 million dicts (about 40x its bytes); refused, it allocated next to nothing.
    assert counting_decoder.calls == 0
    assert peak < 64 * 1024


def test_many_frames_just_under_the_budget_cannot_add_up(counting_decoder):
    # Each frame costs under a third of the budget; eight of them would cost
    # more than two budgets. The run's budget is shared: json sees two of them.
    leaves = codec.READ_BUDGET // 10
    calls = [Call(name=f"c{i}", function="f") for i in range(8)]
    frames = [
        (False, json.dumps({"k": "call", "name": call.name, "kind": "returned",
                            "value": {"l": [{"i": "1"}] * leaves}}, separators=(",", ":")).encode())
        for call in calls
    ]
    out = outcome.build_outcome(outcome.RawRun(frames=frames, status={"exit": 0}), calls=calls, required=["f"],
                                limits=Limits(), duration_ms=0.0, visible_output_limit=1024)
    assert counting_decoder.calls == 2
    assert counting_decoder.structural <= codec.READ_BUDGET
    kinds = [out.calls[call.name].kind for call in calls]
    assert kinds[:2] == ["returned", "returned"] and out.calls["c0"].value == [1] * leaves
    # Past the budget a frame is not read, so nothing counts for its call
    # (the operator sees how many were refused).
    assert set(kinds[2:]) == {"not_run"}
    assert "6 unreadable result frame(s) ignored" in out.detail


def test_a_refused_frame_costs_nothing_and_later_honest_frames_are_read():
    x = np.array([1.0, 2.0, 3.0])
    honest = {"a": base64.b64encode(codec.npy_bytes(reference_softmax(x))).decode()}
    frames = [
        (False, b'{"k":"call","name":"v","kind":"returned","value":' + b"[" * (codec.READ_BUDGET + 1) + b"}"),
        (False, json.dumps({"k": "call", "name": "v", "kind": "returned", "value": honest}).encode()),
        (False, b'{"k":"done"}'),
    ]
    out = outcome.build_outcome(outcome.RawRun(frames=frames, status={"exit": 0}),
                                calls=[Call(name="v", function="softmax")], required=["softmax"], limits=Limits(),
                                duration_ms=0.0, visible_output_limit=1024)
    assert out.status == "ok"
    np.testing.assert_allclose(out.calls["v"].value, reference_softmax(x))


# --------------------------------------------------------------------------
# Fuzzing the reader: any bytes in, an outcome out.

_CALLS = [Call(name="v1", function="f"), Call(name="v2", function="f"),
          Call(name="h1", function="f", hidden=True), Call(name="h2", function="f", hidden=True)]
_KINDS = {"returned", "raised", "bad_return", "not_run"}
_RAW_CONTROLS = {chr(code) for code in codec.CONTROL_CODES}

_texts = st.text(alphabet=st.sampled_from("ab,:{[\n\t\x1b\x07\x9b\u202e\ud800\x00]}\"\\é中"), max_size=40)
_npy_blobs = st.builds(
    lambda shape, descr, data: base64.b64encode(_npy_header(tuple(shape), descr) + data).decode(),
    st.lists(st.one_of(st.integers(0, 4), st.sampled_from([0, 2**31, 2**62, 10**19, 2**64 - 1])), max_size=4),
    st.sampled_from(["<f8", "<f4", "|b1", "<i8", ">u2", "|O", "<c16", "<U2", "|V0", "<M8[s]", "(2,)<f8", "<f16"]),
    st.binary(max_size=48),
)
_leaves = st.one_of(
    st.none(), st.booleans(),
    st.builds(lambda n: {"i": str(n)}, st.integers(-10**30, 10**30)),
    st.builds(lambda t: {"i": t}, _texts),
    st.builds(lambda f: {"f": float.hex(f)}, st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(lambda t: {"f": t}, _texts),
    st.builds(lambda t: {"s": t}, _texts),
    st.builds(lambda blob: {"a": blob}, _npy_blobs),
    st.builds(lambda t: {"a": t}, _texts),
    st.builds(lambda t: {"g": t}, _texts),
    st.integers(), st.floats(allow_nan=False), _texts,
)
_trees = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.builds(lambda items: {"l": items}, st.lists(inner, max_size=4)),
        st.builds(lambda items: {"t": items}, st.lists(inner, max_size=4)),
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["l", "t", "a", "x"]), inner, max_size=2),
    ),
    max_leaves=12,
)
_frame_dicts = st.fixed_dictionaries(
    {"k": st.sampled_from(["call", "load_error", "missing", "memory", "done", "other"])},
    optional={
        "name": st.one_of(st.sampled_from([call.name for call in _CALLS]), _texts, st.integers()),
        "kind": st.sampled_from(["returned", "raised", "bad_return", "other"]),
        "value": _trees,
        "tb": st.one_of(_texts, st.integers()),
        "exc": _texts,
        "detail": st.one_of(_texts, _trees),
        "names": st.one_of(st.lists(st.one_of(_texts, st.just("f")), max_size=3), _texts),
    },
)


def _framed(frame: dict, mutation: int) -> bytes:
    data = json.dumps(frame, ensure_ascii=mutation % 2 == 0).encode("utf-8", "surrogatepass")
    if mutation % 5 == 1:
        data = data[: len(data) // 2]  # cut short
    elif mutation % 5 == 2:
        data = data.replace(b"}", b', "k": 1}', 1)  # a duplicate key
    elif mutation % 5 == 3:
        data = data.replace(b"null", b"NaN", 1)
    return data


_frames = st.lists(
    st.tuples(st.booleans(), st.one_of(
        st.binary(max_size=200),
        st.builds(_framed, _frame_dicts, st.integers(0, 9)),
    )),
    max_size=8,
)


def _plain(value, *, text_allowed: bool) -> bool:
    if value is None or type(value) in (bool, int, float):
        return True
    if type(value) is str:
        return text_allowed
    if type(value) is np.ndarray:
        return value.dtype.kind in codec.ALLOWED_KINDS and value.dtype.isnative
    if type(value) in (list, tuple):
        return all(_plain(item, text_allowed=text_allowed) for item in value)
    return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=_frames, output=st.binary(max_size=300))
def test_any_bytes_from_the_child_come_to_an_outcome(frames, output):
    raw = outcome.RawRun(frames=frames, status={"exit": 0}, visible_output=output)
    out = outcome.build_outcome(raw, calls=_CALLS, required=["f"], limits=Limits(), duration_ms=0.0,
                                visible_output_limit=1024)
    assert isinstance(out, RunOutcome)
    assert set(out.calls) == {call.name for call in _CALLS}
    for call in _CALLS:
        got = out.calls[call.name]
        assert got.kind in _KINDS
        assert _plain(got.value, text_allowed=not call.hidden)
        if call.hidden and got.kind != "not_run":
            assert (got.traceback, got.detail, got.exception_type) == ("", "", "")
    for text in [out.stdout, out.load_error, *(c.traceback for c in out.calls.values()),
                 *(c.detail for c in out.calls.values()), *(c.exception_type for c in out.calls.values())]:
        assert not _RAW_CONTROLS & set(text), repr(text)
        text.encode("utf-8")  # storable: no lone surrogate


# --------------------------------------------------------------------------
# The real attack: a submission writing forged frames to its result pipe.

HOSTILE_FRAMES = FORGED_FRAME_HELPERS + r'''
def _right(x):
    # The correct answer, tagged as the harness would send it: what a lenient
    # reader of the sloppy frames below would have accepted.
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, e / e.sum(axis=-1, keepdims=True))
    return b'{"a":"' + base64.b64encode(buffer.getvalue()) + b'"}'

FORGE = {
    # Read, and the student's bad_return (the first frame for a call wins):
    "zero_axis": lambda name, x: _returned(name, _npy((0, 10**19))),
    "zero_axes": lambda name, x: _returned(name, _npy((0, 2**40, 2**40))),
    "deep_value": lambda name, x: _returned(name, b'{"l":[' * 40 + b"null" + b"]}" * 40),
    "long_str": lambda name, x: _returned(name, b'{"s":"' + b"a" * 100000 + b'"}'),
    # Not readable at all, so they count for nothing; the wrong return that follows counts:
    "tiny_tokens": lambda name, x: _returned(name, b'{"l":[' + b'{"i":"1"},' * (3 * 2**20) + b"null]}"),
    "deep_json": lambda name, x: _returned(name, b"[" * 100000 + b"]" * 100000),
    "bad_utf8": lambda name, x: _returned(name, _right(x))[:-1] + b',"x":"\xff\xfe"}',
    "duplicate_keys": lambda name, x: _returned(name, b"null")[:-1] + b',"value":' + _right(x) + b"}",
    "nan_literal": lambda name, x: _returned(name, _right(x))[:-1] + b',"x":NaN}',
    "infinity_literal": lambda name, x: _returned(name, _right(x))[:-1] + b',"x":-Infinity}',
}

def _hostile(name):
    def function(x):
        _send(FORGE[name](name, x))
        return np.zeros_like(x)
    return function

for _name in FORGE:
    globals()[_name] = _hostile(_name)

def hidden_zero_axis(x):
    _send(FORGE["zero_axis"]("h_zero_axis", x))
    return np.zeros_like(x)

def hidden_nan(x):
    _send(FORGE["nan_literal"]("h_nan", x))
    return np.zeros_like(x)

def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
'''

READ_AS_BAD_RETURN = {
    "zero_axis": "data the grader cannot read",
    "zero_axes": "data the grader cannot read",
    "deep_value": "a structure too large or too deeply nested",
    "long_str": "a str of 100000 characters",
}
UNREADABLE = ["tiny_tokens", "deep_json", "bad_utf8", "duplicate_keys", "nan_literal", "infinity_literal"]


def test_forged_hostile_frames_are_the_students_bad_return_never_our_exception(sandbox):
    x = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]])
    calls = [Call(name=name, function=name, args=(x,)) for name in [*READ_AS_BAD_RETURN, *UNREADABLE]]
    calls += [
        Call(name="honest", function="softmax", args=(x,)),
        Call(name="h_zero_axis", function="hidden_zero_axis", args=(x,), hidden=True),
        Call(name="h_nan", function="hidden_nan", args=(x,), hidden=True),
        Call(name="h_honest", function="softmax", args=(x,), hidden=True),
    ]
    limits = Limits(cpu_seconds=2.0, wall_seconds=5.0, memory_mb=512, output_bytes=64 * 1024)
    out = sandbox.run(HOSTILE_FRAMES, calls=calls, required=["softmax"], limits=limits)

    assert out.status == "ok", out.detail
    for name, detail in READ_AS_BAD_RETURN.items():
        assert (out.calls[name].kind, out.calls[name].detail) == ("bad_return", detail), name
    for name in UNREADABLE:
        # The forged right answer did not count; the function's own wrong one did.
        got = out.calls[name]
        assert got.kind == "returned", (name, got)
        assert not got.value.any(), name
    assert (out.calls["h_zero_axis"].kind, out.calls["h_zero_axis"].detail) == ("bad_return", "")
    assert out.calls["h_nan"].kind == "returned" and not out.calls["h_nan"].value.any()
    for name in ("honest", "h_honest"):
        np.testing.assert_allclose(out.calls[name].value, reference_softmax(x))
    assert f"{len(UNREADABLE) + 1} unreadable result frame(s) ignored" in out.detail
    sandbox.assert_honest_submission_works()

"""The wire between worker and sandbox, where it was made faster: arrays in .npy
without numpy's ast-based header parser, results gathered by the zygote into
few chunks. Faster must not mean looser or lossy."""

import base64
import io

import numpy as np
import pytest

from grader.sandbox import Call, codec

from .helpers import reference_softmax


def _arrays():
    rng = np.random.default_rng(3)
    arrays = [
        np.zeros(()),
        np.array(3, dtype=np.int64),
        np.arange(3.0),
        np.arange(6.0).reshape(2, 3),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        np.arange(24, dtype=">i4").reshape(2, 3, 4)[:, ::2],
        np.array([True, False]),
        np.array(["ab", "c"]),
        np.zeros((0, 5), dtype=np.float32),
        np.ones((1,) * 32, dtype=np.uint8),
        np.zeros((10**6, 0)),
        np.ones((4, 4))[::2, ::-1],
    ]
    for ndim in range(5):
        shape = tuple(int(n) for n in rng.integers(0, 12, ndim))
        value = rng.random(shape)
        arrays += [value, np.asfortranarray(value), value.astype(np.int16)]
    return arrays


def test_input_arrays_are_numpys_own_npy_bytes():
    for array in _arrays():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, array, allow_pickle=False)
        assert codec.npy_bytes(array) == buffer.getvalue(), (array.dtype, array.shape)


def test_result_arrays_round_trip_exactly():
    for array in _arrays():
        if array.dtype.kind not in codec.ALLOWED_KINDS:
            continue
        back = codec.decode_value({"a": base64.b64encode(codec.npy_bytes(array)).decode()}, allow_str=False)
        assert type(back) is np.ndarray and back.dtype == array.dtype.newbyteorder("=") and back.shape == array.shape
        assert back.flags.c_contiguous and back.flags.writeable and back.flags.owndata
        np.testing.assert_array_equal(back, array)


def _npy(text: str, data: bytes = b"", version: bytes = b"\x01\x00") -> dict:
    text = text.ljust(118) + "\n"
    size = len(text).to_bytes(2 if version == b"\x01\x00" else 4, "little")
    return {"a": base64.b64encode(b"\x93NUMPY" + version + size + text.encode() + data).decode()}


@pytest.mark.parametrize(
    "tree",
    [
        # All of these numpy's own reader takes; the grader reads numpy's canonical header only.
        _npy("{'fortran_order': False, 'descr': '<f8', 'shape': (1,), }", b"\x00" * 8),
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1, }", b"\x00" * 8),
        _npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }", b"\x00" * 8),
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': [1], }", b"\x00" * 8),
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", b"\x00" * 8),
        _npy("{'descr': \"<f8\", 'fortran_order': False, 'shape': (1,), }", b"\x00" * 8),
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\x00" * 8, version=b"\x02\x00"),
        _npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", b"\x00" * 8),
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }"),
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\x00" * 9),
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (" + "1, " * 33 + "), }", b"\x00" * 8),
        _npy("{'descr': '(2,)<f8', 'fortran_order': False, 'shape': (1,), }", b"\x00" * 16),
        {"a": base64.b64encode(b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f8'").decode()},
        # numpy's own reader let tokenize.TokenError escape on this one.
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, x"),
        _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (" + "1, " * 3000 + "x"),
    ],
)
def test_the_result_reader_takes_only_the_canonical_npy_header(tree):
    with pytest.raises(codec.BadValue) as caught:
        codec.decode_value(tree, allow_str=False)
    detail = caught.value.detail
    assert detail == "data the grader cannot read" or detail.startswith("an array of dtype"), detail


DESCRIBE_INPUTS = """
import numpy as np

def describe(*args, **kwargs):
    out = []
    for value in list(args) + [kwargs[key] for key in sorted(kwargs)]:
        if isinstance(value, np.ndarray):
            out.append([type(value).__name__, value.dtype.str, list(value.shape), bool(value.flags.c_contiguous),
                        bool(value.flags.f_contiguous), bool(value.flags.writeable), value.tolist()])
        else:
            out.append([type(value).__name__, repr(value)])
    return repr(out)
"""


def _describe_locally(value):
    # What the child would hold had it used np.load on the same bytes.
    if isinstance(value, np.ndarray):
        loaded = np.load(io.BytesIO(codec.npy_bytes(value)), allow_pickle=False)
        return [type(loaded).__name__, loaded.dtype.str, list(loaded.shape), bool(loaded.flags.c_contiguous),
                bool(loaded.flags.f_contiguous), bool(loaded.flags.writeable), loaded.tolist()]
    return [type(value).__name__, repr(value)]


def test_input_arrays_arrive_as_np_load_gives_them(sandbox):
    arrays = [array for array in _arrays() if max(array.shape, default=0) < 1000]
    scalars = [np.float32(1.5), np.int16(-3), np.bool_(True)]
    calls = [Call(name="v", function="describe", args=tuple(arrays), kwargs={"s0": scalars[0], "s1": scalars[1]}),
             Call(name="h", function="describe", args=tuple(scalars), hidden=True)]
    out = sandbox.run(DESCRIBE_INPUTS, calls=calls, required=("describe",))
    assert out.status == "ok", out
    expected = [_describe_locally(value) for value in arrays + scalars[:2]]
    assert out.calls["v"].value == repr(expected)
    # Hidden calls return no text; that they ran and returned is what can be seen.
    assert out.calls["h"].kind == "bad_return"


BIG_RESULTS = """
import numpy as np

def softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
"""


def test_results_beyond_the_relay_buffer_keep_their_phase_and_order(sandbox):
    # About 45 KB of results per call: the zygote's 64 KiB buffer fills several
    # times, once with the seal marker still waiting in it.
    rng = np.random.default_rng(11)
    inputs = [rng.normal(size=(4, 1400)) for _ in range(6)]
    calls = [Call(name=f"v{i}", function="softmax", args=(x,)) for i, x in enumerate(inputs[:3])]
    calls += [Call(name=f"h{i}", function="softmax", args=(x,), hidden=True) for i, x in enumerate(inputs[3:])]
    out = sandbox.run(BIG_RESULTS, calls=calls, required=("softmax",))
    assert out.status == "ok", out
    for i, x in enumerate(inputs):
        name = f"v{i}" if i < 3 else f"h{i - 3}"
        assert out.calls[name].kind == "returned", (name, out.calls[name])
        np.testing.assert_allclose(out.calls[name].value, reference_softmax(x))
    sandbox.assert_honest_submission_works()

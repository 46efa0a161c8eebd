"""Configuration, the command line, unsafe mode and the codec's hostile-input rules."""

import base64
import dataclasses
import io
import logging
import os
import sys

import numpy as np
import psutil
import pytest

from grader.sandbox import (
    Call,
    Limits,
    SandboxConfig,
    SandboxNotConfigured,
    SandboxUnavailable,
    run_submission,
    run_submission_cold,
)
from grader.sandbox import bwrap_command, codec

from .helpers import HONEST_SOFTMAX, REPO_ROOT, Sandbox, reference_softmax


def test_unsafe_mode_must_be_allowed_explicitly(sandbox_config):
    with pytest.raises(SandboxUnavailable, match="allow_unsafe"):
        SandboxConfig(site_dir=sandbox_config.site_dir, mode="unsafe")
    with pytest.raises(SandboxUnavailable, match="not one of"):
        SandboxConfig(site_dir=sandbox_config.site_dir, mode="docker")


def test_an_unconfigured_sandbox_says_how_to_configure_it():
    with pytest.raises(SandboxNotConfigured, match="config="):
        run_submission("", [], [], Limits())


def test_infrastructure_failures_raise_with_advice(sandbox_config, tmp_path):
    no_bwrap = dataclasses.replace(sandbox_config, bwrap_path=str(tmp_path / "no-bwrap"))
    with pytest.raises(SandboxUnavailable, match="SANDBOX_MODE=unsafe with DEBUG=1"):
        run_submission_cold(HONEST_SOFTMAX, [], ["softmax"], config=no_bwrap)
    no_numpy = dataclasses.replace(sandbox_config, site_dir=str(tmp_path))
    with pytest.raises(SandboxUnavailable, match="make install"):
        run_submission_cold(HONEST_SOFTMAX, [], ["softmax"], config=no_numpy)


def test_nothing_of_the_project_is_named_inside(sandbox_config):
    argv = bwrap_command.bwrap_argv(sandbox_config, seccomp_fd=3)
    inside = []
    for i, arg in enumerate(argv):
        if arg in ("--ro-bind", "--bind", "--dev-bind"):
            inside.append(argv[i + 2])  # the destination: what the sandbox sees
        if arg in ("--tmpfs", "--dir", "--symlink", "--setenv"):
            inside.append(argv[i + 1])
    inside += argv[argv.index("--") + 1:]  # the interpreter and its argv (the zygote's source)
    project = str(REPO_ROOT)
    assert not [text for text in inside if project in text]
    assert "--proc" not in argv and "/etc" not in inside and "/proc" not in inside
    assert "/opt/site/bin" not in inside  # pip's scripts name the venv in their shebang


def test_unsafe_mode_warns_loudly_and_still_grades(sandbox_config, caplog):
    config = dataclasses.replace(sandbox_config, mode="unsafe", allow_unsafe=True)
    box = Sandbox(config)
    with caplog.at_level(logging.WARNING, logger="grader.sandbox"):
        box.pool.warm_up()
    assert any("UNSAFE: student code runs unconfined" in record.getMessage() for record in caplog.records)
    box.assert_honest_submission_works()
    # The child's own limits and filter still apply without bubblewrap.
    assert box.probe("import os\ndef probe():\n    try:\n        os.fork()\n    except OSError as e:\n"
                     "        return type(e).__name__\n    return 'forked'\n") == "PermissionError"
    assert box.run("def probe():\n    while True:\n        pass\n").status == "timeout"
    box.pool.close()


def test_cold_and_warm_runs_agree(sandbox):
    x = np.random.default_rng(3).normal(size=(3, 4)) * 100
    calls = [Call(name="v", function="softmax", args=(x,)), Call(name="h", function="softmax", args=(x,), hidden=True)]
    warm = run_submission(HONEST_SOFTMAX, calls, ["softmax"], config=sandbox.config)
    cold = run_submission_cold(HONEST_SOFTMAX, calls, ["softmax"], config=sandbox.config)
    for out in (warm, cold):
        assert out.status == "ok"
        for name in ("v", "h"):
            np.testing.assert_allclose(out.calls[name].value, reference_softmax(x))


# --- the codec, fed hostile bytes directly ------------------------------------


def _npy_tree(header: bytes, data: bytes = b"") -> dict:
    return {"a": base64.b64encode(header + data).decode()}


def _npy_header(descr: str, shape: str) -> bytes:
    text = "{'descr': %r, 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    text = text.ljust(118) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode()


@pytest.mark.parametrize(
    "tree, detail",
    [
        ({"d": [["k", None]]}, "data the grader cannot read"),
        ({"x": 1}, "data the grader cannot read"),
        ({"i": "1" * 5000}, "data the grader cannot read"),
        ({"i": "0x10"}, "data the grader cannot read"),
        ({"f": "not a float"}, "data the grader cannot read"),
        ({"f": 1.5}, "data the grader cannot read"),
        ({"s": "text"}, "a str"),
        ([1, 2], "data the grader cannot read"),
        ({"a": "!!!not base64"}, "data the grader cannot read"),
        (_npy_tree(_npy_header("<f8", "(1000000000000,)")), "data the grader cannot read"),
        (_npy_tree(_npy_header("<f8", "(2,)"), b"\x00" * 8), "data the grader cannot read"),
        (_npy_tree(_npy_header("<f8", "(-1,)")), "data the grader cannot read"),
        (_npy_tree(_npy_header("|O", "(1,)"), b"\x80\x03."), "an array of dtype object"),
        (_npy_tree(_npy_header("<c16", "(1,)"), b"\x00" * 16), "an array of dtype complex128"),
        (_npy_tree(_npy_header("<U3", "(1,)"), b"\x00" * 12), "an array of dtype <U3"),
        (_npy_tree(_npy_header("<M8[s]", "(1,)"), b"\x00" * 8), "an array of dtype <M8[s]"),
        ({"l": [{"l": []}] * 2_000_000}, "a structure too large or too deeply nested"),
    ],
)
def test_the_codec_refuses_what_is_not_plain_numbers(tree, detail):
    with pytest.raises(codec.BadValue) as caught:
        codec.decode_value(tree, allow_str=False)
    assert caught.value.detail == detail


def test_the_codec_refuses_deep_nesting_and_non_json():
    deep = None
    for _ in range(100):
        deep = {"l": [deep]}
    with pytest.raises(codec.BadValue):
        codec.decode_value(deep, allow_str=False)
    assert codec.parse_frame(b'{"k": NaN}') is None
    assert codec.parse_frame(b'{"k": 1, "k": 2}') is None
    assert codec.parse_frame(b"[" * 100_000) is None
    assert codec.parse_frame(b"\xff") is None
    assert codec.parse_frame(b'"a string"') is None


def test_text_from_the_sandbox_is_safe_to_store():
    assert codec.clean_text("a\x00b\ud800c", 100) == "a\ufffdb?c"
    assert codec.clean_text("x" * 50, 10) == "x" * 10 + "…"


def test_encoded_inputs_keep_dtype_and_structure():
    visible, hidden = codec.encode_payloads("code", [
        Call(name="a", function="f", args=(np.ones(2, dtype=np.float32), (1, [2.0]), {"k": None})),
        Call(name="b", function="f", hidden=True),
    ], ["f"])
    assert b'"name": "b"' not in visible and b'"name": "b"' in hidden
    with pytest.raises(TypeError):
        codec.encode_payloads("code", [Call(name="a", function="f", args=(object(),))], [])
    with pytest.raises(TypeError):
        codec.encode_payloads("code", [Call(name="a", function="f", args=({1: 2},))], [])
    buffer = io.BytesIO()
    np.save(buffer, np.ones(1))
    assert codec.decode_value(_npy_tree(buffer.getvalue()), allow_str=False).tolist() == [1.0]


def test_the_zygote_stays_small_and_runs_are_deterministic(sandbox):
    code = "def probe():\n    return str(hash('softmax')) + ' ' + str(sorted({'b', 'a', 'c'}))\n"
    first = sandbox.probe(code)
    for _ in range(20):
        sandbox.assert_honest_submission_works()
    # PYTHONHASHSEED=0 inside: the same hashes in the warm and in a cold sandbox.
    assert sandbox.run_cold(code).calls["probe"].value == first
    zygote = psutil.Process(sandbox.zygote_pid())
    assert zygote.memory_info().rss < 150 * 2**20


DISTRIBUTION_PYTHON = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.mark.skipif(not os.path.exists(DISTRIBUTION_PYTHON), reason="no distribution python of this version")
def test_a_distribution_python_works_without_binding_usr(sandbox_config):
    # The layout of Debian's /usr/bin/python3.11 (and, with /usr/local, of the
    # python:3.11 images): the binary and its stdlib are bound, /usr is not.
    config = dataclasses.replace(sandbox_config, python_path=DISTRIBUTION_PYTHON)
    box = Sandbox(config)
    box.assert_honest_submission_works()
    code = "import os\ndef probe():\n    return ' '.join(sorted(os.listdir('/usr/bin'))) + ' ' + str(os.path.exists('/usr/share'))\n"
    assert box.probe(code) == f"{DISTRIBUTION_PYTHON.rsplit('/', 1)[1]} False"
    box.pool.close()

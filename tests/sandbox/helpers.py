"""Helpers for the sandbox tests: the REAL bubblewrap sandbox, no Django, no database.

Every attack test ends with `sandbox.assert_honest_submission_works()`: the
same warm pool must still grade a correct softmax (visible and hidden calls)
right after the attack.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from grader.sandbox import Call, Limits, SandboxConfig, get_pool, run_submission, run_submission_cold

REPO_ROOT = Path(__file__).resolve().parents[2]

# Small limits keep the suite fast: a spin loop costs one CPU second.
ATTACK_LIMITS = Limits(cpu_seconds=1.0, wall_seconds=2.0, memory_mb=512, output_bytes=64 * 1024)

HONEST_SOFTMAX = """
import numpy as np

def softmax(x, axis=-1):
    # subtract the max: exp(1000) overflows
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
"""


def reference_softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def site_dir() -> Path:
    return Path(os.environ.get("SANDBOX_SITE_DIR") or REPO_ROOT / ".sandbox" / "site")


class Sandbox:
    """The warm pool under test, plus helpers to attack it and check it afterwards."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.pool = get_pool(config)

    def run(self, code, calls=None, required=("probe",), limits=ATTACK_LIMITS):
        if calls is None:
            calls = [Call(name="probe", function="probe")]
        return run_submission(code, calls, list(required), limits, config=self.config)

    def run_cold(self, code, calls=None, required=("probe",), limits=ATTACK_LIMITS):
        if calls is None:
            calls = [Call(name="probe", function="probe")]
        return run_submission_cold(code, calls, list(required), limits, config=self.config)

    def probe(self, code, limits=ATTACK_LIMITS):
        """Run `probe()` and return what it returned (a str report); it must have returned."""
        outcome = self.run(code, limits=limits)
        call = outcome.calls["probe"]
        assert call.kind == "returned", (outcome.status, call, outcome.load_error, outcome.stdout)
        return call.value

    def zygote_children(self, *, running: bool) -> list:
        """The zygote's descendants that run a submission (running=True), or all the others.

        Between requests the zygote keeps one child forked ahead, waiting for
        the next request (its name says so: grader/sandbox/inside/supervisor.py).
        """
        import psutil

        found = []
        for child in psutil.Process(self.zygote_pid()).children(recursive=True):
            try:
                is_spare = child.name() == "sandbox-spare"
            except psutil.NoSuchProcess:
                continue
            if is_spare != running:
                found.append(child)
        return found

    def assert_nothing_but_the_spare_left(self):
        """What a finished run leaves under the zygote: at most the next request's spare, itself childless."""
        import time

        import psutil

        # The zygote forks the spare right after answering: give it a moment to be named.
        deadline = time.monotonic() + 2
        while self.zygote_children(running=True) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.zygote_children(running=True) == []
        spares = self.zygote_children(running=False)
        assert len(spares) <= 1, spares
        for spare in spares:
            assert spare.ppid() == self.zygote_pid()
            assert spare.children(recursive=True) == []
        return spares

    def zygote_pid(self) -> int:
        pids = self.pool.zygote_pids()
        assert len(pids) == 1, pids
        return pids[0]

    def assert_honest_submission_works(self):
        rng = np.random.default_rng(7)
        inputs = [
            rng.normal(size=(3, 5)),
            rng.normal(size=(2, 4)) * 1e3,  # large magnitudes: exp overflows without the shift
            rng.normal(size=(4,)).astype(np.float32),
        ]
        calls = [Call(name=f"visible_{i}", function="softmax", args=(x,)) for i, x in enumerate(inputs)]
        calls += [Call(name=f"hidden_{i}", function="softmax", args=(x,), hidden=True) for i, x in enumerate(inputs)]
        outcome = run_submission(HONEST_SOFTMAX, calls, ["softmax"], Limits(), config=self.config)
        assert outcome.status == "ok", outcome
        for i, x in enumerate(inputs):
            for name in (f"visible_{i}", f"hidden_{i}"):
                call = outcome.calls[name]
                assert call.kind == "returned", call
                assert type(call.value) is np.ndarray
                assert call.value.dtype == x.dtype
                np.testing.assert_allclose(call.value, reference_softmax(x), rtol=1e-6 if x.dtype == np.float64 else 1e-5)
        return outcome


# The start of a submission that forges result frames: it writes straight to
# the result pipe (fd 3, see test_sandbox_forgery.py), bypassing the harness.
FORGED_FRAME_HELPERS = r'''
import base64, io, os, struct, sys
import numpy as np

def _send(data):
    os.write(3, struct.pack(">I", len(data)) + data)

def _returned(name, value):
    return b'{"k":"call","name":"' + name.encode() + b'","kind":"returned","value":' + value + b'}'

def _npy(shape):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % (shape,)
    header += " " * (-(10 + len(header) + 1) % 64) + "\n"
    raw = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
    return b'{"a":"' + base64.b64encode(raw) + b'"}'
'''

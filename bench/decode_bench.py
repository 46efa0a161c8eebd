"""Reading hostile results: the costliest frames we know how to build, timed.

A child can write anything to its result pipe, up to the 32 MiB result cap
and 16 + 2 per call frames. Each attack below is such a run's frames; the
trusted side reads them (outcome.build_outcome, as the worker does) in a
process of its own, and this prints the time that took, the peak memory it
added, the outcome it came to, and the time as a multiple of reading an
honest run's frames.

    .venv/bin/python bench/decode_bench.py [--repeat 3]

Target: every attack returns an outcome (none raises), in under a second and
a few hundred MiB on a 2-core machine. No Django, no sandbox needed.
"""

import argparse
import base64
import json
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402

from grader.sandbox import codec, outcome  # noqa: E402
from grader.sandbox.types import Call, Limits  # noqa: E402

RESULT_CAP = 32 * 1024 * 1024
N_CALLS = 24  # the softmax exercise's
MAX_FRAMES = 16 + 2 * N_CALLS
CALLS = [Call(name=f"c{i}", function="f") for i in range(N_CALLS)]


def _call_frame(name: str, value_json: bytes) -> bytes:
    return b'{"k":"call","name":"' + name.encode() + b'","kind":"returned","value":' + value_json + b"}"


def _filled(unit: bytes, size: int, head: bytes = b"[", tail: bytes = b"]") -> bytes:
    count = (size - len(head) - len(tail)) // len(unit)
    return head + (unit * count).rstrip(b",") + tail


def _npy_header(shape) -> bytes:
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % (shape,)
    header += " " * (-(codec.NPY_PREFIX + len(header) + 1) % 64) + "\n"
    return codec.NPY_MAGIC + len(header).to_bytes(2, "little") + header.encode()


def _one_frame(value_json: bytes) -> list[bytes]:
    return [_call_frame("c0", value_json)]


def _split(unit: bytes, frames: int, head: bytes = b'{"l":[', tail: bytes = b"]}") -> list[bytes]:
    size = RESULT_CAP // frames - 200
    return [_call_frame(f"c{i % N_CALLS}", _filled(unit, size, head, tail)) for i in range(frames)]


def _honest() -> list[bytes]:
    rng = np.random.default_rng(1)
    frames = []
    for i in range(N_CALLS):
        array = rng.random((4, 8))
        tree = {"a": base64.b64encode(codec.npy_bytes(array)).decode()}
        frames.append(json.dumps({"k": "call", "name": f"c{i}", "kind": "returned", "value": tree},
                                 separators=(",", ":")).encode())
    return frames + [b'{"k":"done"}']


def _large_arrays() -> list[bytes]:
    # The largest honest answer: arrays of the harness's 8 MiB maximum, up to the result cap.
    arrays = [np.ones(8 * 1024 * 1024 // 8)] * 3
    tree = {"t": [{"a": base64.b64encode(codec.npy_bytes(array)).decode()} for array in arrays]}
    return [json.dumps({"k": "call", "name": "c0", "kind": "returned", "value": tree}, separators=(",", ":")).encode()]


def _tiny_array() -> bytes:
    return b'{"a":"' + base64.b64encode(codec.npy_bytes(np.zeros(0))) + b'"},'


ATTACKS = {
    "honest run (24 small arrays)": _honest,
    "honest 3 x 8 MiB arrays (bytes-bound work)": _large_arrays,
    "npy header (0, 10**19)": lambda: _one_frame(b'{"a":"' + base64.b64encode(_npy_header((0, 10**19))) + b'"}'),
    "32 MiB of [] in one frame": lambda: _one_frame(_filled(b"[],", RESULT_CAP - 200)),
    "32 MiB of {} in one frame": lambda: _one_frame(_filled(b"{},", RESULT_CAP - 200)),
    "32 MiB of distinct keys": lambda: _one_frame(
        b"{" + b",".join(b'"%d":0' % i for i in range(RESULT_CAP // 12)) + b"}"),
    "32 MiB of 0, in one frame": lambda: _one_frame(_filled(b"0,", RESULT_CAP - 200)),
    "32 MiB of 1.5, in one frame": lambda: _one_frame(_filled(b"1.5,", RESULT_CAP - 200)),
    '32 MiB of "ab", in one frame': lambda: _one_frame(_filled(b'"ab",', RESULT_CAP - 200)),
    '32 MiB of {"i":"1"} leaves': lambda: _one_frame(_filled(b'{"i":"1"},', RESULT_CAP - 200, b'{"l":[', b"]}")),
    "32 MiB of empty .npy leaves": lambda: _one_frame(_filled(_tiny_array(), RESULT_CAP - 200, b'{"l":[', b"]}")),
    "32 MiB of 4300-digit ints": lambda: _one_frame(
        _filled(b'{"i":"' + b"9" * 4300 + b'"},', RESULT_CAP - 200, b'{"l":[', b"]}")),
    f"{{}} leaves over {MAX_FRAMES} frames": lambda: _split(b'{"i":"1"},', MAX_FRAMES),
    f"empty .npy leaves over {MAX_FRAMES} frames": lambda: _split(_tiny_array(), MAX_FRAMES),
    f"4300-digit ints over {MAX_FRAMES} frames": lambda: _split(b'{"i":"' + b"9" * 4300 + b'"},', MAX_FRAMES),
    "32 MiB of [ (deep nesting)": lambda: _one_frame(b"[" * (RESULT_CAP - 200)),
    "32 MiB traceback of \\u001b escapes": lambda: [
        b'{"k":"call","name":"c0","kind":"raised","exc":"E","tb":"' + b"\\u001b" * ((RESULT_CAP - 200) // 6) + b'"}'],
}


def _measure(name: str) -> dict:
    frames = ATTACKS[name]()
    raw = outcome.RawRun(frames=[(False, frame) for frame in frames], status={"exit": 0})
    before = _rss_kib()
    # Building the frames above took memory the reading must not be charged for:
    # "5" resets this process's peak resident size (VmHWM) to its current size.
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    started = time.perf_counter()
    error = ""
    try:
        result = outcome.build_outcome(raw, calls=CALLS, required=["f"], limits=Limits(), duration_ms=0.0,
                                       visible_output_limit=8192)
        kinds = sorted({call.kind for call in result.calls.values()})
        said = f"{result.status}: {', '.join(kinds)}"
    except BaseException as exc:  # noqa: BLE001 - what this bench looks for
        said = ""
        error = f"{type(exc).__name__}: {str(exc)[:60]}"
    seconds = time.perf_counter() - started
    peak = _status_kib("VmHWM")
    return {"name": name, "bytes": sum(map(len, frames)), "frames": len(frames), "seconds": seconds,
            "peak_mib": max(0, peak - before) / 1024, "said": said, "error": error}


def _rss_kib() -> int:
    return _status_kib("VmRSS")


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per attack; the fastest is shown")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_measure(args.one)))
        return 0
    rows = {}
    for name in ATTACKS:
        for _ in range(args.repeat):
            # A process per measurement: peak memory is per process.
            done = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True)
            row = json.loads(done.stdout)
            if name not in rows or row["seconds"] < rows[name]["seconds"]:
                rows[name] = row
    honest = rows["honest run (24 small arrays)"]["seconds"]
    print(f"{'attack':42} {'MiB':>5} {'frames':>6} {'ms':>8} {'x honest':>9} {'+MiB':>6}  outcome")
    for row in rows.values():
        print(f"{row['name']:42} {row['bytes'] / 2**20:5.1f} {row['frames']:6d} {row['seconds'] * 1000:8.1f} "
              f"{row['seconds'] / honest:9.0f} {row['peak_mib']:6.0f}  {row['error'] or row['said']}")
    return 1 if any(row["error"] for row in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

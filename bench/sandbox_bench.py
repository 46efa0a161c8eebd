"""Warm pool vs one hardened sandbox per submission, for the sandbox part of grading.

Grades the same correct softmax (a dozen calls on small arrays, one of them
with magnitudes around 1e3, some hidden) N times through the warm pool and N
times through cold sandboxes, in one run, and prints p50/p95 per submission
for each, their ratio, and the zygote's memory.

    .venv/bin/python bench/sandbox_bench.py [-n 50] [--site-dir .sandbox/site] [--mode bwrap]

No Django: this measures grader.sandbox alone (encoding, sandbox round trip,
decoding), not the checks or the database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from grader.sandbox import Call, Limits, SandboxConfig, get_pool, run_submission, run_submission_cold  # noqa: E402

SOFTMAX = """
import numpy as np

def softmax(x, axis=-1):
    # subtract the max: exp(1000) overflows
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
"""


def reference(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def make_calls() -> list[Call]:
    rng = np.random.default_rng(2024)
    inputs = [
        rng.normal(size=(4,)),
        rng.normal(size=(3, 5)),
        rng.normal(size=(2, 3, 4)),
        rng.normal(size=(4, 6)) * 1e3,  # exp overflows without the shift
        np.zeros((2, 4)),
        np.full((3,), -5.0),
        rng.normal(size=(8, 8)),
        rng.normal(size=(5, 7)).astype(np.float32),
        rng.normal(size=(6,)) * 50,
        rng.normal(size=(3, 3)),
        rng.normal(size=(2, 10)),
        rng.normal(size=(16,)),
    ]
    return [
        Call(name=f"case_{i}", function="softmax", args=(x,), hidden=i >= 8) for i, x in enumerate(inputs)
    ]


def check(outcome, calls) -> None:
    if outcome.status != "ok":
        raise SystemExit(f"the benchmark's submission did not run cleanly: {outcome}")
    for call in calls:
        got = outcome.calls[call.name].value
        if not np.allclose(got, reference(call.args[0]), rtol=1e-5):
            raise SystemExit(f"wrong result for {call.name}")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(label, run, n, calls) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        outcome = run()
        samples.append((time.perf_counter() - started) * 1000)
        check(outcome, calls)
    print(
        f"{label:>5}: n={n}  p50 {percentile(samples, 0.5):7.1f} ms  p95 {percentile(samples, 0.95):7.1f} ms  "
        f"mean {statistics.fmean(samples):7.1f} ms  ({1000 / statistics.fmean(samples):.0f}/s on one zygote)"
    )
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=50, help="submissions per mode (default 50)")
    parser.add_argument("--site-dir", default=str(REPO_ROOT / ".sandbox" / "site"))
    parser.add_argument("--mode", choices=("bwrap", "unsafe"), default="bwrap")
    args = parser.parse_args()

    config = SandboxConfig(site_dir=args.site_dir, mode=args.mode, allow_unsafe=args.mode == "unsafe")
    calls = make_calls()
    limits = Limits()
    pool = get_pool(config)

    started = time.perf_counter()
    pool.warm_up()
    print(f"zygote start (bwrap + numpy import): {(time.perf_counter() - started) * 1000:.0f} ms")
    run_submission(SOFTMAX, calls, ["softmax"], limits, config=config)  # first request warms caches

    warm = measure("warm", lambda: run_submission(SOFTMAX, calls, ["softmax"], limits, config=config), args.n, calls)
    cold = measure("cold", lambda: run_submission_cold(SOFTMAX, calls, ["softmax"], limits, config=config), args.n, calls)
    print(
        f"ratio cold/warm: p50 {percentile(cold, 0.5) / percentile(warm, 0.5):.1f}x, "
        f"p95 {percentile(cold, 0.95) / percentile(warm, 0.95):.1f}x"
    )

    zygote = psutil.Process(pool.zygote_pids()[0])
    memory = zygote.memory_full_info()
    print(
        f"zygote memory: rss {memory.rss / 2**20:.1f} MiB, uss {memory.uss / 2**20:.1f} MiB, "
        f"pss {memory.pss / 2**20:.1f} MiB, address space {memory.vms / 2**20:.0f} MiB"
    )
    print(f"worker (this process) rss: {psutil.Process().memory_info().rss / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()

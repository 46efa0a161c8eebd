"""Which system calls does graded code make? The evidence behind the child filter's allow-list.

Grades every shipped exercise's reference solution and its known-wrong
solutions (plus a few ordinary things students do: print, write a file in
/tmp, raise) in the real sandbox with bubblewrap run under `strace -f`, and
prints, per system call, how many children made it after loading their
seccomp filter, i.e. from the first line of student code on. A call that
appears here and is not in seccomp_filters.CHILD_ALLOWED (or CHILD_ALLOWED_IF,
for the arguments listed there) is a call an honest submission is refused.

    .venv/bin/python bench/trace_child_syscalls.py [--keep DIR]

Needs strace. The traced grades must all keep their expected scores.
"""

import argparse
import collections
import dataclasses
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_content_read  # noqa: E402
from grader.code_grading import grade_code  # noqa: E402
from grader.models import Exercise  # noqa: E402
from grader.sandbox import bwrap_command, seccomp_filters, shutdown  # noqa: E402
from grader.sandbox.types import Call, Limits  # noqa: E402
from grader.sandbox.pool import run_submission  # noqa: E402
from grader.sandbox_settings import sandbox_config  # noqa: E402

# What students do besides the exercise itself.
EVERYDAY = """
import math, os, sys, random, collections, itertools, functools, json, time, io, tempfile
import numpy as np
print("hello", file=sys.stderr)
def probe():
    with open("/tmp/run/notes.txt", "w") as handle:
        handle.write("x" * 10000)
    with tempfile.TemporaryDirectory() as tmp:
        np.save(os.path.join(tmp, "a.npy"), np.arange(10))
        loaded = np.load(os.path.join(tmp, "a.npy"))
    os.listdir("."); os.stat("notes.txt"); os.remove("notes.txt")
    time.sleep(0.01); time.time(); time.perf_counter(); os.urandom(8)
    rng = np.random.default_rng()
    a = rng.normal(size=(200, 200))
    np.linalg.svd(a); np.linalg.inv(a); np.fft.fft(a)
    big = np.zeros(50_000_000)  # large enough to go through mmap/munmap
    del big
    print("done", loaded.sum())
    try:
        raise ValueError("a student's exception")
    except ValueError:
        pass
    return float(a.sum())
"""

LINE = re.compile(r"^(?:\[pid\s+\d+\]\s+)?([a-z0-9_]+)\(")


def traced_config(trace_dir: Path):
    config = sandbox_config()
    strace = shutil.which("strace")
    if not strace:
        raise SystemExit("strace is not installed")
    wrapper = trace_dir / "bwrap-under-strace"
    wrapper.write_text(
        f"#!/bin/sh\nexec {strace} -f -ff -qq -o {trace_dir}/t -- {bwrap_command.bwrap_binary(config)} \"$@\"\n"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return dataclasses.replace(config, bwrap_path=str(wrapper))


def child_calls(trace_dir: Path) -> collections.Counter:
    """Per syscall, the number of children that made it after their filter was on."""
    seen = collections.Counter()
    for path in trace_dir.glob("t.*"):
        names, filtered = set(), False
        for line in path.read_text(errors="replace").splitlines():
            if "PR_SET_SECCOMP" in line or line.startswith("seccomp("):
                filtered = True
                continue
            match = LINE.match(line)
            if filtered and match:
                names.add(match[1])
        # bubblewrap loads the outer filter and then execs the zygote: that
        # trace is the zygote's, not a child's.
        if "execve" not in names:
            seen.update(names)
    return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="leave the strace files in this directory")
    args = parser.parse_args()
    trace_dir = Path(args.keep or tempfile.mkdtemp(prefix="trace-"))
    trace_dir.mkdir(parents=True, exist_ok=True)
    config = traced_config(trace_dir)
    import grader.sandbox_settings as runtime

    runtime.sandbox_config = lambda: config
    content = course_content_read(directory=SAMPLE_CONTENT_DIRECTORY)
    graded = 0
    for found in content.exercises:
        exercise = Exercise(slug=found.slug, **found.values)
        report = grade_code(exercise=exercise, code=exercise.reference_solution, seed=1)
        if report.score != report.max_score:
            raise SystemExit(f"{found.slug}: the reference solution lost points under tracing ({report.status})")
        for mistake in found.mistakes:
            report = grade_code(exercise=exercise, code=mistake.code, seed=1)
            if report.status != "graded":
                raise SystemExit(f"{found.slug}/{mistake.mistake_id}: not graded ({report.status})")
        graded += 1 + len(found.mistakes)
    out = run_submission(EVERYDAY, [Call(name="probe", function="probe")], ["probe"], Limits(), config=config)
    if out.status != "ok":
        raise SystemExit(f"the everyday submission failed under tracing: {out}")
    shutdown()
    seen = child_calls(trace_dir)
    allowed = set(seccomp_filters.CHILD_ALLOWED) | set(seccomp_filters.CHILD_ALLOWED_IF)
    print(f"{graded + 1} submissions traced; system calls made by children after their filter was loaded")
    print("(the zygote's start-up probe child tries fork() on purpose: one refused clone)")
    for name, count in sorted(seen.items()):
        mark = "" if name in allowed else "   <-- NOT in CHILD_ALLOWED"
        print(f"  {name:24s} {count:4d}{mark}")
    if not args.keep:
        shutil.rmtree(trace_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

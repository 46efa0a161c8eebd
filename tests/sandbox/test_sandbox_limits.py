"""THREATS 4: CPU, wall time, memory, processes, disk, open files and output are bounded."""

import json
import time

import numpy as np
import psutil

from grader.sandbox import Call, Limits

from .helpers import ATTACK_LIMITS

OK_THEN = """
def fine():
    return 1.0
"""


def test_a_spin_loop_at_import_is_a_timeout(sandbox):
    # A wall limit with room to spare, so that the CPU limit is what stops it
    # even on a machine busy with other work.
    out = sandbox.run("while True:\n    pass\ndef probe():\n    return 1\n", limits=Limits(cpu_seconds=1.0, wall_seconds=5.0))
    assert out.status == "timeout", out
    assert "CPU limit" in out.detail
    assert out.calls["probe"].kind == "not_run"
    sandbox.assert_honest_submission_works()


def test_a_spin_loop_in_a_call_keeps_the_results_before_it(sandbox):
    code = OK_THEN + "def spin():\n    while True:\n        pass\n"
    calls = [Call(name="first", function="fine"), Call(name="spin", function="spin"), Call(name="after", function="fine")]
    out = sandbox.run(code, calls=calls, required=("fine", "spin"))
    assert out.status == "timeout", out
    assert (out.calls["first"].kind, out.calls["first"].value) == ("returned", 1.0)
    assert out.calls["spin"].kind == "not_run"
    assert out.calls["after"].kind == "not_run"
    sandbox.assert_honest_submission_works()


def test_sleeping_is_a_wall_clock_timeout(sandbox):
    started = time.monotonic()
    out = sandbox.run("import time\ndef probe():\n    time.sleep(100)\n")
    elapsed = time.monotonic() - started
    assert out.status == "timeout", out
    assert "wall-clock" in out.detail
    assert ATTACK_LIMITS.wall_seconds <= elapsed < ATTACK_LIMITS.wall_seconds + 1.5
    sandbox.assert_honest_submission_works()


def test_ignoring_sigxcpu_still_ends_at_the_hard_cpu_limit(sandbox):
    code = """
import signal
signal.signal(signal.SIGXCPU, signal.SIG_IGN)
def probe():
    while True:
        pass
"""
    # A wall limit far enough away that only the CPU limits can stop it.
    out = sandbox.run(code, limits=Limits(cpu_seconds=1.0, wall_seconds=6.0))
    assert out.status == "timeout", out
    assert "SIGKILL" in out.detail and "CPU limit" in out.detail, out.detail
    sandbox.assert_honest_submission_works()


def test_allocating_4_gb_is_a_memory_limit(sandbox):
    for body in ("np.ones(4 * 2**30 // 8)", "bytearray(4 * 2**30)", "[0.5] * (2**30 // 2)"):
        out = sandbox.run(f"import numpy as np\ndef probe():\n    return {body}\n")
        assert out.status == "memory_limit", (body, out)
        assert out.calls["probe"].kind == "not_run"
    # At import too.
    out = sandbox.run("import numpy as np\nhog = np.ones(4 * 2**30 // 8)\ndef probe():\n    return 1\n")
    assert out.status == "memory_limit", out
    sandbox.assert_honest_submission_works()


PROCESS_PROBE = """
import ctypes, json, multiprocessing, os, subprocess, sys, threading
libc = ctypes.CDLL(None, use_errno=True)

def attempt(label, action, report):
    try:
        result = action()
        report[label] = "ran: %r" % (result,)
    except BaseException as exc:
        report[label] = type(exc).__name__

def raw(number, *args):
    value = libc.syscall(number, *args)
    return value if value >= 0 else -ctypes.get_errno()

def bomb():
    while True:
        os.fork()

def probe():
    report = {}
    attempt("fork", os.fork, report)
    attempt("fork_bomb", bomb, report)
    attempt("subprocess", lambda: subprocess.run([sys.executable, "-c", "pass"]), report)
    attempt("system", lambda: os.system("true"), report)
    attempt("posix_spawn", lambda: os.posix_spawn(sys.executable, [sys.executable], {}), report)
    attempt("multiprocessing", lambda: multiprocessing.Process(target=print).start(), report)
    attempt("thread", lambda: threading.Thread(target=print).start(), report)
    attempt("execv", lambda: os.execv(sys.executable, [sys.executable]), report)
    # The raw system calls (x86_64 numbers): fork, vfork, clone(SIGCHLD), clone3, execve.
    report["raw"] = [raw(57), raw(58), raw(56, 17, 0, 0, 0, 0), raw(435, 0, 0), raw(59, 0, 0, 0)]
    return json.dumps(report)
"""


def _sandbox_processes(sandbox) -> list[psutil.Process]:
    zygote = psutil.Process(sandbox.zygote_pid())
    return [zygote.parent(), zygote, *zygote.children(recursive=True)]


def test_no_process_or_thread_can_be_started(sandbox):
    out = sandbox.run(PROCESS_PROBE)
    report = json.loads(out.calls["probe"].value)
    assert report["fork"] == "PermissionError"
    assert report["fork_bomb"] == "PermissionError"
    assert report["subprocess"] == "PermissionError"
    assert report["posix_spawn"] == "PermissionError"
    assert report["execv"] == "PermissionError"
    assert report["thread"] == "RuntimeError"  # "can't start new thread"
    assert report["multiprocessing"] in ("PermissionError", "OSError", "FileNotFoundError", "ImportError"), report
    # os.system returns a failure status instead of raising.
    assert report["system"] != "ran: 0", report
    assert report["raw"] == [-1, -1, -1, -1, -1], report  # EPERM each
    # Only bubblewrap's PID 1, the zygote and the next request's spare are left in the sandbox.
    spares = sandbox.assert_nothing_but_the_spare_left()
    assert len(_sandbox_processes(sandbox)) == 2 + len(spares)
    sandbox.assert_honest_submission_works()


DISK_BOMB = """
import errno, json, os
def probe():
    written, errors = 0, []
    chunk = b"x" * (1 << 20)
    for n in range(8):
        try:
            with open(f"/tmp/bomb{n}", "wb") as handle:
                for _ in range(64):
                    handle.write(chunk)
                    handle.flush()
                    written += len(chunk)
        except OSError as exc:
            errors.append(errno.errorcode.get(exc.errno, str(exc.errno)))
            try:
                written += 0
            finally:
                pass
    sizes = sum(os.path.getsize(f"/tmp/{name}") for name in os.listdir("/tmp") if name.startswith("bomb"))
    for path in ("/bomb", "/dev/shm/bomb", "/opt/site/bomb", "/root/bomb"):
        try:
            open(path, "wb").write(b"x")
            errors.append("wrote " + path)
        except OSError as exc:
            errors.append(errno.errorcode.get(exc.errno, str(exc.errno)))
    return json.dumps({"on_disk": sizes, "errors": errors})
"""


def test_a_disk_bomb_is_bounded_by_file_size_and_tmpfs_size(sandbox):
    out = sandbox.run(DISK_BOMB, limits=Limits(cpu_seconds=2.0, wall_seconds=4.0))
    report = json.loads(out.calls["probe"].value)
    config = sandbox.config
    assert report["on_disk"] <= config.tmp_size_bytes
    assert "EFBIG" in report["errors"]  # RLIMIT_FSIZE per file
    assert "ENOSPC" in report["errors"]  # the tmpfs as a whole
    assert not any(error.startswith("wrote") for error in report["errors"]), report
    sandbox.assert_honest_submission_works()


def test_open_files_are_bounded(sandbox):
    code = """
def probe():
    handles = []
    try:
        while len(handles) < 10000:
            handles.append(open("/dev/null"))
    except OSError as exc:
        return "%d %s" % (len(handles), type(exc).__name__)
    return "unbounded"
"""
    count, error = sandbox.probe(code).split()
    assert error == "OSError" and int(count) <= sandbox.config.open_files
    sandbox.assert_honest_submission_works()


def test_an_output_flood_is_cut_and_kept_small(sandbox):
    worker = psutil.Process()
    before = worker.memory_info().rss
    floods = {
        "print": "def probe():\n    while True:\n        print('x' * 100)\n",
        "os.write": "import os\ndef probe():\n    while True:\n        os.write(1, b'y' * 65536)\n",
        "stderr": "import sys\ndef probe():\n    while True:\n        sys.stderr.write('z' * 1000)\n",
        "import": "import os\nwhile True:\n    os.write(2, b'w' * 4096)\n",
    }
    for label, code in floods.items():
        out = sandbox.run(code)
        # output_limit, not timeout: the flood was cut at the cap, before any time limit.
        assert out.status == "output_limit", (label, out)
        assert len(out.stdout.encode()) <= sandbox.config.visible_output_bytes, label
    assert worker.memory_info().rss - before < 50 * 2**20
    sandbox.assert_honest_submission_works()


def test_a_result_flood_is_cut(sandbox):
    worker = psutil.Process()
    before = worker.memory_info().rss
    # Straight into the result pipe, past the zygote's relay cap.
    code = "import os\nchunk = b'\\x00\\x10\\x00\\x00' + b'r' * (1 << 20)\ndef probe():\n    while True:\n        os.write(3, chunk)\n"
    out = sandbox.run(code)
    assert out.status == "output_limit", out
    # A value too big to be worth sending is refused in the sandbox already.
    out = sandbox.run("def probe():\n    return [0.5] * 2_000_000\n")
    assert (out.calls["probe"].kind, out.calls["probe"].detail) == (
        "bad_return", "a structure too large or too deeply nested to send back")
    assert worker.memory_info().rss - before < 200 * 2**20
    sandbox.assert_honest_submission_works()


def test_honest_numpy_work_fits_the_default_limits(sandbox):
    # Guards the limits against being set below what numpy itself needs.
    code = "import numpy as np\ndef probe(n):\n    a = np.random.default_rng(0).normal(size=(n, n))\n    return float((a @ a.T).trace())\n"
    out = sandbox.run(code, calls=[Call(name="probe", function="probe", args=(300,))], limits=Limits())
    assert out.status == "ok" and isinstance(out.calls["probe"].value, float), out
    assert np.isfinite(out.calls["probe"].value)


def test_a_flood_of_tiny_frames_costs_the_worker_little(sandbox):
    code = "import os\nframe = b'\\x00\\x00\\x00\\x02{}' * 100_000\ndef probe():\n    for _ in range(50):\n        os.write(3, frame)\n    return 1.0\n"
    started = time.monotonic()
    out = sandbox.run(code)
    assert out.status == "crashed" and "result frames" in out.detail, out
    assert time.monotonic() - started < 5
    sandbox.assert_honest_submission_works()

"""THREATS 6: the harness survives: the submission cannot kill, ptrace or signal the
zygote or bubblewrap's PID 1; a zygote harmed from outside is replaced and the
submission graded again, never lost."""

import dataclasses
import json
import os
import signal
import threading
import time

import psutil

from grader.sandbox import Call, Limits, get_pool, run_submission

from .helpers import Sandbox

SIGNAL_ATTACKS = """
import ctypes, json, os, signal
libc = ctypes.CDLL(None, use_errno=True)

def attempt(label, action, report):
    try:
        action()
        report[label] = "done"
    except BaseException as exc:
        report[label] = type(exc).__name__

def raw(number, *args):
    value = libc.syscall(number, *args)
    return value if value >= 0 else -ctypes.get_errno()

def probe():
    zygote = os.getppid()
    report = {"ppid": zygote}
    attempt("kill_init", lambda: os.kill(1, signal.SIGKILL), report)
    attempt("kill_zygote", lambda: os.kill(zygote, signal.SIGKILL), report)
    attempt("kill_group", lambda: os.killpg(0, signal.SIGKILL), report)
    attempt("kill_all", lambda: os.kill(-1, signal.SIGKILL), report)
    attempt("kill_self", lambda: os.kill(os.getpid(), signal.SIGTERM), report)
    attempt("setpgid", lambda: os.setpgid(0, 0), report)
    attempt("setsid", os.setsid, report)
    info = ctypes.create_string_buffer(128)
    pid_value = ctypes.c_int(zygote)
    iov = (ctypes.c_uint64 * 2)(ctypes.addressof(info), 16)
    limits = (ctypes.c_uint64 * 2)(0, 0)
    report["raw"] = {
        "kill": raw(62, zygote, 9),
        "kill_init": raw(62, 1, 9),
        "tkill": raw(200, zygote, 9),
        "tgkill": raw(234, zygote, zygote, 9),
        "rt_sigqueueinfo": raw(129, zygote, 9, info),
        "ptrace_attach": raw(101, 16, zygote, 0, 0),
        "ptrace_seize": raw(101, 0x4206, zygote, 0, 0),
        "ptrace_traceme": raw(101, 0, 0, 0, 0),
        "process_vm_readv": raw(310, zygote, iov, 1, iov, 1, 0),
        "pidfd_open": raw(434, zygote, 0),
        "pidfd_getfd": raw(438, 0, 0, 0),
        "prlimit_zygote": raw(302, zygote, 7, limits, 0),
        "setpriority_zygote": raw(141, 0, zygote, 19),
        "sched_setaffinity": raw(203, zygote, 8, limits),
        "f_setown": raw(72, 3, 8, zygote),
        "f_setown_high_bits": raw(72, 3, 8 | (1 << 32), zygote),
        "fiosetown": raw(16, 3, 0x8901, ctypes.byref(pid_value)),
        "unshare_user": raw(272, 0x10000000),
        "setns": raw(308, 0, 0),
        "mount": raw(165, b"none", b"/tmp", b"tmpfs", 0, 0),
        "prctl": raw(157, 1, 9, 0, 0, 0),  # PR_SET_PDEATHSIG
        "seccomp": raw(317, 0, 0, 0),
        "bpf": raw(321, 0, 0, 0),
        "io_uring_setup": raw(425, 1, info),
        "keyctl": raw(250, 0, 0, 0),
        "userfaultfd": raw(323, 0),
        "perf_event_open": raw(298, info, 0, -1, -1, 0),
    }
    return json.dumps(report)
"""


def test_the_submission_cannot_signal_trace_or_reach_the_zygote(sandbox):
    zygote_before = sandbox.zygote_pid()
    bwrap_init = psutil.Process(zygote_before).parent().pid
    outcome = sandbox.run(SIGNAL_ATTACKS)
    assert outcome.calls["probe"].kind == "returned", outcome
    report = json.loads(outcome.calls["probe"].value)
    for label in ("kill_init", "kill_zygote", "kill_group", "kill_all", "kill_self", "setpgid", "setsid"):
        assert report[label] == "PermissionError", (label, report)
    raw = report["raw"]
    assert raw == {label: -1 for label in raw}, raw  # EPERM for every one
    assert sandbox.zygote_pid() == zygote_before
    assert psutil.Process(zygote_before).parent().pid == bwrap_init
    sandbox.assert_honest_submission_works()
    assert sandbox.zygote_pid() == zygote_before


def test_another_syscall_abi_is_no_way_around_the_filter(sandbox):
    # x32 syscall numbers (bit 30 set) reach the x86_64 entry point: a rule keyed
    # on syscall numbers would not match them, so the filter kills the process.
    code = "import ctypes\ndef probe():\n    return ctypes.CDLL(None).syscall(0x40000000 | 62, 1, 9)\n"
    out = sandbox.run(code)
    assert out.status == "crashed" and "SIGSYS" in out.detail, out
    sandbox.assert_honest_submission_works()


def test_f_setown_cannot_point_sigio_at_the_zygote(sandbox):
    zygote_before = sandbox.zygote_pid()
    code = """
import fcntl, os
def probe():
    try:
        fcntl.fcntl(3, fcntl.F_SETOWN, os.getppid())
    except OSError as exc:
        result = type(exc).__name__
    else:
        result = "owner set"
    fcntl.fcntl(3, fcntl.F_SETFL, fcntl.fcntl(3, fcntl.F_GETFL) | os.O_ASYNC)
    return result
"""
    assert sandbox.probe(code) == "PermissionError"
    assert sandbox.zygote_pid() == zygote_before
    sandbox.assert_honest_submission_works()


def test_a_segfault_or_abort_is_a_crash_and_the_zygote_carries_on(sandbox):
    zygote_before = sandbox.zygote_pid()
    for code, signal_name in (
        ("import ctypes\ndef probe():\n    return ctypes.string_at(8, 8)\n", "SIGSEGV"),
        ("import os\ndef probe():\n    os.abort()\n", "SIG"),
    ):
        out = sandbox.run(code, limits=Limits(cpu_seconds=1.0, wall_seconds=2.0))
        assert out.status == "crashed", (code, out)
        assert signal_name in out.detail, out.detail
        assert out.calls["probe"].kind == "not_run"
    assert sandbox.zygote_pid() == zygote_before
    sandbox.assert_honest_submission_works()


def test_killing_the_zygote_mid_request_reruns_the_submission_on_a_fresh_one(sandbox):
    zygote = psutil.Process(sandbox.zygote_pid())
    code = "import time\ndef probe():\n    time.sleep(0.4)\n    return 3.0\n"
    result = {}

    def grade():
        result["outcome"] = sandbox.run(code, limits=Limits(cpu_seconds=2.0, wall_seconds=4.0))

    worker = threading.Thread(target=grade)
    worker.start()
    deadline = time.monotonic() + 5
    while not sandbox.zygote_children(running=True) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sandbox.zygote_children(running=True), "the submission's child never started"
    zygote.send_signal(signal.SIGKILL)
    worker.join(timeout=20)
    out = result["outcome"]
    assert out.status == "ok", out
    assert out.calls["probe"].value == 3.0
    assert sandbox.zygote_pid() != zygote.pid
    sandbox.assert_honest_submission_works()


def test_a_zygote_killed_between_requests_is_replaced(sandbox):
    old = psutil.Process(sandbox.zygote_pid())
    old.send_signal(signal.SIGKILL)
    old.wait(timeout=5)
    sandbox.assert_honest_submission_works()
    assert sandbox.zygote_pid() != old.pid


def test_a_hung_zygote_is_replaced_after_the_wall_limit_and_a_margin(sandbox_config):
    config = dataclasses.replace(sandbox_config, wall_margin_seconds=0.5)
    box = Sandbox(config)
    box.pool.warm_up()
    zygote = psutil.Process(box.zygote_pid())
    result = {}

    def grade():
        result["outcome"] = box.run("import time\ndef probe():\n    time.sleep(0.3)\n    return 4.0\n",
                                    limits=Limits(cpu_seconds=1.0, wall_seconds=1.0))

    worker = threading.Thread(target=grade)
    worker.start()
    time.sleep(0.1)
    zygote.send_signal(signal.SIGSTOP)  # hangs: neither dead nor answering
    worker.join(timeout=20)
    out = result["outcome"]
    assert out.status == "ok" and out.calls["probe"].value == 4.0, out
    assert not zygote.is_running() or zygote.status() == psutil.STATUS_ZOMBIE
    box.assert_honest_submission_works()
    box.pool.close()


def test_a_submission_that_breaks_every_zygote_is_crashed_not_lost(sandbox_config, monkeypatch):
    # No submission can do this (the tests above say so); simulate it from
    # outside: every zygote dies as soon as it has read the request.
    config = dataclasses.replace(sandbox_config, wall_margin_seconds=1.0)
    pool = get_pool(config)
    pool.warm_up()
    from grader.sandbox import process

    original_run = process.ZygoteProcess.run

    def run_and_kill(self, *args, **kwargs):
        os.kill(self.zygote_pid(), signal.SIGKILL)
        return original_run(self, *args, **kwargs)

    monkeypatch.setattr(process.ZygoteProcess, "run", run_and_kill)
    out = run_submission("def probe():\n    return 1.0\n", [Call(name="probe", function="probe")], ["probe"],
                         Limits(cpu_seconds=1.0, wall_seconds=1.0), config=config)
    assert out.status == "crashed"
    assert "broke twice" in out.detail
    assert out.calls["probe"].kind == "not_run"
    monkeypatch.undo()
    Sandbox(config).assert_honest_submission_works()
    pool.close()


def test_the_submission_runs_as_nobody_without_capabilities(sandbox):
    code = """
import ctypes, os
def probe():
    libc = ctypes.CDLL(None, use_errno=True)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    sets = (ctypes.c_uint32 * 6)()
    assert libc.syscall(125, header, sets) == 0  # capget
    prctl = libc.prctl(39, 0, 0, 0, 0)  # even reading no_new_privs: prctl is refused outright
    return "%s %d %d %d %s" % (list(sets), prctl, os.getuid(), os.getgid(), os.uname().nodename)
"""
    # effective, permitted and inheritable capability sets all empty
    assert sandbox.probe(code) == "[0, 0, 0, 0, 0, 0] -1 65534 65534 sandbox"
    sandbox.assert_honest_submission_works()


def _memory_cgroup_of(pid: int) -> str:
    with open(f"/proc/{pid}/cgroup", encoding="ascii") as handle:
        for line in handle:
            _id, controllers, path = line.rstrip("\n").split(":", 2)
            if "memory" in controllers.split(","):
                return path
    return ""


def test_the_next_child_waits_forked_ahead_inside_the_memory_cgroup_and_the_zygote_stays_out(sandbox):
    sandbox.assert_honest_submission_works()
    zygote_pid = sandbox.zygote_pid()
    [spare] = sandbox.assert_nothing_but_the_spare_left()
    cgroup = sandbox.pool._all[0].cgroup
    if cgroup is not None:
        # Moved in while no submission waited for it (that move is the slow part).
        deadline = time.monotonic() + 5
        while not _memory_cgroup_of(spare.pid).endswith(os.path.basename(cgroup.path)):
            assert time.monotonic() < deadline, _memory_cgroup_of(spare.pid)
            time.sleep(0.01)
        assert not _memory_cgroup_of(zygote_pid).endswith(os.path.basename(cgroup.path))


def test_a_spare_that_died_while_waiting_is_replaced_and_the_submission_still_graded(sandbox):
    sandbox.assert_honest_submission_works()
    zygote_pid = sandbox.zygote_pid()
    [spare] = sandbox.assert_nothing_but_the_spare_left()
    spare.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 5
    while spare.status() != psutil.STATUS_ZOMBIE:  # the zygote reaps it when it next needs it
        assert time.monotonic() < deadline
        time.sleep(0.01)
    sandbox.assert_honest_submission_works()
    assert sandbox.zygote_pid() == zygote_pid  # the same warm zygote, not a restarted sandbox
    [next_spare] = sandbox.assert_nothing_but_the_spare_left()
    assert next_spare.pid != spare.pid
    assert not psutil.pid_exists(spare.pid) or spare.status() != psutil.STATUS_ZOMBIE

"""THREATS 5: nothing outlives its grading: no process, no file, no IPC object."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil

from grader.sandbox import Limits, get_pool

from .helpers import REPO_ROOT

DAEMON = """
import os, time
def daemonise():
    try:
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(1000)
            os._exit(0)
    except OSError as exc:
        return type(exc).__name__
    return "forked"
result_at_import = daemonise()
def probe():
    return result_at_import + " " + daemonise()
"""


def test_a_double_fork_daemon_cannot_start_or_survive(sandbox):
    assert sandbox.probe(DAEMON) == "PermissionError PermissionError"
    spares = sandbox.assert_nothing_but_the_spare_left()
    zygote = psutil.Process(sandbox.zygote_pid())
    # bwrap's PID 1 -> the zygote (and the next request's spare) only.
    assert len(zygote.parent().children(recursive=True)) == 1 + len(spares)
    sandbox.assert_honest_submission_works()


def test_a_submission_killed_at_the_time_limit_leaves_no_process(sandbox):
    out = sandbox.run("import time\ndef probe():\n    time.sleep(30)\n", limits=Limits(cpu_seconds=1.0, wall_seconds=0.5))
    assert out.status == "timeout"
    sandbox.assert_nothing_but_the_spare_left()
    sandbox.assert_honest_submission_works()


LEAVE_FILES = """
import os, ctypes
def probe():
    libc = ctypes.CDLL(None, use_errno=True)
    open("/tmp/secret.txt", "w").write("for the next submission")
    open("left-in-cwd.txt", "w").write("me too")
    open("/tmp/.hidden", "w").write("and me")
    os.makedirs("/tmp/a/b/c")
    open("/tmp/a/b/c/deep.txt", "w").write("deep")
    os.chmod("/tmp/a/b", 0)
    os.chmod("/tmp/a", 0o100)
    os.symlink("/tmp/secret.txt", "/tmp/link")
    os.mkfifo("/tmp/fifo")
    fd = os.open("/tmp/held-open", os.O_CREAT | os.O_WRONLY)
    os.unlink("/tmp/held-open")  # open but unlinked: gone with the process
    # System V shared memory and message queues outlive processes: refused.
    shm = libc.syscall(29, 0, 4096, 0o1000 | 0o666)  # shmget(IPC_PRIVATE, ..., IPC_CREAT)
    shm_errno = ctypes.get_errno()
    msg = libc.syscall(68, 0, 0o1000 | 0o666)  # msgget
    msg_errno = ctypes.get_errno()
    mq = libc.syscall(240, b"/leak", 0o100 | 2, 0o666, 0)  # mq_open
    mq_errno = ctypes.get_errno()
    return "%d %d %d %d %d %d" % (shm, shm_errno, msg, msg_errno, mq, mq_errno)
"""

LOOK_FOR_FILES = """
import os
def probe():
    found = []
    for top, dirs, files in os.walk("/tmp"):
        found += [os.path.join(top, name) for name in dirs + files]
    return " ".join(sorted(found)) + " | cwd=" + os.getcwd()
"""


def test_files_left_in_tmp_are_gone_for_the_next_submission(sandbox):
    assert sandbox.probe(LEAVE_FILES) == "-1 1 -1 1 -1 1"  # each refused with EPERM
    assert sandbox.probe(LOOK_FOR_FILES) == "/tmp/run | cwd=/tmp/run"
    sandbox.assert_honest_submission_works()


def test_a_cold_sandbox_is_gone_after_its_run(sandbox):
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    out = sandbox.run_cold("import time\ndef probe():\n    return 1.0\n")
    assert out.calls["probe"].value == 1.0
    time.sleep(0.2)
    after = {p.pid for p in me.children(recursive=True)}
    assert after <= before
    sandbox.assert_honest_submission_works()


WORKER = """
import os, sys, time
sys.path.insert(0, {root!r})
from grader.sandbox import Call, Limits, SandboxConfig, get_pool, run_submission
config = SandboxConfig(site_dir={site!r})
pool = get_pool(config)
pool.warm_up()
zygote = pool.zygote_pids()[0]
print(zygote, pool._all[0].popen.pid, flush=True)
run_submission("import time\\ndef probe():\\n    time.sleep(100)\\n", [Call(name="probe", function="probe")],
               ["probe"], Limits(cpu_seconds=10, wall_seconds=60), config=config)
"""


def test_killing_the_worker_takes_its_sandbox_along(sandbox):
    code = textwrap.dedent(WORKER).format(root=str(REPO_ROOT), site=sandbox.config.site_dir)
    worker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env={"PATH": os.environ.get("PATH", "")})
    try:
        zygote_pid, bwrap_pid = map(int, worker.stdout.readline().split())
        zygote = psutil.Process(zygote_pid)
        deadline = time.monotonic() + 10
        while not [c for c in zygote.children() if c.name() == "sandbox-run"] and time.monotonic() < deadline:
            time.sleep(0.05)  # the sleeping submission's child has started (not just the spare)
        victims = [zygote, *zygote.children(recursive=True), psutil.Process(bwrap_pid)]
        assert len(victims) >= 3
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=5)
        gone, alive = psutil.wait_procs(victims, timeout=5)
        assert alive == [], alive
    finally:
        if worker.poll() is None:
            worker.kill()
    sandbox.assert_honest_submission_works()


def test_a_forked_worker_runs_its_own_zygote(sandbox):
    # Celery prefork: the child process must not talk to its parent's zygote.
    parent_zygote = sandbox.zygote_pid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            out = sandbox.run("import os\ndef probe():\n    return 2.0\n")
            mine = get_pool(sandbox.config).zygote_pids()
            os.write(write_end, json.dumps([out.calls["probe"].value, mine]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as handle:
        value, child_zygotes = json.loads(handle.read())
    os.waitpid(pid, 0)
    assert value == 2.0
    assert child_zygotes and parent_zygote not in child_zygotes
    assert sandbox.zygote_pid() == parent_zygote
    sandbox.assert_honest_submission_works()


def test_a_flood_of_files_is_capped_and_gone_for_the_next_submission(sandbox):
    # Each file is kernel memory no rlimit counts: the child's tmpfs takes a
    # bounded number, and all of them go with the child (same zygote after).
    zygote_before = sandbox.zygote_pid()
    code = """
import os
def probe():
    made = 0
    try:
        for n in range(30000):
            os.close(os.open(f"/tmp/f{n}", os.O_CREAT | os.O_WRONLY))
            made += 1
    except OSError as exc:
        return "%d %s" % (made, exc.strerror)
    return "%d all" % made
"""
    made, reason = sandbox.probe(code, limits=Limits(cpu_seconds=2.0, wall_seconds=4.0)).split(" ", 1)
    assert int(made) < sandbox.config.tmp_files and reason == "No space left on device", (made, reason)
    assert sandbox.probe(LOOK_FOR_FILES) == "/tmp/run | cwd=/tmp/run"
    assert sandbox.zygote_pid() == zygote_before
    sandbox.assert_honest_submission_works()


def test_a_tmp_made_unusable_gets_a_fresh_sandbox(sandbox):
    for attack in ("os.chmod('/tmp', 0)", "os.chmod('/tmp', 0o500)", "os.rename('/tmp/run', '/tmp/moved')"):
        out = sandbox.run(f"import os\ndef probe():\n    {attack}\n    return 1.0\n")
        assert out.calls["probe"].value == 1.0, (attack, out)
        assert sandbox.probe(LOOK_FOR_FILES) == "/tmp/run | cwd=/tmp/run", attack
    sandbox.assert_honest_submission_works()

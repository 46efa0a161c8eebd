"""THREATS 11: all memory a child can hold counts, or the way to hold it is refused.

RLIMIT_AS counts the child's address space only. Each attack below tries to
hold far more than the run's memory limit (512 MiB here) in memory the limit
does not count: a memfd, pipe buffers grown with F_SETPIPE_SZ, files in the
tmpfs, extended attributes, System V shared memory. Each must be refused or
bounded well below the limit, and gone for the next child.
"""

import dataclasses
import json

from grader.sandbox import Limits
from grader.sandbox.memory_cgroup import MemoryCgroup

from .helpers import ATTACK_LIMITS, Sandbox

HOARD = """
import ctypes, errno, fcntl, json, os
libc = ctypes.CDLL(None, use_errno=True)
MiB = 1 << 20
TARGET = 1024 * MiB  # twice the run's memory limit

def failure(exc):
    return errno.errorcode.get(exc.errno, str(exc.errno)) if isinstance(exc, OSError) else type(exc).__name__

def memfd():
    held = 0
    try:
        fd = os.memfd_create("hoard")
        os.ftruncate(fd, TARGET)
        chunk = b"m" * MiB
        while held < TARGET:
            held += os.write(fd, chunk)
    except Exception as exc:
        return held, failure(exc)
    return held, "held"

def raw_memfd():
    fd = libc.syscall(319, b"hoard", 0)  # memfd_create, past os.memfd_create
    return (0, "fd") if fd >= 0 else (0, errno.errorcode[ctypes.get_errno()])

def pipes():
    held, keep, why = 0, [], "held"
    try:
        while held < TARGET:
            r, w = os.pipe()
            keep.append((r, w))
            try:
                fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ: 1 MiB each
            except OSError as exc:
                why = failure(exc)
            os.set_blocking(w, False)
            try:
                while True:
                    held += os.write(w, b"p" * 65536)
            except BlockingIOError:
                pass
    except Exception as exc:
        why += "/" + failure(exc)
    for r, w in keep:
        os.close(r)
        os.close(w)
    return held, why

def tmpfs():
    held = 0
    try:
        for n in range(TARGET // (8 * MiB)):
            with open(f"/tmp/hoard{n}", "wb") as handle:
                for _ in range(8):
                    handle.write(b"t" * MiB)
                    handle.flush()
                    held += MiB
    except Exception as exc:
        return held, failure(exc)
    return held, "held"

def xattrs():
    held = 0
    open("/tmp/x", "w").close()
    try:
        for n in range(TARGET // 65536):
            os.setxattr("/tmp/x", f"user.{n}", b"x" * 65536)
            held += 65536
    except Exception as exc:
        return held, failure(exc)
    return held, "held"

def sysv():
    shm = libc.syscall(29, 0, TARGET, 0o1000 | 0o600)  # shmget(IPC_PRIVATE, 1 GiB, IPC_CREAT)
    return (0, "id") if shm >= 0 else (0, errno.errorcode[ctypes.get_errno()])

def probe():
    report = {}
    for name, attack in (("memfd", memfd), ("raw_memfd", raw_memfd), ("pipes", pipes), ("tmpfs", tmpfs),
                         ("xattrs", xattrs), ("sysv", sysv)):
        report[name] = attack()
    return json.dumps(report)
"""


def test_memory_outside_rlimit_as_cannot_be_hoarded(sandbox):
    limits = Limits(cpu_seconds=3.0, wall_seconds=6.0, memory_mb=ATTACK_LIMITS.memory_mb,
                    output_bytes=ATTACK_LIMITS.output_bytes)
    free_space = "import os\ndef probe():\n    fs = os.statvfs('/tmp')\n    return '%d %d' % (fs.f_bfree, fs.f_ffree)\n"
    free_before = sandbox.probe(free_space)
    report = json.loads(sandbox.probe(HOARD, limits=limits))
    assert report["memfd"] == [0, "EPERM"], report
    assert report["raw_memfd"] == [0, "EPERM"], report
    assert report["xattrs"] == [0, "EPERM"], report
    assert report["sysv"] == [0, "EPERM"], report
    # Pipes keep their default 64 KiB, and there are only so many fds.
    held, why = report["pipes"]
    assert why.startswith("ENOSYS/") or why.startswith("EPERM/"), report
    assert held <= sandbox.config.open_files * 65536, report
    # The tmpfs stops at its size, and goes with the child.
    held, why = report["tmpfs"]
    assert why == "ENOSPC" and held <= sandbox.config.tmp_size_bytes, report
    assert sandbox.probe(free_space) == free_before
    sandbox.assert_honest_submission_works()


TMPFS_HOARD = """
def probe():
    held = 0
    for n in range(60):
        with open(f"/tmp/hoard{n}", "wb") as handle:  # 15 MiB each: under RLIMIT_FSIZE
            for _ in range(15):
                handle.write(b"h" * (1 << 20))
                handle.flush()
                held += 1
    return held
"""


def test_memory_past_the_rlimit_is_killed_by_the_memory_cgroup_where_the_machine_gives_one(sandbox_config):
    # A /tmp far larger than the run's memory limit stands in for a way around
    # RLIMIT_AS nobody has found yet: tmpfs pages are no address space.
    config = dataclasses.replace(sandbox_config, tmp_size_bytes=1 << 30, tmp_files=1000)
    box = Sandbox(config)
    try:
        box.pool.warm_up()
        zygote = box.pool._all[0]
        probe_cgroup = MemoryCgroup.create()
        if probe_cgroup is not None:
            probe_cgroup.remove()
        # The sandbox uses one exactly when the machine gives one.
        assert (zygote.cgroup is None) == (probe_cgroup is None)
        limits = Limits(cpu_seconds=5.0, wall_seconds=10.0, memory_mb=256)
        zygote_pid = box.zygote_pid()
        out = box.run(TMPFS_HOARD, limits=limits)
        if zygote.cgroup is not None:
            # 900 MiB against 256 MiB + the slack: the kernel kills the child,
            # and only the child (the zygote is not in the cgroup).
            assert out.status == "memory_limit" and "SIGKILL" in out.detail, out
            assert out.calls["probe"].kind == "not_run"
            assert zygote.cgroup.oom_kills() >= 1
            assert box.zygote_pid() == zygote_pid
        else:
            # Without a cgroup the allow-list and the tmpfs size are the bound.
            assert out.calls["probe"].value == 900, out
        box.assert_honest_submission_works()
        assert box.zygote_pid() == zygote_pid
    finally:
        box.pool.close()

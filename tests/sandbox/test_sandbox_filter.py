"""THREATS 12: the child's seccomp filter is an allow-list, and it grows only with a reason.

The compiled BPF program itself is run here, by a small interpreter, for
every system call number: what it allows must be exactly the frozen list
below. Adding a call means adding it to seccomp_filters.CHILD_ALLOWED (or
CHILD_ALLOWED_IF) with the reason a submission needs it, AND here.
"""

import errno
import json
import platform
import struct

import pytest

from grader.sandbox import seccomp_filters

FROZEN_ALLOWED = {
    "access", "alarm", "brk", "capget", "chdir", "chmod", "clock_getres", "clock_gettime", "clock_nanosleep",
    "close", "close_range", "copy_file_range", "dup", "dup2", "dup3", "epoll_create1", "epoll_ctl", "epoll_pwait",
    "epoll_wait", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fallocate", "fchdir", "fchmod",
    "fchmodat", "fdatasync", "flock", "fstat", "fstatfs", "fsync", "ftruncate", "futex", "futimesat", "getcpu",
    "getcwd", "getdents64", "getegid", "geteuid", "getgid", "getgroups", "getitimer", "getpgid", "getpgrp",
    "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresuid", "getrlimit", "get_robust_list",
    "getrusage", "getsid", "gettid", "gettimeofday", "getuid", "link", "linkat", "lseek", "lstat", "madvise",
    "mkdir", "mkdirat", "mknod", "mknodat", "mmap", "mprotect", "mremap", "munmap", "nanosleep", "newfstatat",
    "open", "openat", "pause", "pipe", "pipe2", "poll", "ppoll", "pread64", "preadv", "preadv2", "pselect6",
    "pwrite64", "pwritev", "pwritev2", "read", "readlink", "readlinkat", "readv", "rename", "renameat",
    "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
    "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "sched_getaffinity", "sched_yield", "select", "sendfile",
    "set_robust_list", "set_tid_address", "setitimer", "setrlimit", "sigaltstack", "stat", "statfs", "statx",
    "symlink", "symlinkat", "time", "times", "truncate", "umask", "uname", "unlink", "unlinkat", "utime",
    "utimensat", "utimes", "write", "writev",
}
# Allowed for some values of one argument only: name -> (argument, allowed values).
FROZEN_ALLOWED_IF = {
    "fcntl": (1, {0, 1, 2, 3, 4, 5, 6, 7, 36, 37, 38, 1030, 1032}),
    "ioctl": (1, {0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451}),
    "prlimit64": (0, {0}),
}

AUDIT_ARCH_X86_64 = 0xC000003E
SECCOMP_RET_ACTION_FULL = 0xFFFF0000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000

pytestmark = pytest.mark.skipif(platform.machine() != "x86_64", reason="the interpreter below speaks x86_64 seccomp_data")


def run_bpf(program: bytes, nr: int, args=(0,) * 6, arch=AUDIT_ARCH_X86_64) -> int:
    """Classic BPF as the kernel runs it on struct seccomp_data (the subset libseccomp emits)."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, *[a & (2**64 - 1) for a in args])
    insns = [struct.unpack("<HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    a = x = 0
    mem = [0] * 16
    pc = 0
    while True:
        code, jt, jf, k = insns[pc]
        pc += 1
        cls = code & 0x07
        if code == 0x20:  # ld [k]
            a = struct.unpack_from("<I", data, k)[0]
        elif code == 0x00:  # ld #k
            a = k
        elif code == 0x01:  # ldx #k
            x = k
        elif code == 0x60:  # ld M[k]
            a = mem[k]
        elif code == 0x61:  # ldx M[k]
            x = mem[k]
        elif code == 0x02:  # st M[k]
            mem[k] = a
        elif code == 0x03:  # stx M[k]
            mem[k] = x
        elif code == 0x54:  # and #k
            a &= k
        elif code == 0x44:  # or #k
            a |= k
        elif code == 0x07:  # tax
            x = a
        elif code == 0x87:  # txa
            a = x
        elif code == 0x05:  # ja
            pc += k
        elif cls == 0x05:  # conditional jumps with #k
            op = code & 0xF0
            if code & 0x08:
                raise AssertionError(f"jump on X not expected: {code:#x}")
            taken = {0x10: a == k, 0x20: a > k, 0x30: a >= k, 0x40: bool(a & k)}[op]
            pc += jt if taken else jf
        elif code == 0x06:  # ret #k
            return k
        elif code == 0x16:  # ret a
            return a
        else:
            raise AssertionError(f"unexpected BPF opcode {code:#x}")


@pytest.fixture(scope="module")
def child_program():
    return seccomp_filters.compile_child_filter()


def _allowed(program, nr, args=(0,) * 6):
    return run_bpf(program, nr, args) & SECCOMP_RET_ACTION_FULL == SECCOMP_RET_ALLOW


def test_the_allow_list_is_the_frozen_one_each_call_with_its_reason():
    assert set(seccomp_filters.CHILD_ALLOWED) == FROZEN_ALLOWED, (
        "the child filter's allow-list changed: say why in CHILD_ALLOWED and update FROZEN_ALLOWED",
        set(seccomp_filters.CHILD_ALLOWED) ^ FROZEN_ALLOWED)
    assert {name: (index, set(values)) for name, (_why, index, values) in seccomp_filters.CHILD_ALLOWED_IF.items()} \
        == FROZEN_ALLOWED_IF
    reasons = [why for why in seccomp_filters.CHILD_ALLOWED.values()]
    reasons += [why for why, _index, _values in seccomp_filters.CHILD_ALLOWED_IF.values()]
    assert all(isinstance(why, str) and len(why) >= 5 for why in reasons)


def test_the_compiled_filter_allows_exactly_the_list(child_program):
    numbers = {}
    for name in FROZEN_ALLOWED | set(FROZEN_ALLOWED_IF):
        number = seccomp_filters.syscall_number(name)
        if number is not None:
            numbers[number] = name
    allowed = set()
    for nr in range(1024):
        if _allowed(child_program, nr):
            allowed.add(nr)
    conditional_at_zero = {name for name, (index, values) in FROZEN_ALLOWED_IF.items() if 0 in values}
    expected = {nr for nr, name in numbers.items() if name in FROZEN_ALLOWED or name in conditional_at_zero}
    assert allowed == expected, {"allowed but not listed": allowed - expected, "listed but refused": expected - allowed}
    for name, (index, values) in FROZEN_ALLOWED_IF.items():
        nr = seccomp_filters.syscall_number(name)
        for value in values:
            args = [0] * 6
            args[index] = value
            assert _allowed(child_program, nr, args), (name, value)
            args[index] = value | (1 << 32)  # junk in the high half: the kernel reads an int
            assert _allowed(child_program, nr, args), (name, value)
        args = [0] * 6
        args[index] = 0x7777
        assert not _allowed(child_program, nr, args), name


def test_refusals_are_errors_not_kills(child_program):
    # Unknown and future calls: ENOSYS, as from a kernel without them; the
    # calls refused on purpose: EPERM. Never a kill (only another ABI is).
    for nr in range(1024):
        action = run_bpf(child_program, nr)
        assert action & SECCOMP_RET_ACTION_FULL in (SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO), (nr, hex(action))
    assert run_bpf(child_program, 457) == SECCOMP_RET_ERRNO | errno.ENOSYS  # statmount
    assert run_bpf(child_program, 458) == SECCOMP_RET_ERRNO | errno.ENOSYS  # listmount
    assert run_bpf(child_program, 1023) == SECCOMP_RET_ERRNO | errno.ENOSYS  # next year's call
    assert run_bpf(child_program, seccomp_filters.syscall_number("memfd_create")) == SECCOMP_RET_ERRNO | errno.EPERM
    assert run_bpf(child_program, seccomp_filters.syscall_number("fork")) == SECCOMP_RET_ERRNO | errno.EPERM
    assert run_bpf(child_program, 62, arch=0x40000003) & SECCOMP_RET_ACTION_FULL == 0x80000000  # i386: killed


MOUNT_PROBE = """
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)

def raw(number, *args):
    value = libc.syscall(number, *args)
    return value if value >= 0 else -ctypes.get_errno()

def probe():
    # struct mnt_id_req {u32 size, spare; u64 mnt_id, param, mnt_ns_id}: ask for the root mount
    request = (ctypes.c_uint64 * 4)(24, 0xFFFFFFFFFFFFFFFF, 0, 0)
    buffer = ctypes.create_string_buffer(1 << 16)
    ids = (ctypes.c_uint64 * 64)()
    report = {
        "statmount": raw(457, request, buffer, len(buffer), 0),
        "listmount": raw(458, request, ids, 64, 0),
        "sysinfo": raw(99, buffer),
        "future": raw(520, 0, 0, 0),
    }
    try:
        report["mounts_file"] = open("/proc/self/mountinfo").read()[:100]
    except OSError as exc:
        report["mounts_file"] = type(exc).__name__
    return json.dumps(report)
"""


def test_listmount_and_statmount_are_refused_inside(sandbox):
    report = json.loads(sandbox.probe(MOUNT_PROBE))
    assert report["statmount"] in (-errno.ENOSYS, -errno.EPERM), report
    assert report["listmount"] in (-errno.ENOSYS, -errno.EPERM), report
    assert report["sysinfo"] in (-errno.ENOSYS, -errno.EPERM), report  # the machine's memory
    assert report["future"] == -errno.ENOSYS, report
    assert report["mounts_file"] == "FileNotFoundError", report  # no /proc
    sandbox.assert_honest_submission_works()


def test_every_shipped_solution_and_known_mistake_is_graded_under_the_filter(sandbox):
    # The allow-list must not turn an honest or a wrong-but-ordinary
    # submission into a crash: grade each exercise's reference and mistakes.
    from courses.services import SAMPLE_CONTENT_DIRECTORY, course_content_read
    from grader import checks
    from grader.code_grading import limits_for
    from grader.models import Exercise
    from grader.sandbox import run_submission

    content = course_content_read(directory=SAMPLE_CONTENT_DIRECTORY)
    assert content.exercises
    for found in content.exercises:
        exercise = Exercise(slug=found.slug, **found.values)
        cases = checks.build_cases(exercise.check_suite, params=exercise.check_params or {}, seed=11)
        calls = [case.call for case in cases]
        for label, code in [("reference", exercise.reference_solution)] + [(m.mistake_id, m.code) for m in found.mistakes]:
            out = run_submission(code, calls, list(exercise.required_functions), limits_for(exercise),
                                 config=sandbox.config)
            assert out.status == "ok", (found.slug, label, out.status, out.detail)
            verdicts = [checks.judge(case, out.calls[case.call.name]) for case in cases]
            if label == "reference":
                assert all(verdict.passed for verdict in verdicts), (found.slug, label)
            else:
                assert not all(verdict.passed for verdict in verdicts), (found.slug, label)
    sandbox.assert_honest_submission_works()

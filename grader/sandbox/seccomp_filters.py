"""The two seccomp filters of the sandbox, compiled to BPF on the trusted side.

* The *outer* filter is handed to bubblewrap (`--seccomp FD`) and holds for
  everything inside the sandbox, the warm zygote included. It takes away the
  kernel's big attack surfaces (mounts, namespaces, keyrings, BPF, io_uring,
  ptrace...) that neither Python nor numpy ever needs.
* The *child* filter is stacked on top of it by each per-submission child just
  before student code runs. It also takes away what the zygote itself needs
  but a submission must not have: creating processes or threads (this is the
  process limit that holds even though the outer uid is root, where
  RLIMIT_NPROC is not enforced), signalling anyone, sockets, and every way of
  reaching another process (pidfds, prlimit/priority on other pids, SIGIO
  redirection via F_SETOWN).

Both are deny lists on top of a default ALLOW, so that ordinary student code
(files in /tmp, time.sleep, numpy) keeps working; the namespaces, the bind
mounts and the dropped capabilities are the other layers. Denied calls fail
with EPERM rather than killing the process, so the student sees a Python
exception they can read. Syscalls of another architecture (i386 via int 0x80,
x32) kill the process: a number-based rule cannot describe them.
"""

from __future__ import annotations

import errno
import tempfile

# Namespace flags of clone(2); checked one by one because libseccomp cannot
# express "flags & MASK != 0" in a single rule.
_CLONE_NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)

# Nothing inside the sandbox may do these, the zygote included.
_DENIED_EVERYWHERE = (
    # debugging and reading/writing other processes
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    "process_madvise", "move_pages", "migrate_pages",
    # file systems and namespaces
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "unshare", "setns", "open_by_handle_at", "name_to_handle_at",
    # network: there is no network namespace worth talking to, and no socket
    # is needed by the zygote or by numpy
    "socket", "socketpair",
    # kernel attack surface no Python program here needs
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
    "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "acct", "swapon", "swapoff", "reboot", "syslog",
    "quotactl", "quotactl_fd", "lookup_dcookie", "iopl", "ioperm",
    "modify_ldt", "uselib", "vhangup", "fanotify_init", "nfsservctl",
    "sethostname", "setdomainname", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "ustat", "sysfs", "vmsplice",
    # System V IPC and POSIX message queues outlive the process that made
    # them: one submission could leave data there for the next
    "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop",
    "semctl", "msgget", "msgsnd", "msgrcv", "msgctl",
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
    "mq_getsetattr",
)

# What the zygote needs (fork, wait, kill its child, pidfd_open) but a
# submission must not do.
_DENIED_TO_SUBMISSIONS = (
    "fork", "vfork", "clone", "clone3", "execve", "execveat",
    "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "pidfd_open", "pidfd_send_signal",
    "setsid", "setpgid", "prctl", "seccomp",
    "setpriority", "ioprio_set", "sched_setaffinity", "sched_setscheduler",
    "sched_setparam", "sched_setattr",
    "connect", "bind", "listen", "accept", "accept4",
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
    "setgroups", "setfsuid", "setfsgid", "capset",
)

_F_SETOWN, _F_SETSIG, _F_SETOWN_EX = 8, 10, 15
_FIOSETOWN, _SIOCSPGRP, _TIOCSPGRP, _TIOCSTI, _TIOCLINUX = 0x8901, 0x8902, 0x5410, 0x5412, 0x541C
_PERSONALITY_QUERY = 0xFFFFFFFF
_LOW32 = 0xFFFFFFFF


def _seccomp():
    # Imported lazily: the sandbox package stays importable (and unsafe mode
    # usable) on a machine without libseccomp.
    import pyseccomp

    return pyseccomp


def _new_filter(sc):
    flt = sc.SyscallFilter(sc.ALLOW)
    flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    return flt


def _deny(sc, flt, name: str, *args, err: int = errno.EPERM) -> None:
    try:
        syscall = sc.resolve_syscall(sc.Arch.NATIVE, name)
    except Exception:  # noqa: BLE001 - unknown to this libseccomp version
        return
    if syscall < 0:
        # Not a syscall on this architecture (libseccomp's pseudo numbers).
        return
    flt.add_rule(sc.ERRNO(err), syscall, *args)


def _add_common(sc, flt) -> None:
    for name in _DENIED_EVERYWHERE:
        _deny(sc, flt, name)
    # personality(0xffffffff) only queries; anything else changes the ABI.
    # NE on the full 64 bits is the conservative side: junk in the high half
    # is refused too.
    _deny(sc, flt, "personality", sc.Arg(0, sc.NE, _PERSONALITY_QUERY))
    # The kernel reads ioctl/fcntl commands as 32-bit ints: compare the low 32
    # bits only, or a command with junk in the high half would slip past.
    # Pushing bytes into a terminal's input queue: there is no terminal
    # (--new-session), and none is ever wanted.
    for cmd in (_TIOCSTI, _TIOCLINUX):
        _deny(sc, flt, "ioctl", sc.Arg(1, sc.MASKED_EQ, _LOW32, cmd))


def compile_outer_filter() -> bytes:
    """BPF for bubblewrap's --seccomp: applies to the zygote and its children."""
    sc = _seccomp()
    flt = _new_filter(sc)
    _add_common(sc, flt)
    for flag in _CLONE_NAMESPACE_FLAGS:
        _deny(sc, flt, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory, out of a filter's reach: answer
    # ENOSYS so that libc falls back to clone(), whose flags are checked above.
    _deny(sc, flt, "clone3", err=errno.ENOSYS)
    return _export(flt)


def compile_child_filter() -> bytes:
    """BPF stacked by each submission's child before student code runs."""
    sc = _seccomp()
    flt = _new_filter(sc)
    _add_common(sc, flt)
    for name in _DENIED_TO_SUBMISSIONS:
        _deny(sc, flt, name)
    # rlimits of another process (the zygote's!) must not be touched; the
    # submission may still lower its own (pid 0).
    _deny(sc, flt, "prlimit64", sc.Arg(0, sc.NE, 0))
    # F_SETOWN & co. would make the kernel send SIGIO to a process of the
    # submission's choosing: a kill(2) that no kill rule sees.
    for cmd in (_F_SETOWN, _F_SETSIG, _F_SETOWN_EX):
        _deny(sc, flt, "fcntl", sc.Arg(1, sc.MASKED_EQ, _LOW32, cmd))
    for cmd in (_FIOSETOWN, _SIOCSPGRP, _TIOCSPGRP):
        _deny(sc, flt, "ioctl", sc.Arg(1, sc.MASKED_EQ, _LOW32, cmd))
    return _export(flt)


def _export(flt) -> bytes:
    with tempfile.TemporaryFile() as handle:
        flt.export_bpf(handle)
        handle.seek(0)
        program = handle.read()
    if not program or len(program) % 8:
        raise RuntimeError("libseccomp exported an empty or malformed BPF program")
    return program

"""The two seccomp filters of the sandbox, compiled to BPF on the trusted side.

* The *outer* filter is handed to bubblewrap (`--seccomp FD`) and holds for
  everything inside the sandbox, the warm zygote included. It is a deny list
  on top of a default ALLOW: it takes away the kernel's big attack surfaces
  (keyrings, BPF, io_uring, ptrace, new file-system mounts...) that neither
  the zygote nor numpy needs. The zygote keeps a few mount operations: a
  mount namespace of its own (unshare(CLONE_NEWNS) and no other flag) where
  it makes the host devices bound inside read-only, and a fresh tmpfs on /tmp
  for each child (mount, umount2).
* The *child* filter is stacked on top of it by each per-submission child just
  before student code runs, and it is an ALLOW LIST: the calls in
  CHILD_ALLOWED and CHILD_ALLOWED_IF, each with the reason it is there, and
  nothing else. What the kernel adds next year (as listmount and statmount
  were added) is refused until someone writes down why a submission needs
  it. The list came from tracing every shipped exercise's reference and
  known-wrong solutions and ordinary student code (bench/trace_child_syscalls.py);
  tests/sandbox/test_sandbox_filter.py freezes it.

How a refusal looks: never a kill (an honest edge case, say a library that
probes for a newer call, must stay a Python exception the student can read,
not a crash). Calls outside the list fail with ENOSYS, which is what the
kernel answers for a call it does not have: libc and Python are written to
fall back to an older call or to report it cleanly. The calls we refuse on
purpose (processes, signals, sockets, namespaces, memory the limit does not
count...) fail with EPERM, "not allowed", which is the truth. Syscalls of
another architecture (i386 via int 0x80, x32) kill the process: a
number-based rule cannot describe them.
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
    "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "setns", "open_by_handle_at", "name_to_handle_at",
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

# Allowed to the zygote (see the module docstring), never to a submission.
_ZYGOTE_ONLY = ("mount", "umount2", "unshare")
_CLONE_NEWNS = 0x00020000

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
    # Memory that RLIMIT_AS does not count (THREATS 11), and extended
    # attributes, which are such memory too and metadata that would outlive
    # the file they are on.
    "memfd_create", "memfd_secret",
    "setxattr", "lsetxattr", "fsetxattr", "setxattrat",
    "getxattr", "lgetxattr", "fgetxattr", "getxattrat",
    "listxattr", "llistxattr", "flistxattr", "listxattrat",
    "removexattr", "lremovexattr", "fremovexattr", "removexattrat",
    # What lists the host's mounts and the machine's memory.
    "listmount", "statmount", "sysinfo",
    *_ZYGOTE_ONLY,
)

# The child's allow list: name -> why a submission needs it. A name this
# libseccomp or this architecture does not know is skipped.
CHILD_ALLOWED = {
    # memory: Python's allocator and numpy's arrays (bounded by RLIMIT_AS)
    "brk": "malloc's heap",
    "mmap": "malloc's large blocks, numpy arrays, loading nothing new (no exec)",
    "munmap": "freeing what mmap gave",
    "mremap": "growing a large array or list in place",
    "mprotect": "malloc and ctypes set page protections",
    "madvise": "numpy asks for huge pages and frees memory with MADV_DONTNEED",
    # files: only the sandbox's own view (read-only binds and a fresh /tmp)
    "read": "reading files and the hidden inputs' pipe",
    "write": "results, output and files in /tmp",
    "readv": "buffered reads", "writev": "buffered writes",
    "pread64": "numpy.load and file reads at an offset",
    "pwrite64": "file writes at an offset",
    "preadv": "file reads at an offset", "pwritev": "file writes at an offset",
    "preadv2": "file reads at an offset", "pwritev2": "file writes at an offset",
    "lseek": "seek and tell on files (every open() asks)",
    "open": "open() (older ABI)", "openat": "open()",
    "close": "close()", "close_range": "os.closerange",
    "dup": "os.dup", "dup2": "os.dup2", "dup3": "os.dup2 with flags",
    "fstat": "os.fstat and every open()", "stat": "os.stat (older ABI)", "lstat": "os.lstat (older ABI)",
    "newfstatat": "os.stat", "statx": "os.stat on newer libc",
    "statfs": "shutil.disk_usage", "fstatfs": "os.fstatvfs",
    "access": "os.access (older ABI)", "faccessat": "os.access", "faccessat2": "os.access with flags",
    "getdents64": "os.listdir and os.scandir", "getcwd": "os.getcwd",
    "chdir": "os.chdir", "fchdir": "os.chdir on a directory fd",
    "mkdir": "os.mkdir (older ABI)", "mkdirat": "os.mkdir",
    "rmdir": "os.rmdir", "unlink": "os.remove (older ABI)", "unlinkat": "os.remove",
    "rename": "os.rename (older ABI)", "renameat": "os.rename", "renameat2": "os.rename with flags",
    "readlink": "os.readlink (older ABI)", "readlinkat": "os.readlink",
    "symlink": "os.symlink (older ABI)", "symlinkat": "os.symlink",
    "link": "os.link (older ABI)", "linkat": "os.link",
    "mknod": "os.mkfifo (older ABI); devices need a capability the child lacks",
    "mknodat": "os.mkfifo; devices need a capability the child lacks",
    "chmod": "shutil.copy and tempfile: only the child's own tmpfs is writable",
    "fchmod": "shutil.copy and tempfile", "fchmodat": "os.chmod",
    "utimensat": "shutil.copy2 and os.utime in the child's own tmpfs",
    "utime": "os.utime (older ABI)", "utimes": "os.utime (older ABI)", "futimesat": "os.utime (older ABI)",
    "truncate": "os.truncate", "ftruncate": "file.truncate()",
    "fsync": "os.fsync", "fdatasync": "os.fdatasync",
    "fallocate": "os.posix_fallocate (bounded by the tmpfs size)",
    "fadvise64": "os.posix_fadvise",
    "flock": "fcntl.flock on the child's own files",
    "umask": "os.umask",
    "sendfile": "shutil.copyfile", "copy_file_range": "shutil.copyfile",
    "pipe": "os.pipe (older ABI); 64 KiB each, bounded by RLIMIT_NOFILE",
    "pipe2": "os.pipe; 64 KiB each, bounded by RLIMIT_NOFILE",
    "poll": "select.poll", "ppoll": "select.poll with a timeout",
    "select": "select.select", "pselect6": "select.select",
    "epoll_create1": "selectors", "epoll_ctl": "selectors",
    "epoll_wait": "selectors", "epoll_pwait": "selectors",
    # time
    "clock_gettime": "time.time and time.perf_counter (usually the vDSO)",
    "clock_getres": "time.get_clock_info", "gettimeofday": "time.time (older libc)", "time": "time.time (older libc)",
    "nanosleep": "time.sleep (older libc)", "clock_nanosleep": "time.sleep",
    "times": "os.times", "getrusage": "resource.getrusage of itself",
    # identity and limits of itself
    "getpid": "os.getpid", "getppid": "os.getppid", "gettid": "threading.get_native_id",
    "getuid": "os.getuid", "geteuid": "os.geteuid", "getgid": "os.getgid", "getegid": "os.getegid",
    "getresuid": "os.getresuid", "getresgid": "os.getresgid", "getgroups": "os.getgroups",
    "getpgrp": "os.getpgrp", "getpgid": "os.getpgid", "getsid": "os.getsid",
    "getpriority": "os.getpriority", "sched_getaffinity": "os.cpu_count and numpy's thread count",
    "sched_yield": "spin-waits in libraries", "getcpu": "sched_getcpu",
    "uname": "platform.uname (hostname 'sandbox')",
    "getrlimit": "resource.getrlimit",
    "capget": "reading its own capabilities (there are none)",
    "setrlimit": "resource.setrlimit of itself (raising a hard limit needs a capability it lacks)",
    "getrandom": "os.urandom, random and numpy.random seeding",
    # signals to itself, and the runtime's own bookkeeping
    "rt_sigaction": "signal.signal", "rt_sigprocmask": "signal.pthread_sigmask",
    "rt_sigreturn": "returning from a signal handler", "rt_sigpending": "signal.sigpending",
    "rt_sigsuspend": "signal.pause", "rt_sigtimedwait": "signal.sigtimedwait",
    "sigaltstack": "faulthandler", "alarm": "signal.alarm on itself",
    "setitimer": "signal.setitimer on itself", "getitimer": "signal.getitimer", "pause": "signal.pause",
    "futex": "locks inside the runtime and BLAS", "set_robust_list": "libc's lock bookkeeping",
    "get_robust_list": "libc's lock bookkeeping", "rseq": "libc's restartable sequences",
    "set_tid_address": "libc's thread bookkeeping", "restart_syscall": "a call interrupted by a signal",
    "exit": "ending", "exit_group": "ending",
}

_F_DUPFD, _F_GETFD, _F_SETFD, _F_GETFL, _F_SETFL = 0, 1, 2, 3, 4
_F_GETLK, _F_SETLK, _F_SETLKW = 5, 6, 7
_F_OFD_GETLK, _F_OFD_SETLK, _F_OFD_SETLKW = 36, 37, 38
_F_DUPFD_CLOEXEC, _F_GETPIPE_SZ = 1030, 1032
_TCGETS, _TIOCGWINSZ, _FIONREAD, _FIONBIO, _FIONCLEX, _FIOCLEX = 0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451

# Allowed with one argument in a set: name -> (why, argument index, values).
CHILD_ALLOWED_IF = {
    "fcntl": (
        "fds' flags and locks; not F_SETOWN/F_SETSIG (a signal to another process), "
        "not F_SETPIPE_SZ (pipe memory RLIMIT_AS does not count), not leases or notifications",
        1,
        (_F_DUPFD, _F_GETFD, _F_SETFD, _F_GETFL, _F_SETFL, _F_GETLK, _F_SETLK, _F_SETLKW,
         _F_OFD_GETLK, _F_OFD_SETLK, _F_OFD_SETLKW, _F_DUPFD_CLOEXEC, _F_GETPIPE_SZ),
    ),
    "ioctl": (
        "isatty and terminal size (on pipes: ENOTTY), non-blocking and close-on-exec fds, bytes waiting",
        1,
        (_TCGETS, _TIOCGWINSZ, _FIONREAD, _FIONBIO, _FIONCLEX, _FIOCLEX),
    ),
    "prlimit64": ("resource.setrlimit / getrlimit of itself (pid 0), never of the zygote", 0, (0,)),
}


_F_SETOWN, _F_SETSIG, _F_SETOWN_EX = 8, 10, 15
_F_SETLEASE, _F_NOTIFY, _F_SETPIPE_SZ = 1024, 1026, 1031
_FIOSETOWN, _SIOCSPGRP, _TIOCSPGRP, _TIOCSTI, _TIOCLINUX = 0x8901, 0x8902, 0x5410, 0x5412, 0x541C
_PERSONALITY_QUERY = 0xFFFFFFFF
_LOW32 = 0xFFFFFFFF


def _seccomp():
    # Imported lazily: the sandbox package stays importable (and unsafe mode
    # usable) on a machine without libseccomp.
    import pyseccomp

    return pyseccomp


# libseccomp's "binary tree" layout (SCMP_FLTATR_CTL_OPTIMIZE = 2, libseccomp
# >= 2.5): the syscall number is found by bisection instead of a compare per
# rule. The child's allow list is some 300 instructions scanned on every
# syscall the submission makes; the tree makes that a handful. Same rules,
# same verdicts: only the order of the comparisons changes.
_OPTIMIZE_BINARY_TREE = 2


def _optimize(sc, flt) -> None:
    try:
        flt.set_attr(sc.Attr.CTL_OPTIMIZE, _OPTIMIZE_BINARY_TREE)
    except (AttributeError, OSError, ValueError, RuntimeError):
        # An older libseccomp: the linear filter is just as strict, only slower.
        pass


def _new_filter(sc):
    flt = sc.SyscallFilter(sc.ALLOW)
    flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    _optimize(sc, flt)
    return flt


def syscall_number(name: str) -> int | None:
    """The native number of `name`, or None where this libseccomp or architecture has no such call."""
    sc = _seccomp()
    try:
        syscall = sc.resolve_syscall(sc.Arch.NATIVE, name)
    except Exception:  # noqa: BLE001 - unknown to this libseccomp version
        return None
    # Negative: libseccomp's pseudo numbers, not a syscall on this architecture.
    return syscall if syscall >= 0 else None


def _add(sc, flt, action, name: str, *args) -> None:
    syscall = syscall_number(name)
    if syscall is not None:
        flt.add_rule(action, syscall, *args)


def _deny(sc, flt, name: str, *args, err: int = errno.EPERM) -> None:
    _add(sc, flt, sc.ERRNO(err), name, *args)


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
    # The zygote makes itself a private mount namespace, and nothing else.
    _deny(sc, flt, "unshare", sc.Arg(0, sc.NE, _CLONE_NEWNS))
    return _export(flt)


def compile_child_filter() -> bytes:
    """BPF stacked by each submission's child before student code runs: the allow list."""
    sc = _seccomp()
    flt = sc.SyscallFilter(sc.ERRNO(errno.ENOSYS))
    flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    _optimize(sc, flt)
    for name in CHILD_ALLOWED:
        _add(sc, flt, sc.ALLOW, name)
    for name, (_why, index, values) in CHILD_ALLOWED_IF.items():
        for value in values:
            # Commands and pids are 32-bit ints to the kernel: compare the low
            # 32 bits, as the kernel reads them.
            _add(sc, flt, sc.ALLOW, name, sc.Arg(index, sc.MASKED_EQ, _LOW32, value))
    for name in (*_DENIED_EVERYWHERE, *_DENIED_TO_SUBMISSIONS):
        _deny(sc, flt, name)
    # The same refusals as before the allow list, with the errno that says
    # "not allowed": rlimits of another process (the zygote's), SIGIO sent to
    # another process, pipe buffers grown past what the memory limit counts.
    _deny(sc, flt, "prlimit64", sc.Arg(0, sc.NE, 0))
    for cmd in (_F_SETOWN, _F_SETSIG, _F_SETOWN_EX, _F_SETPIPE_SZ, _F_SETLEASE, _F_NOTIFY):
        _deny(sc, flt, "fcntl", sc.Arg(1, sc.MASKED_EQ, _LOW32, cmd))
    for cmd in (_FIOSETOWN, _SIOCSPGRP, _TIOCSPGRP, _TIOCSTI, _TIOCLINUX):
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

"""The supervisor (the zygote): a warm interpreter that forks one child per submission.

Runs INSIDE the sandbox, as the `python3.11 -S -s -B -P -c <program>` that
grader.sandbox.inside.program_source assembles: it may use the standard library
and numpy only, and no project file is there to import. The trusted side never
imports it.

Life of the zygote
------------------
1. Read an init frame (JSON: where numpy is, where /tmp is, size caps) and the
   child seccomp filter (raw BPF compiled outside), import numpy and friends
   once, freeze the heap (gc.freeze, so children do not copy it), check that
   the filter really denies fork in a probe child, and say "ready".
2. For each request: read the header and the *visible* payload (code, required
   functions, visible calls), hand them to the child, and only then read the
   *hidden* payload, so the child's copy of memory never holds hidden inputs.
   The child was forked ahead of the request (the spare, below).
3. Watch the child: relay its result frames to the worker (gathered into
   few chunks: when the buffer fills, and at the end), count
   its output, enforce the wall clock, and hand it the hidden payload only
   after it has *sealed* the visible phase (see below). Reap it (wait4 gives
   CPU time, peak memory and the signal), answer.

Nothing a child does survives it
--------------------------------
Under bubblewrap each child finds a fresh tmpfs on /tmp: after each child
the zygote unmounts the one it used and mounts a new one (it keeps
CAP_SYS_ADMIN in the sandbox's user namespace for this alone; each child
drops it before any student code). Whatever the child left there (files, the
mode and times of /tmp itself, inode numbers, used space) is gone with the
mount. The swap is done after the answer is sent, while the worker judges
the results: unmounting waits for an RCU grace period (a few ms), which a
mount namespace per child would put on every run's path instead. If it
fails, the zygote exits and the worker starts a new sandbox. The host devices
bound inside are made read-only by the zygote at start, in a mount namespace
of its own: their mode, owner and times are the host's. (Unsafe mode has no namespaces: the zygote empties
a shared directory after each child instead, and the pool replaces it when
that fails.)

Why a seal rather than "switch stdout before hidden calls"
-----------------------------------------------------------
Student code runs at import, before any hidden call, and can keep a copy of
any fd it likes (os.dup(1)) or rewrite a file it has already written. So the
zygote does not trust the child to stop talking: it copies the visible output
into its own memory, marks the position in the result stream (TAG_SEAL), and
only then sends the hidden inputs. Everything the child says after that point
is hidden-phase, whatever fd it uses; the trusted side shows none of its text.
A submission that seals early only hides its own feedback.

Why each child is forked before its request (the spare)
--------------------------------------------------------
Moving a process into the memory cgroup takes the kernel's cgroup-wide
threadgroup lock for writing, which waits for an RCU grace period: about
10 ms whenever the machine was idle a moment before (less only when moves
come back to back). That wait is not the submission's: so the zygote forks
the next child as soon as it has answered (and once at start), the child
moves itself into the cgroup and drops its capabilities then, and waits on
a pipe of its own for the header and the visible payload. The rest of its
confinement (descriptors, rlimits, the seccomp filter) still comes after it
has them and before any student code. It is forked after the previous child
has been reaped and /tmp swapped, from the zygote at rest: it holds what a
child forked at request time would, minus that request.

Why the zygote never parses a payload
-------------------------------------
Every child is a copy of the zygote's memory. If the zygote had parsed an
earlier submission (its code, its outputs, an exercise's hidden inputs), that
data could linger in freed heap where a later child could scan for it. So
payloads and relayed bytes only ever pass through a few preallocated
bytearrays that are zeroed after each request; the zygote builds Python
objects only from the small, non-secret headers.
"""

import ctypes
import fcntl
import gc
import json
import math
import os
import resource
import select
import signal
import sys
import time

# Outside the sandbox this file is a module of its own; inside, the assembled
# program already holds these names (grader.sandbox.inside.program_source).
from .harness import Harness, warm_up_harness
from .wire import (
    CHUNK,
    EXIT_INTERNAL,
    EXIT_MEMORY,
    FD_HIDDEN,
    FD_RESULT,
    FD_SEAL,
    TAG_END,
    TAG_OUTPUT,
    TAG_RESULT,
    TAG_SEAL,
    FRAME,
    read_frame,
    read_into,
)

# Result bytes are gathered in a buffer of this size and sent to the worker
# when it is full and when the child is gone (with the seal marker in its
# place, the output and the end): one wake-up of the worker for a run of
# small frames instead of one per frame. A timeout still keeps them all.
RELAY_BUFFER = 64 * 1024

WIPE_MAX_ENTRIES = 20_000
WIPE_MAX_SECONDS = 2.0

PR_SET_DUMPABLE = 4
PR_SET_NAME = 15
# A child's name (its comm) says which it is, for the operator's ps and the
# tests: forked ahead and waiting, or running a submission.
NAME_SPARE = b"sandbox-spare"
NAME_RUNNING = b"sandbox-run"
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
CLONE_NEWNS = 0x00020000
MNT_DETACH = 2
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
# statvfs f_flag bits kept on a remount (the kernel refuses to clear the ones
# bubblewrap set): most have the mount flag's value, relatime does not.
ST_SAME_AS_MS = 1 | 2 | 4 | 8 | 1024 | 2048  # rdonly nosuid nodev noexec noatime nodiratime
ST_RELATIME, MS_RELATIME = 4096, 1 << 21
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2
SYS_CLOSE_RANGE = 436  # same number on x86_64 and aarch64

# Modules a submission is likely to import, loaded once here instead of in
# every child. numpy 2 loads numpy.random lazily (~25 ms): load it now.
PRELOAD = (
    "numpy", "numpy.random", "numpy.linalg", "numpy.fft", "numpy.lib.format",
    "cmath", "collections", "itertools", "functools", "operator", "copy", "heapq",
    "bisect", "random", "string", "re", "dataclasses", "typing", "enum", "statistics",
    "fractions", "decimal", "textwrap", "unicodedata",
)


def _zero(buf):
    if len(buf):
        ctypes.memset((ctypes.c_char * len(buf)).from_buffer(buf), 0, len(buf))


# --------------------------------------------------------------------------
# The zygote


class Zygote:
    def __init__(self, proto_in, proto_out, init, bpf):
        self.proto_in = proto_in
        self.proto_out = proto_out
        self.tmp_root = init["tmp"]
        # bwrap mode: a fresh tmpfs per child (see the module docstring).
        self.fresh_tmp = bool(init.get("fresh_tmp"))
        self.tmp_mounted = False
        # Where the worker has a memory cgroup for the children: its
        # cgroup.procs, which each child writes "0" to (moves itself in).
        cgroup_fd = int(init.get("cgroup_fd", -1))
        self.cgroup_fd = fcntl.fcntl(cgroup_fd, fcntl.F_DUPFD_CLOEXEC, 64) if cgroup_fd >= 0 else None
        if cgroup_fd >= 0:
            os.close(cgroup_fd)
        self.tmp_options = ("size=%d,nr_inodes=%d,mode=0755" % (
            int(init.get("tmp_size", 0)), int(init.get("tmp_inodes", 0)))).encode()
        self.max_result_bytes = int(init["max_result_bytes"])
        self.visible_keep = int(init["visible_output_bytes"])
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.syscall.restype = ctypes.c_long
        self.libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
        # capset(2) arguments that take every capability away (version 3:
        # two 32-bit halves), built once so the child allocates nothing.
        self.cap_header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
        self.cap_data = (ctypes.c_uint32 * 6)()
        # The child loads the filter with one prctl; everything it needs is
        # built here, once, so the child allocates nothing for it.
        self.bpf = ctypes.create_string_buffer(bpf, len(bpf)) if bpf else None
        self.fprog = None
        if bpf:
            class SockFprog(ctypes.Structure):
                _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

            self.fprog = SockFprog(len(bpf) // 8, ctypes.addressof(self.bpf))
        # Scratch memory reused by every request, zeroed after each one.
        self.relay = bytearray(RELAY_BUFFER)
        self.scratch = bytearray(RELAY_BUFFER)
        self.visible = bytearray(self.visible_keep)
        # The next request's child, forked ahead (see "the spare" above):
        # (pid, go_w, result_r, seal_r, hid_w, out_r), or None.
        self.spare = None

    # -- start-up -----------------------------------------------------------

    def self_test(self):
        """A probe child loads the filter and must be refused fork()."""
        if self.fprog is None:
            return "no child filter"
        if self.cgroup_fd is not None and not self._probe_cgroup():
            os.close(self.cgroup_fd)
            self.cgroup_fd = None
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = 2
                workdir = self.child_tmp()
                if os.listdir(self.tmp_root) != ["run"] or os.listdir(workdir):
                    raise RuntimeError
                if not self.fresh_tmp:
                    os.rmdir(workdir)
                code = 1
                self.load_child_filter()
                try:
                    os.fork()
                except PermissionError:
                    code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 2:
            raise RuntimeError("a child cannot enter its /tmp or drop its capabilities")
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            raise RuntimeError("the child seccomp filter does not deny fork()")
        return "child filter denies fork()" + (", fresh /tmp per child" if self.fresh_tmp else "")

    def own_mount_namespace(self, read_only):
        """A mount namespace of the zygote's own, where the host files bound
        inside (devices) are read-only binds: no chmod, chown or utime of the
        host's inode, whatever uid the worker runs as. bubblewrap's namespace
        belongs to its outer user namespace, where we hold no capability."""
        libc = self.libc
        if libc.unshare(CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
        # Nothing mounted here (or in a child's copy) propagates anywhere.
        if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            raise OSError(ctypes.get_errno(), "mount --make-rprivate /")
        for path in read_only:
            current = os.statvfs(path).f_flag
            flags = (current & ST_SAME_AS_MS) | (MS_RELATIME if current & ST_RELATIME else 0)
            if self.libc.mount(None, path.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, None) != 0:
                raise OSError(ctypes.get_errno(), f"cannot make {path} read-only")

    def new_tmp(self):
        """A fresh tmpfs on /tmp (the previous child's, if any, unmounted), with an empty run/."""
        libc = self.libc
        root = self.tmp_root.encode()
        if self.tmp_mounted:
            # Detached: nothing of it is reachable any more, even if busy.
            if libc.umount2(root, MNT_DETACH) != 0:
                raise OSError(ctypes.get_errno(), "umount /tmp")
            self.tmp_mounted = False
        if libc.mount(b"tmpfs", root, b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, self.tmp_options) != 0:
            raise OSError(ctypes.get_errno(), "mount tmpfs on /tmp")
        self.tmp_mounted = True
        os.mkdir(os.path.join(self.tmp_root, "run"), 0o700)

    def child_tmp(self):
        """In the child: into the memory cgroup, its working dir, then no capabilities."""
        libc = self.libc
        if self.cgroup_fd is not None:
            os.write(self.cgroup_fd, b"0")
        workdir = os.path.join(self.tmp_root, "run")
        if not self.fresh_tmp:
            os.mkdir(workdir, 0o700)
        if self.fresh_tmp:
            # CAP_SYS_ADMIN was for the mount above only.
            if libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAP_AMBIENT_CLEAR_ALL)")
            if libc.capset(self.cap_header, self.cap_data) != 0:
                raise OSError(ctypes.get_errno(), "capset")
        return workdir

    def _probe_cgroup(self):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.write(self.cgroup_fd, b"0")
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0

    def load_child_filter(self):
        if self.fprog is None:
            return
        if self.libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if self.libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(self.fprog), 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")

    # -- one request --------------------------------------------------------

    def serve_forever(self):
        while True:
            if self.spare is None:
                # Here, between requests, where nothing of the last one is left in
                # this frame: the spare is a copy of the zygote at rest.
                self.spare_fork()
            try:
                header = json.loads(read_frame(self.proto_in))
            except EOFError:
                return  # the worker closed the pipe: shut down
            self.handle(header)

    def spare_fork(self):
        """Fork the next request's child now, while no submission waits for it."""
        go_r, go_w = os.pipe()
        result_r, result_w = os.pipe()
        seal_r, seal_w = os.pipe()
        hid_r, hid_w = os.pipe()
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _spare_main(self, go_r, (result_w, seal_w, hid_r, out_w), (go_w, result_r, seal_r, hid_w, out_r))
            os._exit(EXIT_INTERNAL)  # not reached
        for fd in (go_r, result_w, seal_w, hid_r, out_w):
            os.close(fd)
        self.spare = (pid, go_w, result_r, seal_r, hid_w, out_r)

    def _spare_discard(self):
        pid, go_w, result_r, seal_r, hid_w, out_r = self.spare
        self.spare = None
        for fd in (go_w, result_r, seal_r, hid_w, out_r):
            os.close(fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)

    def spare_start(self, header, vis):
        """Give the spare its request; returns its pid and the zygote's ends of its pipes.

        A spare that died while waiting (nothing of a submission ran in it) is
        replaced once, on this request's time.
        """
        request = json.dumps(header).encode()
        for attempt in (1, 2):
            if self.spare is None:
                self.spare_fork()
            pid, go_w, result_r, seal_r, hid_w, out_r = self.spare
            try:
                _write_all(go_w, (FRAME.pack(len(request)), request, vis))
            except OSError:
                if attempt == 2:
                    raise
                self._spare_discard()
                continue
            os.close(go_w)
            self.spare = None
            return pid, result_r, seal_r, hid_w, out_r

    def handle(self, header):
        vis = bytearray(int(header["vis"]))
        read_into(self.proto_in, vis)
        started = time.monotonic()
        pid, result_r, seal_r, hid_w, out_r = self.spare_start(header, vis)
        _zero(vis)
        del vis
        watch = _Watch(self, pid, started, header, result_r, seal_r, hid_w, out_r)
        try:
            # Read only now: the child was forked without the hidden inputs.
            hid = bytearray(int(header["hid"]))
            read_into(self.proto_in, hid)
            watch.hidden = hid
            watch.run()
        except BaseException:
            watch.kill("zygote")
            raise
        status = watch.finish()
        # A shared /tmp (unsafe mode) is emptied now; a tmpfs is replaced below.
        wipe_problem = None if self.fresh_tmp else _wipe(self.tmp_root)
        status["retire"] = wipe_problem is not None
        status["note"] = wipe_problem or ""
        # What is left of the results (usually all of them, with the seal),
        # the visible output and the end, in one write.
        self.send(
            *watch.result_chunks(),
            (TAG_OUTPUT, memoryview(self.visible)[:watch.visible_len]),
            (TAG_END, json.dumps(status).encode()),
        )
        _zero(self.relay)
        _zero(self.scratch)
        _zero(self.visible)
        if self.fresh_tmp:
            try:
                self.new_tmp()
            except OSError:
                # The next child must not find this one's /tmp: give up this
                # sandbox; the worker starts a new one and runs the next
                # submission there.
                os._exit(EXIT_INTERNAL)

    def send(self, *chunks):
        """(tag, body) chunks in one writev: no joined copy of relayed bytes,
        and one wake-up of the worker."""
        parts = []
        for tag, body in chunks:
            parts.append(memoryview(CHUNK.pack(tag, len(body))))
            parts.append(memoryview(body).cast("B"))
        while parts:
            n = os.writev(self.proto_out, parts)
            while parts and n >= len(parts[0]):
                n -= len(parts[0])
                parts.pop(0)
            if parts:
                parts[0] = parts[0][n:]


class _Watch:
    """The zygote's side of one child: relay, count, seal, time, reap."""

    def __init__(self, zygote, pid, started, header, result_r, seal_r, hid_w, out_r):
        self.z = zygote
        self.pid = pid
        self.started = started
        self.deadline = started + float(header["wall"])
        self.output_cap = int(header["out"])
        self.result_r = result_r
        self.seal_r = seal_r
        self.hid_w = hid_w
        self.out_r = out_r
        self.hidden = bytearray()
        self.hidden_sent = 0
        self.pidfd = os.pidfd_open(pid)
        self.killed = None
        self.sealed = False
        self.relayed = 0
        self.pending = 0  # result bytes in zygote.relay not yet sent
        self.seal_at = None  # where in them the seal falls, until it is sent
        self.output_total = 0
        self.visible_len = 0
        self.poller = select.poll()
        for fd in (result_r, seal_r, out_r):
            os.set_blocking(fd, False)
            self.poller.register(fd, select.POLLIN)
        os.set_blocking(hid_w, False)
        self.poller.register(self.pidfd, select.POLLIN)
        # Events 0: only POLLHUP/POLLERR, i.e. the worker went away.
        self.poller.register(zygote.proto_in, 0)

    def kill(self, reason):
        if self.killed is None:
            self.killed = reason
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def run(self):
        while True:
            now = time.monotonic()
            if self.killed is None and now >= self.deadline:
                self.kill("wall")
            wait_ms = 1000 if self.killed else max(1, math.ceil((self.deadline - now) * 1000))
            exited = False
            for fd, events in self.poller.poll(wait_ms):
                if fd == self.pidfd:
                    exited = True
                elif fd == self.result_r:
                    self._pump_results()
                elif fd == self.out_r:
                    self._pump_output()
                elif fd == self.seal_r:
                    self._on_seal()
                elif fd == self.hid_w:
                    self._feed_hidden()
                elif fd == self.z.proto_in:
                    # Nobody is waiting for this answer any more.
                    self.kill("worker gone")
                    os.waitpid(self.pid, 0)
                    os._exit(0)
            if exited:
                break
        # The child is gone, and with it every writer of these pipes: read to EOF.
        # (The results still in the buffer go out with the end: result_chunks.)
        self._pump_results()
        self._pump_output()
        self._on_seal()

    def _pump_results(self):
        view = memoryview(self.z.relay)
        while self.result_r is not None:
            if self.pending == len(view):
                self.z.send(*self.result_chunks())
            try:
                n = os.readv(self.result_r, [view[self.pending:]])
            except BlockingIOError:
                return
            if n == 0:
                self.poller.unregister(self.result_r)
                os.close(self.result_r)
                self.result_r = None
                return
            if self.relayed + n > self.z.max_result_bytes:
                self.kill("results")
                continue  # keep reading (and dropping: overwritten) so the child never blocks
            self.relayed += n
            self.pending += n

    def result_chunks(self):
        """The buffered results as chunks, the seal marker in its place; empties the buffer."""
        view = memoryview(self.z.relay)
        chunks = []
        start = 0
        if self.seal_at is not None:
            if self.seal_at:
                chunks.append((TAG_RESULT, view[:self.seal_at]))
            chunks.append((TAG_SEAL, b""))
            start, self.seal_at = self.seal_at, None
        if self.pending > start:
            chunks.append((TAG_RESULT, view[start:self.pending]))
        self.pending = 0
        return chunks

    def _pump_output(self):
        view = memoryview(self.z.scratch)
        while self.out_r is not None:
            try:
                n = os.readv(self.out_r, [view])
            except BlockingIOError:
                return
            if n == 0:
                self.poller.unregister(self.out_r)
                os.close(self.out_r)
                self.out_r = None
                return
            if not self.sealed and self.visible_len < len(self.z.visible):
                keep = min(n, len(self.z.visible) - self.visible_len)
                self.z.visible[self.visible_len:self.visible_len + keep] = view[:keep]
                self.visible_len += keep
            self.output_total += n
            if self.output_total > self.output_cap:
                self.kill("output")

    def _on_seal(self):
        if self.seal_r is None:
            return
        try:
            got = os.read(self.seal_r, 1)
        except BlockingIOError:
            return
        self.poller.unregister(self.seal_r)
        os.close(self.seal_r)
        self.seal_r = None
        if not got:
            return  # closed without sealing (it exited, or closed the fd itself)
        # Everything the child wrote before the seal byte is in the pipes now:
        # take it, so that honest visible frames land before the marker.
        self._pump_results()
        self._pump_output()
        # The marker goes after all of the visible phase's bytes; it is sent
        # with them (result_chunks), at the latest with the end.
        self.seal_at = self.pending
        self.sealed = True
        if len(self.hidden) and self.killed is None:
            self.poller.register(self.hid_w, select.POLLOUT)
            self._feed_hidden()  # the pipe is most likely empty: start now
        else:
            self._close_hidden()

    def _feed_hidden(self):
        view = memoryview(self.hidden)
        try:
            while self.hidden_sent < len(view):
                self.hidden_sent += os.write(self.hid_w, view[self.hidden_sent:self.hidden_sent + RELAY_BUFFER])
        except BlockingIOError:
            return
        except (BrokenPipeError, OSError):
            pass
        self.poller.unregister(self.hid_w)
        self._close_hidden()

    def _close_hidden(self):
        if self.hid_w is not None:
            os.close(self.hid_w)
            self.hid_w = None

    def finish(self):
        _, status, usage = os.wait4(self.pid, 0)
        wall = time.monotonic() - self.started
        os.close(self.pidfd)
        self._close_hidden()
        _zero(self.hidden)
        self.hidden = bytearray()
        return {
            "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "killed": self.killed,
            "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss,
            "wall": wall,
            "sealed": self.sealed,
            "output_bytes": self.output_total,
            "result_bytes": self.relayed,
        }


def _wipe(root):
    """Empty `root` (the sandbox's /tmp) so the next child finds nothing.

    Returns None, or why it could not: the worker then replaces the whole
    sandbox, whose /tmp is a fresh tmpfs.
    """
    started = time.monotonic()
    seen = 0
    # Directories are visited top-down (made searchable first: the child may
    # have chmod'ed them 000) and removed bottom-up.
    pending, dirs = [root], []
    try:
        while pending:
            path = pending.pop()
            if path != root:
                os.chmod(path, 0o700)
                dirs.append(path)
            with os.scandir(path) as entries:
                for entry in entries:
                    seen += 1
                    if seen > WIPE_MAX_ENTRIES or time.monotonic() - started > WIPE_MAX_SECONDS:
                        return "too many files left in /tmp"
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    else:
                        os.unlink(entry.path)
        for path in reversed(dirs):
            os.rmdir(path)
    except OSError as exc:
        return f"could not empty /tmp: {exc.strerror}"
    return None


# --------------------------------------------------------------------------
# The child: everything below runs in the forked child only


def _write_all(fd, parts):
    view = [memoryview(part).cast("B") for part in parts]
    while view:
        n = os.writev(fd, view)
        while view and n >= len(view[0]):
            n -= len(view[0])
            view.pop(0)
        if view:
            view[0] = view[0][n:]


def _spare_main(zygote, go_r, pipes, zygote_ends):
    """The child, from its fork ahead of the request to its exit."""
    code = EXIT_INTERNAL
    try:
        # Nothing of the zygote's conversation with the worker stays open here.
        for fd in zygote_ends + (zygote.proto_in, zygote.proto_out):
            os.close(fd)
        zygote.libc.prctl(PR_SET_NAME, NAME_SPARE, 0, 0, 0)
        workdir = zygote.child_tmp()
        try:
            header = json.loads(read_frame(go_r))
            vis = bytearray(int(header["vis"]))
            read_into(go_r, vis)
        except EOFError:
            os._exit(0)  # the zygote is gone, or retired this spare: no request came
        os.close(go_r)
        zygote.libc.prctl(PR_SET_NAME, NAME_RUNNING, 0, 0, 0)
        _child_confine(zygote, header, pipes, workdir)
        code = Harness(header, vis).run()
    except MemoryError:
        code = EXIT_MEMORY
    except BaseException:  # noqa: BLE001 - nothing may escape into the zygote's loop
        code = EXIT_INTERNAL
    os._exit(code)


def _child_confine(zygote, header, pipes, workdir):
    """Capabilities and the memory cgroup are done (zygote.child_tmp, in the
    spare); now fds, rlimits, cwd and the seccomp filter: all before any student code."""
    # Move the four pipe ends out of the way first, so that putting them on
    # 1..5 cannot overwrite one another.
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in pipes]
    result_w, seal_w, hid_r, out_w = high
    devnull = os.open("/dev/null", os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.dup2(result_w, FD_RESULT)
    os.dup2(seal_w, FD_SEAL)
    os.dup2(hid_r, FD_HIDDEN)
    # Everything else goes: the zygote's protocol pipes above all.
    closed = zygote.libc.syscall(
        ctypes.c_long(SYS_CLOSE_RANGE), ctypes.c_uint(FD_HIDDEN + 1), ctypes.c_uint(0xFFFFFFFF), ctypes.c_uint(0)
    )
    if closed != 0:
        os.closerange(FD_HIDDEN + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    os.chdir(workdir)

    cpu = max(1, math.ceil(float(header["cpu"])))
    memory = int(header["mem_mb"]) * 1024 * 1024
    fsize = int(header["fsize"])
    nofile = int(header["nofile"])
    setrlimit = resource.setrlimit
    setrlimit(resource.RLIMIT_CORE, (0, 0))
    setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
    # Not enforced for a uid mapped to root; the seccomp filter is the real
    # process limit. Here for unsafe mode run by a normal user.
    setrlimit(resource.RLIMIT_NPROC, (0, 0))
    # SIGXCPU at the soft limit can be ignored; the hard limit then SIGKILLs.
    setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    setrlimit(resource.RLIMIT_AS, (memory, memory))
    zygote.load_child_filter()



# --------------------------------------------------------------------------


def main():
    # Keep the protocol pipes off 0/1 so a stray print can never corrupt them.
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)

    init = json.loads(read_frame(proto_in))
    bpf = read_frame(proto_in)
    sys.path[:] = [path for path in sys.path if path] + [init["site"]]
    for name in PRELOAD:
        __import__(name)
    zygote = Zygote(proto_in, proto_out, init, bpf)
    try:
        if zygote.fresh_tmp:
            zygote.own_mount_namespace(init.get("read_only", ()))
            zygote.new_tmp()
    except OSError as exc:
        zygote.send((TAG_END, json.dumps({"ready": False, "error": str(exc)}).encode()))
        return 1
    # Nobody inside may ptrace or read this process (also refused by seccomp).
    zygote.libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    # F_SETOWN is refused to children; should SIGIO arrive anyway, ignore it.
    signal.signal(signal.SIGIO, signal.SIG_IGN)
    try:
        check = zygote.self_test()
    except Exception as exc:  # noqa: BLE001
        zygote.send((TAG_END, json.dumps({"ready": False, "error": str(exc)}).encode()))
        return 1
    warm_up_harness()
    # Children then share these pages instead of copying them when the GC
    # would otherwise touch every object header.
    gc.collect()
    gc.freeze()
    zygote.send((TAG_END, json.dumps(
        {"ready": True, "check": check, "pid": os.getpid(), "cgroup": zygote.cgroup_fd is not None}).encode()))
    zygote.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One zygote process, seen from the worker: start it, send a request, read the answer.

The zygote is trusted code, but it runs next to hostile code, so the worker
still guards itself: every read has a deadline, every chunk a size cap, and
anything unexpected (EOF, garbage, silence) makes the zygote `ZygoteBroken`:
the pool kills it and runs the submission again on a fresh one.

No `preexec_fn` (not thread-safe) and no `--die-with-parent`: PR_SET_PDEATHSIG
fires when the *thread* that started bwrap exits, which would kill a warm
zygote whenever a short-lived thread happened to start it. Instead the
zygote polls its stdin and exits when the worker's end closes, which happens
when the worker dies however it dies; a forked copy of the worker drops its
inherited copies of these pipes (pool.py registers that at fork).
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import tempfile
import time

from grader.sandbox import bwrap_command
from grader.sandbox.codec import FrameSplitter
from grader.sandbox.config import SandboxConfig, SandboxUnavailable
from grader.sandbox.memory_cgroup import MemoryCgroup
from grader.sandbox.outcome import RawRun
from grader.sandbox.inside.wire import CHUNK, FRAME, TAG_END, TAG_OUTPUT, TAG_RESULT, TAG_SEAL

logger = logging.getLogger("grader.sandbox")

MAX_END_CHUNK = 64 * 1024
# Frames an honest child sends besides one per call: load_error, missing, memory, done.
MAX_FRAMES_FIXED = 16
_UNSAFE_WARNING = (
    "UNSAFE: student code runs unconfined (SANDBOX_MODE=unsafe): no namespaces, no outer seccomp filter, "
    "the whole file system and network visible. Development machines only."
)


class ZygoteBroken(Exception):
    """The zygote died, hung or spoke garbage: replace it."""


class ZygoteProcess:
    def __init__(self, config: SandboxConfig, *, child_filter: bytes, outer_filter: bytes | None):
        self.config = config
        self.child_filter = child_filter
        self.outer_filter = outer_filter
        self.popen: subprocess.Popen | None = None
        self._stdin = -1
        self._stdout = -1
        self._inbox = bytearray()  # bytes read from the zygote, not yet used
        self._stderr_file = None
        self._tmp_dir = None  # unsafe mode: a host temp dir instead of a tmpfs
        self.cgroup: MemoryCgroup | None = None
        self.requests_served = 0

    # -- life cycle ----------------------------------------------------------

    def start(self) -> None:
        config = self.config
        self._stderr_file = tempfile.TemporaryFile()
        if config.mode == "bwrap":
            init = {
                "site": bwrap_command.SANDBOX_SITE,
                "tmp": bwrap_command.SANDBOX_TMP,
                "fresh_tmp": True,
                "tmp_size": config.tmp_size_bytes,
                "tmp_inodes": config.tmp_files,
                "read_only": list(bwrap_command.SANDBOX_DEVICES),
            }
            seccomp_fd = os.memfd_create("sandbox-seccomp")
            # Each child moves itself into the memory cgroup (where there is
            # one) through this fd, before any student code: the zygote stays
            # out of it, so that the kernel's OOM killer can pick only a child.
            self.cgroup = MemoryCgroup.create()
            cgroup_fd = self.cgroup.open_procs() if self.cgroup else -1
            if cgroup_fd < 0 and self.cgroup:
                self.cgroup.remove()
                self.cgroup = None
            init["cgroup_fd"] = cgroup_fd
            try:
                os.write(seccomp_fd, self.outer_filter or b"")
                os.lseek(seccomp_fd, 0, os.SEEK_SET)
                argv = bwrap_command.bwrap_argv(config, seccomp_fd=seccomp_fd)
                # bwrap itself gets an empty environment: its PID 1 keeps the
                # environment it was started with, --clearenv notwithstanding.
                fds = (seccomp_fd, cgroup_fd) if cgroup_fd >= 0 else (seccomp_fd,)
                self.popen = self._spawn(argv, env={}, pass_fds=fds, cwd="/")
            except BaseException:
                self._cleanup_files()
                raise
            finally:
                os.close(seccomp_fd)
                if cgroup_fd >= 0:
                    os.close(cgroup_fd)
        else:
            logger.critical(_UNSAFE_WARNING)
            self._tmp_dir = tempfile.mkdtemp(prefix="sandbox-unsafe-")
            init = {"site": os.path.realpath(config.site_dir), "tmp": self._tmp_dir}
            argv = bwrap_command.unsafe_argv(config)
            self.popen = self._spawn(argv, env=dict(bwrap_command.SANDBOX_ENV), pass_fds=(), cwd=self._tmp_dir)
        self._stdin = self.popen.stdin.fileno()
        self._stdout = self.popen.stdout.fileno()
        self._inbox = bytearray()
        init.update(
            max_result_bytes=config.max_result_bytes,
            visible_output_bytes=config.visible_output_bytes,
        )
        deadline = time.monotonic() + config.startup_timeout_seconds
        try:
            self._write_frame(json.dumps(init).encode(), deadline)
            self._write_frame(self.child_filter, deadline)
            tag, body = self._read_chunk(deadline, MAX_END_CHUNK)
            ready = json.loads(body) if tag == TAG_END else {}
        except (ZygoteBroken, ValueError) as exc:
            problem = f"{exc}; stderr: {self._stderr_text()}"
            self.kill()
            raise SandboxUnavailable(self._advice(problem)) from exc
        if not ready.get("ready"):
            problem = ready.get("error") or self._stderr_text()
            self.kill()
            raise SandboxUnavailable(self._advice(problem))
        if self.cgroup is not None and not ready.get("cgroup"):
            # The probe child could not move itself in (e.g. cgroup v2 seen
            # from bubblewrap's cgroup namespace): go without.
            logger.info("the sandbox runs without a memory cgroup: a child cannot enter %s", self.cgroup.path)
            self.cgroup.remove()
            self.cgroup = None

    def _spawn(self, argv, *, env, pass_fds, cwd) -> subprocess.Popen:
        try:
            return subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr_file,
                env=env,
                cwd=cwd,
                pass_fds=pass_fds,
                close_fds=True,
                start_new_session=True,  # its own process group: killed as a whole
            )
        except OSError as exc:
            raise SandboxUnavailable(self._advice(f"cannot start {argv[0]}: {exc}")) from exc

    def _advice(self, problem: str) -> str:
        if self.config.mode == "bwrap":
            return (
                f"the bubblewrap sandbox could not start: {problem}. It needs unprivileged user namespaces "
                "(kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0; in Docker a seccomp/AppArmor "
                "profile that allows them); on a development machine without them set SANDBOX_MODE=unsafe with DEBUG=1"
            )
        return f"the unsafe-mode sandbox process could not start: {problem}"

    def _stderr_text(self) -> str:
        try:
            self._stderr_file.seek(0)
            return self._stderr_file.read(4000).decode("utf-8", "replace").strip() or "(nothing on stderr)"
        except (OSError, ValueError):
            return "(stderr unavailable)"

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def zygote_pid(self) -> int | None:
        """The zygote's pid as the host sees it (for RSS figures and tests)."""
        if self.popen is None:
            return None
        if self.config.mode != "bwrap":
            return self.popen.pid
        import psutil

        python = os.path.basename(bwrap_command.base_interpreter(self.config))
        try:
            for child in psutil.Process(self.popen.pid).children(recursive=True):
                if child.name() == python or child.name().startswith("python"):
                    return child.pid
        except psutil.Error:
            return None
        return None

    def kill(self) -> None:
        """Kill the whole sandbox: bwrap, its PID 1, the zygote and any child."""
        popen, self.popen = self.popen, None
        if popen is None:
            self._cleanup_files()
            return
        victims = []
        try:
            import psutil

            victims = psutil.Process(popen.pid).children(recursive=True)
        except Exception:  # noqa: BLE001 - already gone, or psutil missing
            pass
        for victim in victims:
            try:
                victim.send_signal(signal.SIGKILL)
            except Exception:  # noqa: BLE001
                pass
        try:
            os.killpg(popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._close_pipes(popen)
        try:
            popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            logger.error("sandbox process %s did not die after SIGKILL", popen.pid)
        self._cleanup_files()

    def close(self) -> None:
        """Polite shutdown: EOF on its stdin makes the zygote exit."""
        popen, self.popen = self.popen, None
        if popen is None:
            return
        self._close_pipes(popen)
        try:
            popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.popen = popen
            self.kill()
            return
        self._cleanup_files()

    def forget(self) -> None:
        """In a forked copy of the worker: drop our copies of the pipes, kill nothing."""
        popen, self.popen = self.popen, None
        if popen is not None:
            self._close_pipes(popen)
            popen.returncode = 0  # never wait for a process that is not our child
        self._stderr_file = None
        self._tmp_dir = None
        self.cgroup = None  # the parent's to remove

    def _close_pipes(self, popen) -> None:
        for stream in (popen.stdin, popen.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._stdin = self._stdout = -1
        self._inbox = bytearray()

    def _cleanup_files(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None
        if self._tmp_dir:
            import shutil

            shutil.rmtree(self._tmp_dir, ignore_errors=True)
            self._tmp_dir = None

    # -- one request -------------------------------------------------------------

    def run(self, header: dict, visible: bytes, hidden: bytes, *, deadline: float, n_calls: int,
            while_waiting=None) -> RawRun:
        if self._inbox:
            raise ZygoteBroken("the zygote sent bytes after its last answer")
        oom_kills = 0
        if self.cgroup is not None:
            try:
                self.cgroup.set_limit(int(header["mem_mb"]) * 1024 * 1024 + self.config.memory_cgroup_slack_bytes)
            except OSError as exc:
                raise ZygoteBroken(f"cannot set the memory cgroup's limit: {exc}") from exc
            oom_kills = self.cgroup.oom_kills()
        header = json.dumps(dict(header, vis=len(visible), hid=len(hidden))).encode()
        # One write: one wake-up of the zygote, not three.
        self._write_all(b"".join((FRAME.pack(len(header)), header, visible, hidden)), deadline)
        if while_waiting is not None:
            # The caller's own work (computing expected values) on this core
            # while the submission runs on the other.
            try:
                while_waiting()
            except Exception:  # noqa: BLE001 - trusted work; the caller redoes it, and raises, after the run
                pass
        max_result = self.config.max_result_bytes
        splitter = FrameSplitter(max_result, max_frames=MAX_FRAMES_FIXED + 2 * n_calls)
        raw = RawRun()
        relayed = 0
        while True:
            tag, body = self._read_chunk(deadline, max_result)
            if tag == TAG_RESULT:
                relayed += len(body)
                if relayed > max_result:
                    raise ZygoteBroken("the zygote relayed more than its cap")
                splitter.feed(body)
            elif tag == TAG_SEAL:
                splitter.seal()
            elif tag == TAG_OUTPUT:
                if len(body) > self.config.visible_output_bytes:
                    raise ZygoteBroken("visible output above its cap")
                raw.visible_output = bytes(body)
            elif tag == TAG_END:
                try:
                    raw.status = json.loads(body)
                except ValueError as exc:
                    raise ZygoteBroken("unreadable end status") from exc
                if type(raw.status) is not dict:
                    raise ZygoteBroken("unreadable end status")
                break
            else:
                raise ZygoteBroken(f"unknown chunk tag {tag!r}")
        if self.cgroup is not None and self.cgroup.oom_kills() > oom_kills and not raw.status.get("killed"):
            # The kernel's SIGKILL, for memory the cgroup counted past its limit.
            raw.status["killed"] = "memory"
            raw.status["note"] = "killed by the memory cgroup"
        raw.frames = splitter.frames
        raw.stream_problem = splitter.broken
        self.requests_served += 1
        return raw

    # -- framed I/O with deadlines ---------------------------------------------------

    def _write_frame(self, body: bytes, deadline: float) -> None:
        self._write_all(FRAME.pack(len(body)) + body, deadline)

    def _write_all(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait(self._stdin, select.POLLOUT, deadline)
            try:
                written = os.write(self._stdin, view[: 1 << 16])
            except (BrokenPipeError, OSError) as exc:
                raise ZygoteBroken(f"writing to the zygote failed: {exc}") from exc
            view = view[written:]

    def _read_chunk(self, deadline: float, cap: int) -> tuple[bytes, bytes]:
        tag, length = CHUNK.unpack(self._read_exact(CHUNK.size, deadline))
        if length > cap:
            raise ZygoteBroken(f"chunk of {length} bytes")
        return tag, self._read_exact(length, deadline)

    def _read_exact(self, size: int, deadline: float) -> bytes:
        # Reads take whatever is there (up to 1 MiB), so the chunks the zygote
        # sends at the end of a run come in with one read, not two per chunk.
        inbox = self._inbox
        while len(inbox) < size:
            self._wait(self._stdout, select.POLLIN, deadline)
            part = os.read(self._stdout, 1 << 20)
            if not part:
                raise ZygoteBroken(f"the zygote closed its output (exit status {self._exit_status()})")
            inbox += part
        taken = bytes(inbox[:size])
        del inbox[:size]
        return taken

    def _wait(self, fd: int, events: int, deadline: float) -> None:
        if fd < 0:
            raise ZygoteBroken("the zygote is not running")
        poller = select.poll()
        poller.register(fd, events)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ZygoteBroken("the zygote did not answer in time")
            for _, happened in poller.poll(max(1, int(remaining * 1000))):
                if happened & (events | select.POLLHUP | select.POLLERR):
                    return

    def _exit_status(self):
        try:
            return self.popen.wait(timeout=0.2) if self.popen else None
        except subprocess.TimeoutExpired:
            return "still running"

"""The warm pool: per OS process, a few zygotes that run submissions one at a time.

`run_submission` is the one way into the sandbox. It never raises for what a
submission does (that is a RunOutcome with a named status); it raises
SandboxUnavailable only when the sandbox cannot run at all.

A zygote that breaks mid-request (killed, hung, garbage on its pipe) is
killed with its whole sandbox, a new one is started, and the submission runs
once more from the start; if that fails as well the outcome is "crashed".
A submission is never lost and never half-graded.

Process model: zygotes belong to the process that started them. A forked
child (a Celery prefork worker) starts its own on first use, and drops its
inherited copies of the parent's pipes right after the fork, so that the
parent's zygotes still see EOF when the parent goes away.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time

from grader.sandbox import codec, outcome
from grader.sandbox.config import SandboxConfig, SandboxNotConfigured, SandboxUnavailable
from grader.sandbox.process import ZygoteBroken, ZygoteProcess
from grader.sandbox.types import Call, Limits, RunOutcome


class _Filters:
    """The two BPF programs, compiled once per process (libseccomp, trusted side)."""

    _lock = threading.Lock()
    _compiled: tuple[bytes, bytes] | None = None

    @classmethod
    def get(cls, mode: str) -> tuple[bytes, bytes | None]:
        with cls._lock:
            if cls._compiled is None:
                try:
                    from grader.sandbox import seccomp_filters

                    cls._compiled = (seccomp_filters.compile_child_filter(), seccomp_filters.compile_outer_filter())
                except Exception as exc:  # noqa: BLE001 - libseccomp missing or too old
                    if mode == "bwrap":
                        raise SandboxUnavailable(
                            f"cannot compile the seccomp filters ({exc}): install libseccomp2 "
                            "and requirements.txt (pyseccomp)"
                        ) from exc
                    # Unsafe mode goes without, as documented.
                    return b"", None
            child, outer = cls._compiled
            return child, (outer if mode == "bwrap" else None)


def _header(limits: Limits, config: SandboxConfig) -> dict:
    return {
        "cpu": float(limits.cpu_seconds),
        "wall": float(limits.wall_seconds),
        "mem_mb": int(limits.memory_mb),
        "out": int(limits.output_bytes),
        "fsize": int(config.file_size_bytes),
        "nofile": int(config.open_files),
    }


def _run_once(zygote: ZygoteProcess, config: SandboxConfig, code, calls, required, limits, payloads, started,
              while_waiting=None):
    visible, hidden = payloads
    deadline = time.monotonic() + float(limits.wall_seconds) + config.wall_margin_seconds
    raw = zygote.run(_header(limits, config), visible, hidden, deadline=deadline, n_calls=len(calls),
                     while_waiting=while_waiting)
    result = outcome.build_outcome(
        raw,
        calls=calls,
        required=required,
        limits=limits,
        duration_ms=(time.perf_counter() - started) * 1000,
        visible_output_limit=config.visible_output_bytes,
    )
    return raw, result


class SandboxPool:
    """The warm zygote of one process (a prefork worker child runs one submission at a time)."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.pid = os.getpid()
        self._slots: queue.LifoQueue[ZygoteProcess] = queue.LifoQueue()
        self._all: list[ZygoteProcess] = []
        self._add_slot()

    def _add_slot(self) -> None:
        child, outer = _Filters.get(self.config.mode)
        zygote = ZygoteProcess(self.config, child_filter=child, outer_filter=outer)
        self._all.append(zygote)
        self._slots.put(zygote)

    def warm_up(self) -> None:
        """Start the zygote now rather than on the first submission."""
        zygote = self._slots.get()
        try:
            if not zygote.alive:
                zygote.start()
        finally:
            self._slots.put(zygote)

    def zygote_pids(self) -> list[int]:
        return [pid for pid in (z.zygote_pid() for z in self._all if z.alive) if pid]

    def run(self, code: str, calls: list[Call], required: list[str], limits: Limits, while_waiting=None) -> RunOutcome:
        started = time.perf_counter()
        payloads = codec.encode_payloads(code, calls, required)
        zygote = self._slots.get()
        try:
            problems = []
            for _attempt in range(2):
                if not zygote.alive:
                    zygote.kill()  # reap whatever is left of a dead one
                    zygote.start()  # SandboxUnavailable propagates: not the student's doing
                try:
                    raw, result = _run_once(
                        zygote, self.config, code, calls, required, limits, payloads, started, while_waiting
                    )
                except ZygoteBroken as exc:
                    problems.append(str(exc))
                    zygote.kill()
                    continue
                if raw.status.get("retire"):
                    # It could not clean up after this submission: the next one
                    # gets a fresh sandbox (and a fresh /tmp).
                    zygote.kill()
                return result
            return outcome.failed_outcome(
                calls,
                status="crashed",
                detail="the sandbox broke twice while running this submission: " + " | ".join(problems),
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        finally:
            self._slots.put(zygote)

    def close(self) -> None:
        for zygote in self._all:
            if os.getpid() == self.pid:
                zygote.close()
            else:
                zygote.forget()

    def forget(self) -> None:
        for zygote in self._all:
            zygote.forget()


# --------------------------------------------------------------------------
# Per-process registry

_registry_lock = threading.Lock()
_pools: dict[SandboxConfig, SandboxPool] = {}


def _resolve(config: SandboxConfig | None) -> SandboxConfig:
    if config is None:
        raise SandboxNotConfigured(
            "the sandbox is not configured: pass config=SandboxConfig(...) "
            "(site_dir from SANDBOX_SITE_DIR, mode from SANDBOX_MODE; grader.sandbox_settings builds it)"
        )
    return config


def get_pool(config: SandboxConfig | None = None) -> SandboxPool:
    config = _resolve(config)
    # Before taking the lock: a fork while we hold it must already find the hook.
    install_process_hooks()
    with _registry_lock:
        pool = _pools.get(config)
        if pool is None or pool.pid != os.getpid():
            pool = SandboxPool(config)
            _pools[config] = pool
        return pool


def _after_fork_in_child() -> None:
    # The lock may have been held by another thread at fork time.
    global _registry_lock
    _registry_lock = threading.Lock()
    _Filters._lock = threading.Lock()
    for pool in list(_pools.values()):
        pool.forget()
    _pools.clear()


def shutdown() -> None:
    """Stop this process's zygotes (also done at exit)."""
    with _registry_lock:
        pools = [pool for pool in _pools.values() if pool.pid == os.getpid()]
        _pools.clear()
    for pool in pools:
        pool.close()


_hooks_installed = False


def install_process_hooks() -> None:
    """Forget the parent's zygotes in a forked child, stop ours at exit.

    Done when this process first starts a sandbox (or by the Celery worker at
    start), not on import: importing the sandbox starts nothing."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    os.register_at_fork(after_in_child=_after_fork_in_child)
    atexit.register(shutdown)


def warm_up(config: SandboxConfig | None = None) -> None:
    get_pool(config).warm_up()


def run_submission(
    code: str,
    calls: list[Call],
    required: list[str],
    limits: Limits = Limits(),
    *,
    config: SandboxConfig | None = None,
    while_waiting=None,
) -> RunOutcome:
    """Run `calls` on the submission `code` in this process's warm sandbox.

    `while_waiting`, if given, is called once while the submission runs: the
    caller's own trusted work, overlapped with the run. Its exceptions are
    ignored here (the caller meets them again when it redoes the work).
    """
    return get_pool(config).run(code, list(calls), list(required), limits, while_waiting)


def run_submission_cold(
    code: str,
    calls: list[Call],
    required: list[str],
    limits: Limits = Limits(),
    *,
    config: SandboxConfig | None = None,
    while_waiting=None,
) -> RunOutcome:
    """The same run in a sandbox started for it alone and torn down after.

    The design the warm pool is measured against, and a fallback for a caller
    that cannot keep a process around.
    """
    config = _resolve(config)
    install_process_hooks()  # the filters' lock must be fresh in a forked child
    started = time.perf_counter()
    calls, required = list(calls), list(required)
    payloads = codec.encode_payloads(code, calls, required)
    child, outer = _Filters.get(config.mode)
    problems = []
    for _attempt in range(2):
        zygote = ZygoteProcess(config, child_filter=child, outer_filter=outer)
        zygote.start()
        try:
            _raw, result = _run_once(zygote, config, code, calls, required, limits, payloads, started, while_waiting)
            return result
        except ZygoteBroken as exc:
            problems.append(str(exc))
        finally:
            zygote.kill()
    return outcome.failed_outcome(
        calls,
        status="crashed",
        detail="the sandbox broke twice while running this submission: " + " | ".join(problems),
        duration_ms=(time.perf_counter() - started) * 1000,
    )

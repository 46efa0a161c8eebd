"""A memory cgroup around one sandbox, where the machine gives one (trusted side).

RLIMIT_AS counts a child's address space only. The seccomp allow-list takes
away the known ways around it (memfd, pipe buffers grown with F_SETPIPE_SZ,
extended attributes, System V shared memory) and the tmpfs has a size; a
memory cgroup also counts what nobody has thought of yet (kernel memory
charged to the child), so the sandbox goes into one when it can be had.

It cannot be had everywhere (a container without a delegated cgroup, a worker
that is not root on a cgroup v1 host): then `create` returns None and the
allow-list is the bound, as THREATS.md says.

Only the children go in: each moves itself in (through an fd the zygote
inherits) before any student code runs. The zygote stays out, so the kernel's
OOM killer, which picks only among the cgroup's processes, takes the child
and never the warm zygote. Its limit is set per request to the run's memory
limit plus a slack for the tmpfs and pipes (a ceiling behind RLIMIT_AS, not
the limit a student meets first: an honest MemoryError comes from the rlimit).
"""

from __future__ import annotations

import itertools
import logging
import os

logger = logging.getLogger("grader.sandbox")

V1_ROOT = "/sys/fs/cgroup/memory"
V2_ROOT = "/sys/fs/cgroup"
PREFIX = "grader-sandbox-"
_counter = itertools.count()
_pending_removal: set[str] = set()


def _own_path(controller: str) -> str | None:
    """Our cgroup's path in the hierarchy of `controller` (v1), or in the unified one ("")."""
    try:
        with open("/proc/self/cgroup", encoding="ascii") as handle:
            for line in handle:
                _id, controllers, path = line.rstrip("\n").split(":", 2)
                if controller in controllers.split(",") or (not controller and not controllers):
                    return path
    except (OSError, ValueError):
        return None
    return None


class MemoryCgroup:
    def __init__(self, path: str, limit_file: str, oom_file: str, oom_key: str):
        self.path = path
        self.limit_file = limit_file
        self.oom_file = oom_file
        self.oom_key = oom_key
        self.limit = None

    @classmethod
    def create(cls) -> MemoryCgroup | None:
        for path in list(_pending_removal):
            _rmdir(path)
        name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        own_v1 = _own_path("memory")
        if own_v1 is not None and os.path.isdir(V1_ROOT):
            parent = os.path.join(V1_ROOT, own_v1.lstrip("/"))
            made = cls._make(parent, name, "memory.limit_in_bytes", "memory.oom_control", "oom_kill")
            if made:
                return made
        own_v2 = _own_path("")
        if own_v2 is not None:
            parent = os.path.join(V2_ROOT, own_v2.lstrip("/"))
            return cls._make(parent, name, "memory.max", "memory.events", "oom_kill")
        return None

    @classmethod
    def _make(cls, parent, name, limit_file, oom_file, oom_key) -> MemoryCgroup | None:
        _sweep(parent)
        path = os.path.join(parent, name)
        try:
            os.mkdir(path)
        except OSError:
            return None
        if not os.path.exists(os.path.join(path, limit_file)):
            _rmdir(path)
            return None
        return cls(path, limit_file, oom_file, oom_key)

    def open_procs(self) -> int:
        """An fd a process writes "0" to in order to move itself in; -1 if it cannot be opened."""
        try:
            return os.open(os.path.join(self.path, "cgroup.procs"), os.O_WRONLY)
        except OSError as exc:
            logger.warning("cannot open the memory cgroup %s: %s", self.path, exc)
            return -1

    def set_limit(self, limit_bytes: int) -> None:
        if limit_bytes == self.limit:
            return
        files = [os.path.join(self.path, self.limit_file)]
        swap = os.path.join(self.path, "memory.memsw.limit_in_bytes")
        if os.path.exists(swap):
            # v1: memory and swap together, so swap is no way around the
            # limit either. The kernel wants memory <= memory+swap at every
            # step: raise the second first, lower the first first.
            files = files + [swap] if self.limit is None or limit_bytes < self.limit else [swap] + files
        for path in files:
            with open(path, "w", encoding="ascii") as handle:
                handle.write(str(limit_bytes))
        self.limit = limit_bytes

    def oom_kills(self) -> int:
        try:
            with open(os.path.join(self.path, self.oom_file), encoding="ascii") as handle:
                for line in handle:
                    key, _, value = line.partition(" ")
                    if key == self.oom_key:
                        return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def remove(self) -> None:
        _rmdir(self.path)


def _rmdir(path: str) -> None:
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass
    except OSError:
        # A killed child still leaving (the sandbox is not waited for): try
        # again at the next create, or the next worker's sweep takes it.
        _pending_removal.add(path)
        return
    _pending_removal.discard(path)


def _sweep(parent: str) -> None:
    """Remove the empty cgroups of workers that are gone (killed without cleaning up)."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(PREFIX):
            continue
        try:
            owner = int(name[len(PREFIX):].split("-", 1)[0])
        except ValueError:
            continue
        if owner == os.getpid():
            continue
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            _rmdir(os.path.join(parent, name))
        except PermissionError:
            pass

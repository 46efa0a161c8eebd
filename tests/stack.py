"""The real stack, started the same way by the integration tests and by bench/.

PostgreSQL and Redis are servers the machine runs; this starts what the
project itself runs on top of them (Celery workers and beat, gunicorn), each
in its own session with its log in a directory, and stops the whole process
tree (prefork children, their sandboxes) however a run ends. It also holds the
one percentile definition every figure in bench/ uses.

Imported as `tests.stack` (bench/ puts the repository root on sys.path).
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psutil

ROOT = Path(__file__).resolve().parent.parent

REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def percentile(values, q: float) -> float:
    """Nearest-rank percentile, q in [0, 100]: the smallest value with at least q % of the values at or below it."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be in [0, 100], got {q}")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def tree_cpu_seconds(root: psutil.Process) -> float:
    """CPU time of `root` and its live descendants, plus what each of them has reaped.

    A sandbox's children and PostgreSQL's finished backends are gone by the
    time anyone looks, but their time is in their parent's children_* fields.
    """
    total = 0.0
    for proc in (root, *root.children(recursive=True)):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def server_cpu_seconds(program: str) -> float:
    """CPU time of a machine server ("postgres", "redis-server"): every process of it, whoever's work it did."""
    total = 0.0
    for proc in psutil.process_iter(["name", "ppid"]):
        try:
            if proc.info["name"] == program and psutil.Process(proc.info["ppid"]).name() != program:
                total += tree_cpu_seconds(proc)  # a root of it: its tree, reaped children included
        except psutil.NoSuchProcess:
            continue
    return total


# --- Redis and PostgreSQL (servers of the machine) ----------------------------------


def redis_ping() -> bool:
    return subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True).stdout.strip() == "PONG"


def redis_ensure_up(timeout: float = 10.0) -> None:
    if redis_ping():
        return
    subprocess.run(REDIS_START, check=True)
    deadline = time.monotonic() + timeout
    while not redis_ping():
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not come back")
        time.sleep(0.05)


def redis_restart_without_persistence() -> None:
    """Exactly how CI stops and starts Redis: everything in it is lost."""
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    deadline = time.monotonic() + 10
    while redis_ping():
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not stop")
        time.sleep(0.02)
    redis_ensure_up()


def database_url(db: dict) -> str:
    """A DATABASE_URL for a child process from Django's settings.DATABASES entry."""
    user = quote(db.get("USER") or "", safe="")
    password = db.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(db['NAME'], safe='')}"


# --- The project's processes --------------------------------------------------------


def celery_worker_argv(name: str, *, loglevel: str = "info") -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "grading,default", "-l", loglevel,
        "-n", f"{name}@%h", "--without-mingle", "--without-gossip",
    ]  # fmt: skip


def celery_beat_argv(schedule: Path) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info", "-s", str(schedule)]


def gunicorn_argv() -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "scripts" / "gunicorn_conf.py"), "config.wsgi"]


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant (the prefork children, their sandboxes)."""
    try:
        parent = psutil.Process(pid)
        victims = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for proc in victims:
        try:
            proc.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(victims, timeout=5)


def _ready_lines(log: Path) -> str:
    try:
        text = log.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(line for line in text.splitlines() if line.rstrip().endswith("ready."))


class Stack:
    """Named processes of the project, each in its own session, logging to `logdir/<name>.log`."""

    def __init__(self, env: dict, logdir: Path):
        self.env = env
        self.logdir = Path(logdir)
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], **extra_env) -> subprocess.Popen:
        handle = open(self.logdir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            argv, cwd=ROOT, env={**self.env, **extra_env}, stdout=handle, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        handle.close()
        self.procs[name] = proc
        return proc

    def start_worker(self, name: str, *, node: str, loglevel: str = "info", timeout: float = 60.0, **extra_env):
        """A Celery worker, returned once its node says "ready" (its log is `name`.log)."""
        proc = self.start(name, celery_worker_argv(node, loglevel=loglevel), **extra_env)
        log = self.logdir / f"{name}.log"
        deadline = time.monotonic() + timeout
        while f"{node}@" not in _ready_lines(log):
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready in {timeout} s:\n{self.tail(name)}")
            time.sleep(0.1)
        return proc

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash would: no shutdown of any kind."""
        proc = self.procs.pop(name, None)
        if proc is not None:
            kill_tree(proc.pid)
            proc.wait(timeout=5)

    def stop(self, *names: str, timeout: float = 20.0) -> None:
        """SIGTERM (a warm shutdown), then SIGKILL whatever of the tree is left; every process without names."""
        chosen = {name: proc for name, proc in self.procs.items() if not names or name in names}
        for proc in chosen.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in chosen.items():
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            kill_tree(proc.pid)
            proc.wait()
            del self.procs[name]

    def running(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def rss_mb(self, name: str) -> tuple[float, int]:
        """RSS of a process and all its descendants, in MB, and how many processes."""
        try:
            root = psutil.Process(self.procs[name].pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0, 0
        total = 0
        for proc in tree:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 2**20, len(tree)

    def cpu_seconds(self, name: str) -> float:
        """CPU time (user + system) of a process and all its descendants, the reaped ones included."""
        try:
            return tree_cpu_seconds(psutil.Process(self.procs[name].pid))
        except psutil.NoSuchProcess:
            return 0.0

    def tail(self, name: str, lines: int = 60) -> str:
        log = self.logdir / f"{name}.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

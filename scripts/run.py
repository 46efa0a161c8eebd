#!/usr/bin/env python3
"""`make run`: web, worker and beat together on one machine, stopped together.

With nothing configured it runs on the embedded defaults (a SQLite file, a
directory as the broker) and needs nothing but Python; with DATABASE_URL and
REDIS_URL set it uses PostgreSQL and Redis. It prepares the database (migrate,
the sample course, demo accounts), prints the URL and the logins, then starts
the three processes, prefixes their output, and on Ctrl-C (or when any of them
exits) stops them all.

Operators who run many workers on many machines use `make web`, `make worker`
and `make beat` instead (one process each).
"""

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.env import env_int, env_str  # noqa: E402

PY = sys.executable
CELERY = [PY, "-m", "celery", "-A", "config"]
STOP_GRACE_SECONDS = 10
COLOURS = {"web": "\033[36m", "worker": "\033[33m", "beat": "\033[35m"}


def manage(*args):
    subprocess.run([PY, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True)


def _die_with_parent():
    # Linux: children get SIGTERM if this supervisor is killed outright, so no
    # worker is left running alone. (Called before any thread exists.)
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start(name, argv):
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # Own session: Ctrl-C reaches only this supervisor, which stops the rest in order.
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def stop_all(procs):
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main():
    # Fail loudly, before anything starts, on a bad PORT/HOST.
    port = env_int("PORT", 8000, minimum=1, maximum=65535)
    host = env_str("HOST", "127.0.0.1")
    students = env_int("DEMO_STUDENTS", 5, minimum=1, maximum=1000)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.update(HOST=host, PORT=str(port))  # gunicorn's config reads them (DEBUG off)

    import django

    django.setup()  # settings errors (bad env) stop us here, with their message
    from django.conf import settings

    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--no-input", "-v", "0")
    manage("seed_course")
    if settings.DEBUG:
        manage("seed_demo", "--students", str(students))

    web = (
        [PY, str(ROOT / "manage.py"), "runserver", "--noreload", f"{host}:{port}"]
        if settings.DEBUG
        else [PY, "-m", "gunicorn", "-c", str(ROOT / "scripts" / "gunicorn_conf.py"), "config.wsgi"]
    )
    commands = {
        "web": web,
        "worker": [*CELERY, "worker", "-Q", "grading,default", "-l", "info", "-n", "run-worker@%h"],
        "beat": [*CELERY, "beat", "-l", "info"],
    }
    broker = "Redis" if settings.REDIS_URL else f"the filesystem broker in {settings.BROKER_DIR}"
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    logins = (
        f"demo logins (password = username): teacher, student1 … student{students}"
        if settings.DEBUG
        else "DEBUG is off: no demo logins (manage.py createsuperuser makes an account)"
    )
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(
        f"\n  Autograder: http://{shown_host}:{port}/\n"
        f"  database: {database}, broker: {broker}\n"
        f"  {logins}\n"
        f"  Ctrl-C stops web, worker and beat.\n",
        flush=True,
    )

    procs = {name: start(name, argv) for name, argv in commands.items()}
    tty = sys.stdout.isatty()
    selector = selectors.DefaultSelector()
    for name, proc in procs.items():
        selector.register(proc.stdout, selectors.EVENT_READ, name)
    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    exit_code = 0
    try:
        while not stopping:
            for key, _ in selector.select(timeout=0.5):
                line = key.fileobj.readline()
                if not line:
                    selector.unregister(key.fileobj)
                    continue
                name = key.data
                prefix = f"{COLOURS[name]}{name:>6} |\033[0m " if tty else f"{name:>6} | "
                sys.stdout.write(prefix + line.decode("utf-8", "replace"))
                sys.stdout.flush()
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping the others", flush=True)
                    exit_code = proc.returncode or 1
                    stopping = True
    finally:
        stop_all(procs)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

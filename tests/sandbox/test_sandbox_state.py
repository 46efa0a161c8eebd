"""THREATS 9: nothing a child does survives into the next child on the same zygote.

One submission plants everything it can (files, the mode and times of /tmp
and of its working directory, extended attributes, a FIFO, /dev/shm, inode
numbers used up) and the NEXT submission on the SAME warm zygote looks for
it: it must see exactly what the first submission on a fresh sandbox sees.
"""

import json
import time

from .helpers import ATTACK_LIMITS

PLANT = """
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)

def attempt(label, action, report):
    try:
        action()
        report[label] = "done"
    except OSError as exc:
        report[label] = errno.errorcode.get(exc.errno, str(exc.errno))

def raw(number, *args):
    value = libc.syscall(number, *args)
    return value if value >= 0 else -ctypes.get_errno()

def probe():
    report = {}
    for n in range(500):  # inode numbers used up: a counter the next child could read
        open(f"/tmp/n{n}", "w").close()
    open("/tmp/planted.txt", "w").write("for the next submission")
    open("/tmp/run/planted.txt", "w").write("me too")
    os.mkfifo("/tmp/fifo")
    attempt("chmod_tmp", lambda: os.chmod("/tmp", 0o1777), report)
    attempt("utime_tmp", lambda: os.utime("/tmp", (1_000_000_000, 1_000_000_000)), report)
    attempt("chmod_run", lambda: os.chmod("/tmp/run", 0o751), report)
    attempt("utime_run", lambda: os.utime("/tmp/run", (1_000_000_000, 1_000_000_000)), report)
    attempt("setxattr_tmp", lambda: os.setxattr("/tmp", "user.note", b"x" * 1000), report)
    attempt("setxattr_file", lambda: os.setxattr("/tmp/planted.txt", "user.note", b"x" * 1000), report)
    attempt("dev_shm", lambda: open("/dev/shm/planted", "w").write("x"), report)
    value = ctypes.create_string_buffer(b"y" * 64)
    fd = os.open("/tmp/planted.txt", os.O_RDONLY)
    # setxattr, lsetxattr, fsetxattr, setxattrat (x86_64 numbers)
    report["raw"] = [raw(188, b"/tmp", b"user.a", value, 64, 0), raw(189, b"/tmp", b"user.a", value, 64, 0),
                     raw(190, fd, b"user.a", value, 64, 0), raw(463, -100, b"/tmp", 0, b"user.a", 0, 0)]
    return json.dumps(report)
"""

LOOK = """
import json, os
def describe(path):
    st = os.stat(path, follow_symlinks=False)
    return {"mode": oct(st.st_mode), "ino": st.st_ino, "nlink": st.st_nlink, "uid": st.st_uid,
            "atime": st.st_atime, "mtime": st.st_mtime, "ctime": st.st_ctime}
def probe():
    found = []
    for top, dirs, files in os.walk("/tmp"):
        found += [os.path.join(top, name) for name in dirs + files]
    fs = os.statvfs("/tmp")
    new = os.open("new-file", os.O_CREAT | os.O_WRONLY)
    return json.dumps({"tmp": describe("/tmp"), "run": describe("/tmp/run"), "files": sorted(found),
                       "free_blocks": fs.f_bfree, "free_files": fs.f_ffree, "new_ino": os.fstat(new).st_ino,
                       "cwd": os.getcwd(), "umask": os.umask(0o22)})
"""


def _look(sandbox, *, cold=False):
    started = time.time()
    outcome = (sandbox.run_cold if cold else sandbox.run)(LOOK)
    assert outcome.calls["probe"].kind == "returned", outcome
    return started, json.loads(outcome.calls["probe"].value)


def _without_times(seen):
    return {key: ({k: v for k, v in value.items() if not k.endswith("time")} if isinstance(value, dict) else value)
            for key, value in seen.items()}


def test_what_a_child_plants_is_gone_for_the_next_child_on_the_same_zygote(sandbox):
    _, fresh = _look(sandbox, cold=True)  # the first submission on a fresh worker
    zygote = sandbox.zygote_pid()
    for _ in range(2):  # twice: a second plant on top of the first finds nothing either
        report = json.loads(sandbox.probe(PLANT))
        # Its own tmpfs is the child's to change while it lives...
        assert report["chmod_tmp"] == report["utime_tmp"] == report["chmod_run"] == "done", report
        # ...but extended attributes are refused (kernel memory nothing counts),
        # and /dev/shm does not exist.
        assert report["setxattr_tmp"] == report["setxattr_file"] == "EPERM", report
        assert all(value in (-1, -38) for value in report["raw"]), report  # EPERM, or ENOSYS for setxattrat
        assert report["dev_shm"] in ("ENOENT", "EROFS"), report
        started, later = _look(sandbox)
        assert sandbox.zygote_pid() == zygote  # the same warm process, not a replacement
        assert _without_times(later) == _without_times(fresh), (later, fresh)
        assert later["files"] == ["/tmp/run"] and later["tmp"]["mode"] == "0o40755"
        # Its times are those of its own mount, not the ones planted.
        for times in (later["tmp"], later["run"]):
            assert min(times["atime"], times["mtime"]) >= started - 1, times
    sandbox.assert_honest_submission_works()


def test_a_child_cannot_read_or_list_extended_attributes_either(sandbox):
    code = """
import os
def probe():
    result = []
    for action in (lambda: os.listxattr("/tmp"), lambda: os.getxattr("/opt/site", "user.x"),
                   lambda: os.removexattr("/tmp", "user.x")):
        try:
            action()
            result.append("allowed")
        except OSError as exc:
            result.append(type(exc).__name__)
    return " ".join(result)
"""
    assert sandbox.probe(code, limits=ATTACK_LIMITS) == "PermissionError PermissionError PermissionError"
    sandbox.assert_honest_submission_works()

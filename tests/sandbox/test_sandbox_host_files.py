"""THREATS 10: no file outside the sandbox changes, devices included, whatever uid the worker has.

The sandbox user maps to the worker's uid; as root (make run, CI) that makes
the host's root-owned files the sandbox user's own. Every attack here is
harmless to the host if it succeeded (same mode, same owner, times set to
now): the test compares the host's os.stat before and after, ctime included,
which any chmod, chown or utime would move.
"""

import json
import os
import sysconfig

from grader.sandbox import Call, bwrap_command

DEVICES = list(bwrap_command.SANDBOX_DEVICES)

ATTACK = """
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)

def attempt(action):
    try:
        action()
        return "done"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))

def probe(paths):
    report = {}
    for path in paths:
        st = os.stat(path)
        report[path] = {
            "chmod": attempt(lambda: os.chmod(path, st.st_mode & 0o7777)),
            "chown": attempt(lambda: os.chown(path, st.st_uid, st.st_gid)),
            "lchown": attempt(lambda: os.lchown(path, -1, st.st_gid)),
            "utime_now": attempt(lambda: os.utime(path, None)),
            "utime_set": attempt(lambda: os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))),
            "setxattr": attempt(lambda: os.setxattr(path, "user.x", b"1")),
            # raw fchmodat and utimensat, past Python's wrappers
            "raw": [libc.syscall(268, -100, path.encode(), st.st_mode & 0o7777),
                    libc.syscall(280, -100, path.encode(), 0, 0)],
        }
        if path.startswith("/dev/"):
            # Writing to a device is what devices are for: it must still work,
            # and change nothing of the inode.
            with open(path, "wb", buffering=0) as handle:
                report[path]["write"] = handle.write(b"x" * 4096)
        else:
            report[path]["open_for_write"] = attempt(lambda: os.close(os.open(path, os.O_WRONLY)))
    return json.dumps(report)
"""


def _host_state(paths):
    state = {}
    for path in paths:
        st = os.stat(path)
        state[path] = (st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)
    return state


def _bound_host_files(config):
    """(path inside, path on the host) of host files bound into the sandbox, one of each kind."""
    python = bwrap_command.base_interpreter(config)
    stdlib = bwrap_command.interpreter_layout(python)["stdlib"]
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    libc_dir = f"/usr/lib/{multiarch}" if multiarch else "/usr/lib"
    libc = next(os.path.join(libc_dir, name) for name in sorted(os.listdir(libc_dir)) if name.startswith("libc.so"))
    numpy_init = os.path.join(config.site_dir, "numpy", "__init__.py")
    pairs = [(path, path) for path in DEVICES]
    pairs += [(python, python), (os.path.join(stdlib, "os.py"), os.path.join(stdlib, "os.py")), (libc, libc),
              (f"{bwrap_command.SANDBOX_SITE}/numpy/__init__.py", numpy_init), (stdlib, stdlib)]
    return pairs


def test_no_host_file_changes_whatever_the_child_tries(sandbox):
    pairs = _bound_host_files(sandbox.config)
    host_paths = [host for _inside, host in pairs]
    before = _host_state(host_paths)
    outcome = sandbox.run(ATTACK, calls=[Call(name="probe", function="probe", args=([i for i, _ in pairs],))])
    assert outcome.calls["probe"].kind == "returned", outcome
    report = json.loads(outcome.calls["probe"].value)
    assert _host_state(host_paths) == before, (report, os.getuid())
    for inside, _host in pairs:
        seen = report[inside]
        for action in ("chmod", "chown", "lchown", "utime_now", "utime_set", "setxattr"):
            assert seen[action] != "done", (inside, action, seen)
        assert seen["raw"] == [-1, -1], (inside, seen)
        if inside.startswith("/dev/"):
            assert seen["write"] == 4096, seen
        else:
            assert seen["open_for_write"] != "done", (inside, seen)
    sandbox.assert_honest_submission_works()


def test_the_zygote_itself_sees_its_devices_read_only(sandbox):
    # The children's copies come from the zygote's own mount namespace, where
    # the device binds were made read-only at start: a cold sandbox (a new
    # zygote) is as safe as a warm one.
    before = _host_state(DEVICES)
    code = "import os\ndef probe():\n    return ' '.join(str(os.statvfs(p).f_flag & 1) for p in %r)\n" % DEVICES
    assert sandbox.run_cold(code).calls["probe"].value == " ".join("1" for _ in DEVICES)
    assert _host_state(DEVICES) == before
    sandbox.assert_honest_submission_works()

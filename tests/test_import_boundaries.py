"""Who may import whom: engine, the checks, and the two sides of the sandbox.

Each case runs in a fresh interpreter (nothing this test process already
imported can hide an import), which prints what it loaded and which hooks it
registered. The hooks are counted by wrapping os.register_at_fork and
atexit.register before the first project import; the standard library's own
(logging, random...) are not ours and are left out.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import atexit, json, os, subprocess, sys, threading

hooks = []
_at_fork, _at_exit = os.register_at_fork, atexit.register
def _name(function):
    return f"{getattr(function, '__module__', None)}.{getattr(function, '__qualname__', None)}"
def _record_at_fork(**kw):
    hooks.extend("at_fork " + _name(function) for function in kw.values())
    return _at_fork(**kw)
def _record_at_exit(function, *a, **kw):
    hooks.append("atexit " + _name(function))
    return _at_exit(function, *a, **kw)
os.register_at_fork, atexit.register = _record_at_fork, _record_at_exit
started = []
_popen_init, _thread_start = subprocess.Popen.__init__, threading.Thread.start
def _popen(self, *a, **kw):
    started.append("process")
    return _popen_init(self, *a, **kw)
def _thread(self):
    started.append("thread")
    return _thread_start(self)
subprocess.Popen.__init__, threading.Thread.start = _popen, _thread
before = set(sys.modules)

{body}

print(json.dumps({
    "loaded": sorted(set(sys.modules) - before),
    "hooks": [hook for hook in hooks if hook.split()[1].split(".")[0] in ("grader", "engine")],
    "started": started,
    "extra": globals().get("extra"),
}))
"""


def probe(body: str, *, env: dict | None = None) -> dict:
    code = PROBE.replace("{body}", textwrap.dedent(body))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def top_level(name: str) -> str:
    return name.split(".")[0]


def project_modules(loaded: list[str]) -> set[str]:
    return {name for name in loaded if top_level(name) in {"grader", "engine", "courses", "quizzes", "config"}}


def third_party(loaded: list[str]) -> set[str]:
    return {top_level(name) for name in loaded if top_level(name) not in sys.stdlib_module_names}


IMPORT_ALL = """
import importlib, pkgutil
package = importlib.import_module({package!r})
for info in pkgutil.walk_packages(package.__path__, {package!r} + "."):
    importlib.import_module(info.name)
"""


def test_engine_imports_neither_django_nor_grader():
    loaded = probe(IMPORT_ALL.format(package="engine"))["loaded"]

    assert "engine.softmax" in loaded  # the walk did import the engine
    assert third_party(loaded) == {"engine", "numpy"}
    assert project_modules(loaded) == {name for name in loaded if top_level(name) == "engine"}


def test_checks_import_no_django_no_sandbox_runtime_and_register_no_hook():
    result = probe(IMPORT_ALL.format(package="grader.checks"))
    loaded = set(result["loaded"])

    assert "grader.checks.softmax" in loaded
    assert "grader.sandbox.types" in loaded  # the value types the checks build and read
    assert third_party(result["loaded"]) <= {"grader", "engine", "numpy"}  # no django among them
    sandbox_runtime = {name for name in loaded if name.startswith("grader.sandbox.")} - {"grader.sandbox.types"}
    assert sandbox_runtime == set()
    assert result["hooks"] == [] and result["started"] == []


def test_inside_modules_import_only_the_standard_library_and_numpy():
    result = probe("""
        import grader.sandbox.inside.wire
        wire_loaded = set(sys.modules) - before
        import grader.sandbox.inside.harness, grader.sandbox.inside.supervisor
        extra = sorted(wire_loaded)
    """)
    packages = {"grader", "grader.sandbox", "grader.sandbox.inside"}
    inside = {"grader.sandbox.inside.wire", "grader.sandbox.inside.harness", "grader.sandbox.inside.supervisor"}

    assert project_modules(result["loaded"]) == packages | inside
    assert third_party(result["loaded"]) == {"grader"}  # numpy only when a harness runs (imported lazily)
    # What the trusted side pays for its constants: the standard library only.
    assert third_party(result["extra"]) == {"grader"}
    assert project_modules(result["extra"]) == packages | {"grader.sandbox.inside.wire"}
    assert result["hooks"] == [] and result["started"] == []


def test_the_sandbox_program_is_the_inside_files_and_imports_nothing_of_the_project():
    from grader.sandbox.inside import PROGRAM_FILES, program_source

    program = program_source()
    compiled = compile(program, "<sandbox program>", "exec")

    assert [line for line in program.splitlines() if line.startswith("# ---- ")] == [
        f"# ---- {name}" for name in PROGRAM_FILES
    ]
    assert "grader" not in compiled.co_names and "from ." not in program
    # The names the cut `from .wire import ...` lines brought in are defined before use.
    assert program.index("def write_all(") < program.index("class Harness:") < program.index("class Zygote:")


def test_the_trusted_side_never_imports_the_supervisor_or_the_harness(tmp_path):
    result = probe(
        """
        import django
        django.setup()
        import importlib, pkgutil
        import grader
        for info in pkgutil.walk_packages(grader.__path__, "grader."):
            if info.name.startswith("grader.sandbox.inside"):
                continue
            importlib.import_module(info.name)
        from grader.sandbox import bwrap_command
        bwrap_command.program_source()  # read as text, never imported
        """,
        env={**_django_env(), "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    loaded = set(result["loaded"])

    assert {"grader.sandbox.pool", "grader.sandbox.process", "grader.sandbox.codec", "grader.tasks"} <= loaded
    assert "grader.sandbox.inside.wire" in loaded
    assert not loaded & {"grader.sandbox.inside.supervisor", "grader.sandbox.inside.harness"}


def test_importing_the_sandbox_package_registers_no_hook_and_starts_nothing():
    result = probe("""
        import grader.sandbox, grader.sandbox.types, grader.sandbox.config, grader.sandbox.inside.wire
        from grader.sandbox import Call, Limits, SandboxConfig, SandboxUnavailable
        extra = sorted(name for name in sys.modules if name.startswith("grader.sandbox"))
    """)

    assert result["hooks"] == [] and result["started"] == []
    assert "grader.sandbox.pool" not in result["extra"]
    assert "grader.sandbox.process" not in result["extra"]


def test_the_pool_registers_its_hooks_once_when_first_created():
    result = probe("""
        from grader.sandbox import SandboxConfig, get_pool
        from grader.sandbox.pool import shutdown
        extra = [hook for hook in hooks if "grader" in hook]  # after importing the pool: none yet
        config = SandboxConfig(site_dir=".", mode="unsafe", allow_unsafe=True)
        get_pool(config)
        get_pool(config)
        shutdown()
    """)

    assert result["extra"] == []
    assert sorted(result["hooks"]) == [
        "at_fork grader.sandbox.pool._after_fork_in_child",
        "atexit grader.sandbox.pool.shutdown",
    ]


def _django_env() -> dict:
    import os

    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "import-boundaries-only")
    return env

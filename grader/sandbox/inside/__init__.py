"""The code that runs INSIDE the sandbox, kept apart from the trusted side.

    wire        the protocol both sides share (constants, framing); the only
                file here the trusted side imports
    harness     the child's side: load the submission, run calls, send results
    supervisor  the zygote: fork, watch, seal, swap /tmp, join the memory cgroup

No project file is visible inside the sandbox (THREATS 1), so the three are
not imported there: `program_source` joins their sources, in this order, into
the one program bubblewrap's python runs with `-c`. Each file's imports of an
earlier one (`from .wire import ...`) are there for the reader, linters and
tests; they are cut from the program, whose single namespace already holds
those names.
"""

import ast
import functools
import sys
from pathlib import Path

PROGRAM_FILES = ("wire.py", "harness.py", "supervisor.py")
# What the program may import besides the standard library.
THIRD_PARTY = {"numpy"}


@functools.cache
def program_source() -> str:
    """The sandbox's program: wire, harness and supervisor, as one source.

    Refuses to build a program that would import a project module, or whose
    files would silently rebind one another's top-level names.
    """
    here = Path(__file__).resolve().parent
    defined: dict[str, str] = {}
    parts = []
    for filename in PROGRAM_FILES:
        source = (here / filename).read_text(encoding="utf-8")
        tree = ast.parse(source, filename)
        cut: set[int] = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level:
                for alias in node.names:
                    if defined.get(alias.name) != f"{node.module}.py":
                        raise ImportError(f"{filename}: {alias.name} is not defined by an earlier {node.module}.py")
                cut.update(range(node.lineno - 1, node.end_lineno))
                continue
            for name in _top_level_names(node):
                if name in defined and defined[name] != filename and not isinstance(node, ast.Import):
                    raise ImportError(f"{filename} redefines {name} from {defined[name]}")
                defined.setdefault(name, filename)
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module]
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in THIRD_PARTY:
                    raise ImportError(f"{filename} imports {module}, which is not there inside the sandbox")
        lines = source.splitlines(keepends=True)
        parts.append(f"# ---- {filename}\n" + "".join(line for number, line in enumerate(lines) if number not in cut))
    return "\n\n".join(parts)


def _top_level_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Import):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return [name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)]

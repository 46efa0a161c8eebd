"""The sandbox that runs untrusted student code (see THREATS.md, DESIGN.md).

Public API (no Django here; the Django side passes a SandboxConfig built from
its settings):

    config = SandboxConfig(site_dir=..., mode="bwrap")
    run_submission(code, calls, required, limits, config=config) -> RunOutcome   # warm pool
    run_submission_cold(code, calls, required, limits, config=config) -> RunOutcome
    warm_up(config); shutdown(); get_pool(config).zygote_pids()

Modules: types (what crosses the boundary), config (settings and errors),
bwrap_command (what the sandbox sees), seccomp_filters (what it may call),
inside/ (the program that runs in the sandbox; the trusted side imports only
its wire protocol), process (one zygote from the outside), codec and outcome
(reading what comes back, as hostile), pool (the warm pool).

Importing this package imports nothing: `grader.checks` needs only the value
types, and the pool (with its fork and exit hooks) is loaded on first use of
a name below that lives there.
"""

import importlib

_LOCATIONS = {
    "Call": "types",
    "CallOutcome": "types",
    "Limits": "types",
    "RunOutcome": "types",
    "SandboxConfig": "config",
    "SandboxError": "config",
    "SandboxNotConfigured": "config",
    "SandboxUnavailable": "config",
    "get_pool": "pool",
    "run_submission": "pool",
    "run_submission_cold": "pool",
    "shutdown": "pool",
    "warm_up": "pool",
}

__all__ = sorted(_LOCATIONS)


def __getattr__(name: str):
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LOCATIONS))

"""The sandbox that runs untrusted student code (see THREATS.md, DESIGN.md).

Public API (no Django here; the Django side passes a SandboxConfig built from
its settings):

    config = SandboxConfig(site_dir=..., mode="bwrap")
    run_submission(code, calls, required, limits, config=config) -> RunOutcome   # warm pool
    run_submission_cold(code, calls, required, limits, config=config) -> RunOutcome
    warm_up(config); shutdown(); get_pool(config).zygote_pids()

Modules: types (what crosses the boundary), config (settings and errors),
bwrap_command (what the sandbox sees), seccomp_filters (what it may call),
zygote (the inside), process (one zygote from the outside), codec and
outcome (reading what comes back, as hostile), pool (the warm pool).
"""

from grader.sandbox.config import SandboxConfig, SandboxError, SandboxNotConfigured, SandboxUnavailable
from grader.sandbox.pool import get_pool, run_submission, run_submission_cold, shutdown, warm_up
from grader.sandbox.types import Call, CallOutcome, Limits, RunOutcome

__all__ = [
    "Call",
    "CallOutcome",
    "Limits",
    "RunOutcome",
    "SandboxConfig",
    "SandboxError",
    "SandboxNotConfigured",
    "SandboxUnavailable",
    "get_pool",
    "run_submission",
    "run_submission_cold",
    "shutdown",
    "warm_up",
]

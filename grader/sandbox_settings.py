"""The Django side of the sandbox: its configuration comes from settings.

grader/sandbox knows nothing of Django; this is the one place that turns
SANDBOX_MODE / SANDBOX_SITE_DIR / DEBUG into a SandboxConfig.
"""

from functools import cache

from django.conf import settings

from grader.sandbox import SandboxConfig, run_submission, run_submission_cold
from grader.sandbox.types import Call, Limits, RunOutcome


@cache
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(
        site_dir=str(settings.SANDBOX_SITE_DIR),
        mode=settings.SANDBOX_MODE,
        # settings already refuse unsafe mode without DEBUG; this says it twice.
        allow_unsafe=settings.DEBUG,
    )


def run_in_sandbox(
    *, code: str, calls: list[Call], required: list[str], limits: Limits, cold: bool = False, while_waiting=None
) -> RunOutcome:
    run = run_submission_cold if cold else run_submission
    return run(code, calls, required, limits, config=sandbox_config(), while_waiting=while_waiting)

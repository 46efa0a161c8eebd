"""How the sandbox is set up, and the errors that are ours rather than the student's.

No Django here: the Django side builds a SandboxConfig from its settings
(SANDBOX_SITE_DIR, SANDBOX_MODE, DEBUG) and tests build one directly.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = ("bwrap", "unsafe")


class SandboxError(Exception):
    """Base class of the sandbox's infrastructure errors."""


class SandboxUnavailable(SandboxError):
    """The sandbox cannot run at all on this machine or with this configuration.

    Never raised for anything a submission does: that is a RunOutcome.
    """


class SandboxNotConfigured(SandboxUnavailable):
    pass


@dataclass(frozen=True)
class SandboxConfig:
    # The sandbox's own package dir: numpy and nothing else (`make install`).
    site_dir: str
    # "bwrap": bubblewrap + seccomp (production). "unsafe": a plain subprocess,
    # for development machines without user namespaces. Both need Linux (the
    # zygote uses pidfds and prctl): on macOS, run the worker in a container.
    mode: str = "bwrap"
    # unsafe mode must be asked for twice: by mode and by this flag (Django: DEBUG).
    allow_unsafe: bool = False
    # The sandbox's /tmp (a fresh tmpfs for every submission) and the
    # largest file a submission may write there (RLIMIT_FSIZE).
    tmp_size_bytes: int = 32 * 1024 * 1024
    # Files (inodes) in it: each is kernel memory no rlimit counts.
    tmp_files: int = 16 * 1024
    file_size_bytes: int = 16 * 1024 * 1024
    open_files: int = 64
    # Where a memory cgroup can be had, it holds each run to its memory limit
    # plus this: room for the tmpfs, pipes and the kernel's bookkeeping, so
    # that an honest run meets RLIMIT_AS (a MemoryError) long before it.
    memory_cgroup_slack_bytes: int = 96 * 1024 * 1024
    # All result frames of one run together, and one frame, at most.
    max_result_bytes: int = 32 * 1024 * 1024
    # Visible stdout kept for the student (the rest is counted, not kept).
    visible_output_bytes: int = 8 * 1024
    # The worker gives the zygote this much beyond the run's wall limit before
    # it declares the zygote broken (reaping and wiping take a little time).
    wall_margin_seconds: float = 5.0
    startup_timeout_seconds: float = 60.0
    # Normally found at run time; set to override.
    bwrap_path: str = ""
    python_path: str = ""

    def __post_init__(self):
        if self.mode not in MODES:
            raise SandboxUnavailable(f"sandbox mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.mode == "unsafe" and not self.allow_unsafe:
            raise SandboxUnavailable(
                "sandbox mode 'unsafe' runs student code unconfined; it is refused unless the configuration "
                "also says allow_unsafe=True (the Django settings allow it only with DEBUG=1)"
            )
        if not self.site_dir:
            raise SandboxUnavailable("site_dir is empty: point it at the sandbox's package dir (make install)")

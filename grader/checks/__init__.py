"""Check suites: exercises are data.

An Exercise names a suite (`check_suite`) and overrides some of its parameters
(`check_params`). `build_cases(suite, params=..., seed=...)` turns that into the
list of `Case`s for one submission: the `Call`s to run in the sandbox, and,
kept on the trusted side, the expected values and known-mistake values the
reference engine computed. `judge(case, outcome)` compares what came back.

Everything here is pure Python + numpy: no Django, no sandbox.
"""

import numpy as np

from grader.checks.base import KINDS, Case, CheckConfigError, Verdict, Builder
from grader.checks.compare import judge
from grader.checks.messages import Bilingual
from grader.checks.verdicts import judge_run
from grader.checks.registry import REGISTRY, get_suite

__all__ = [
    "SUITES",
    "Case",
    "CheckConfigError",
    "KINDS",
    "Verdict",
    "build_cases",
    "default_params",
    "hidden_hint",
    "judge",
    "judge_run",
    "suite_functions",
    "validate_params",
]

SUITES: tuple[str, ...] = tuple(REGISTRY)

MAX_SEED = 2**63  # seeds are stored in a signed 64-bit column


def default_params(suite: str) -> dict:
    """Every parameter of `suite` with its default value."""
    return get_suite(suite).defaults()


def validate_params(suite: str, params) -> dict:
    """The defaults of `suite` updated with `params`, or CheckConfigError saying what is wrong.

    For admin: call it when an instructor saves check_suite/check_params.
    """
    return get_suite(suite).validate(params)


def hidden_hint(suite: str) -> Bilingual:
    """Where to look when only hidden tests fail: the exercise's own edge cases."""
    return get_suite(suite).hidden_hint


def suite_functions(suite: str) -> tuple[str, ...]:
    """The function names a submission must define for `suite`."""
    return get_suite(suite).functions


def build_cases(suite: str, *, params: dict, seed: int) -> list[Case]:
    """The cases of one grading run; the same (suite, params, seed) gives the same cases."""
    spec = get_suite(suite)
    merged = spec.validate(params)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < MAX_SEED:
        raise CheckConfigError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    # Imported here: the engine is only needed to build cases, not to judge them.
    import engine
    import engine.mistakes

    reference = engine.REFERENCE[spec.name]
    mistakes = engine.mistakes.MISTAKES.get(spec.name, {})
    builder = Builder(spec, merged, reference, mistakes)
    spec.build(builder, merged, np.random.default_rng(int(seed)))
    builder.add_unchanged_checks()
    return builder.cases()

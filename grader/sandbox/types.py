"""What crosses the sandbox boundary, as seen from the trusted side.

The checks build `Call`s; the sandbox runs them on the student's code and
gives back a `RunOutcome` whose values are plain data that the trusted side
already validated: None, bools, ints, floats, plain ndarrays of a bool, int or
float dtype of at most 8 bytes (kept as returned: a float32 answer stays
float32), lists and tuples of those, and strings from visible calls only.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0
    wall_seconds: float = 5.0
    memory_mb: int = 512
    # What the submission may print in all; more is cut and the run is an output_limit.
    output_bytes: int = 64 * 1024


@dataclass(frozen=True)
class Call:
    """One call of a student's function: `function(*args, **kwargs)`.

    args/kwargs hold only: None, bool, int, float, str, numpy arrays
    (float64, float32, int64, bool), and lists/tuples/dicts of those.
    """

    name: str
    function: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    hidden: bool = False
    # Ask the sandbox whether the call changed its positional arguments in
    # place (a padded corpus list, `x -= ...` on the caller's array).
    report_changed_args: bool = False


@dataclass
class CallOutcome:
    name: str
    # "returned": value holds the validated return value.
    # "raised":   the call raised; traceback is the student's own frames (visible calls only).
    # "bad_return": the return value is not plain numeric data (an object, a string...);
    #               detail says what it was (visible calls only).
    # "not_run":  the run stopped (time, memory, output, crash) before this call finished.
    kind: str
    value: Any = None
    traceback: str = ""
    detail: str = ""
    exception_type: str = ""  # visible calls only: a name the submission may have chosen
    # For a Call with report_changed_args: the positions of the arguments the
    # call changed in place (indices only: nothing of their contents).
    changed_args: tuple = ()


@dataclass
class RunOutcome:
    # "ok" | "error" (the module failed to load) | "timeout" | "memory_limit" | "output_limit" | "crashed"
    status: str
    calls: dict[str, CallOutcome]
    missing_functions: list[str] = field(default_factory=list)
    load_error: str = ""  # the student's traceback when the module failed to load
    stdout: str = ""  # what the submission printed at import and in visible calls, cut to a few KiB
    duration_ms: float = 0.0
    detail: str = ""  # for the operator: how the child ended

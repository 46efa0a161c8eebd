"""From what the sandbox sent back to a RunOutcome: statuses and per-call results.

Runs on the trusted side. The zygote's own status (exit code, signal, why it
killed the child, CPU time) is trusted: the zygote is ours and the child
cannot reach it. The frames are not: they come from the child, so a frame
counts only if it is well formed, names a call of this run, and belongs to the
right phase (visible calls before the seal, hidden calls after it). The first
accepted frame for a call wins. Hidden calls keep no text at all.

Whatever the frames hold, reading them never raises (THREATS 8): a raise here
would be retried as the grader's failure, cost the student no attempt, and
could be made to happen on a hidden input only. A frame naming a call whose
value cannot be read is that call's `bad_return`; a frame that cannot be read
at all (not strict JSON, not UTF-8, too costly to parse) names nothing we can
trust and counts for nothing. The cost of reading is bounded per run
(codec.ReadBudget).
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass, field

from grader.sandbox import codec
from grader.sandbox.types import Call, CallOutcome, Limits, RunOutcome
from grader.sandbox.inside.wire import EXIT_INTERNAL, EXIT_MEMORY

MAX_TRACEBACK = 16 * 1024
MAX_DETAIL = 1024
MAX_EXCEPTION_NAME = 200
MAX_CHANGED_ARGS = 16  # no check's function takes more positional arguments

logger = logging.getLogger("grader.sandbox")


@dataclass
class RawRun:
    """One request's answer from the zygote, before any interpretation."""

    frames: list = field(default_factory=list)  # [(after_seal: bool, bytes)]
    status: dict = field(default_factory=dict)
    visible_output: bytes = b""
    stream_problem: str = ""


@dataclass
class _Said:
    calls: dict = field(default_factory=dict)
    load_error: str = ""
    missing: list = field(default_factory=list)
    memory: bool = False
    done: bool = False
    unreadable: int = 0  # frames that were not strict JSON objects, or too costly to parse


def _read_frames(raw: RawRun, calls: list[Call], required: list[str]) -> _Said:
    visible_names = {call.name for call in calls if not call.hidden}
    hidden_names = {call.name for call in calls if call.hidden}
    said = _Said()
    budget = codec.ReadBudget()
    for after_seal, body in raw.frames:
        frame = codec.parse_frame(body, budget)
        if frame is None:
            said.unreadable += 1
            continue
        kind = frame.get("k")
        if kind == "call":
            name = frame.get("name")
            allowed = hidden_names if after_seal else visible_names
            if type(name) is str and name in allowed and name not in said.calls:
                outcome = _call_outcome(name, frame, hidden=name in hidden_names, budget=budget)
                if outcome is not None:
                    said.calls[name] = outcome
        elif kind == "memory":
            said.memory = True
        elif kind == "done":
            said.done = True
        elif after_seal:
            continue  # text after the seal is never shown
        elif kind == "load_error" and not said.load_error and type(frame.get("tb")) is str:
            said.load_error = codec.clean_text(frame["tb"], MAX_TRACEBACK) or "the module failed to load"
        elif kind == "missing" and type(frame.get("names")) is list:
            # Only names we asked for: no text of the student's choosing.
            named = set(frame["names"]) if all(type(n) is str for n in frame["names"]) else set()
            said.missing = [name for name in required if name in named]
    return said


def _changed(frame: dict) -> tuple:
    """The argument positions a call reports as changed: small ints only, each once, in order."""
    changed = frame.get("changed")
    if type(changed) is not list or len(changed) > MAX_CHANGED_ARGS:
        return ()
    return tuple(sorted({i for i in changed if type(i) is int and 0 <= i < MAX_CHANGED_ARGS}))


def _text(frame: dict, key: str, limit: int) -> str:
    value = frame.get(key, "")
    return codec.clean_text(value, limit) if type(value) is str else ""


def _call_outcome(name: str, frame: dict, *, hidden: bool, budget: codec.ReadBudget) -> CallOutcome | None:
    try:
        return _call_outcome_of(name, frame, hidden=hidden, budget=budget)
    except Exception as exc:  # noqa: BLE001 - the child's frame, so the child's bad return
        logger.warning("call %s: a result frame the reader did not expect: %s", name, type(exc).__name__)
        return CallOutcome(name=name, kind="bad_return", detail="" if hidden else "data the grader cannot read")


def _call_outcome_of(name: str, frame: dict, *, hidden: bool, budget: codec.ReadBudget) -> CallOutcome | None:
    kind = frame.get("kind")
    if kind == "returned":
        if "value" not in frame:
            return None
        try:
            value = codec.decode_value(frame["value"], allow_str=not hidden, budget=budget)
        except codec.BadValue as bad:
            return CallOutcome(name=name, kind="bad_return", detail="" if hidden else bad.detail)
        return CallOutcome(name=name, kind="returned", value=value, changed_args=_changed(frame))
    if kind == "raised":
        if hidden:
            return CallOutcome(name=name, kind="raised")
        return CallOutcome(
            name=name,
            kind="raised",
            traceback=_text(frame, "tb", MAX_TRACEBACK),
            exception_type=_text(frame, "exc", MAX_EXCEPTION_NAME),
        )
    if kind == "bad_return":
        return CallOutcome(name=name, kind="bad_return", detail="" if hidden else _text(frame, "detail", MAX_DETAIL))
    return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _status(raw: RawRun, said: _Said, limits: Limits) -> tuple[str, str]:
    """(status, operator detail), most specific cause first."""
    st = raw.status
    killed, sig, code = st.get("killed"), st.get("signal"), st.get("exit")
    cpu = float(st.get("cpu") or 0.0)
    usage = f"cpu {cpu:.2f} s, wall {float(st.get('wall') or 0.0):.2f} s, peak rss {int(st.get('maxrss_kb') or 0) // 1024} MiB"
    if killed == "output":
        return "output_limit", f"printed more than {limits.output_bytes} bytes; {usage}"
    if killed == "results":
        return "output_limit", f"returned more result data than the sandbox accepts; {usage}"
    if killed == "memory":
        # The memory cgroup's SIGKILL: memory the child held past its limit,
        # whichever way it found around RLIMIT_AS. The student's limit, not a crash.
        return "memory_limit", f"killed (SIGKILL) by the memory cgroup above {limits.memory_mb} MiB; {usage}"
    if said.memory or code == EXIT_MEMORY:
        return "memory_limit", f"MemoryError under a {limits.memory_mb} MiB address-space limit; {usage}"
    if killed == "wall":
        return "timeout", f"wall-clock limit {limits.wall_seconds} s; {usage}"
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and killed is None):
        # Nothing inside may send signals (seccomp): a SIGKILL the zygote did
        # not send is the kernel's hard RLIMIT_CPU.
        return "timeout", f"CPU limit {limits.cpu_seconds} s ({_signal_name(sig)}); {usage}"
    if said.load_error:
        return "error", f"the module failed to load; {usage}"
    if said.missing:
        return "error", f"required functions missing: {', '.join(said.missing)}; {usage}"
    if raw.stream_problem:
        # Only a submission writing to the result pipe itself gets here.
        return "crashed", f"result stream unreadable ({raw.stream_problem}); {usage}"
    if sig is not None:
        return "crashed", f"killed by {_signal_name(sig)}; {usage}"
    if code == EXIT_INTERNAL:
        return "crashed", f"the harness inside the sandbox failed (exit {code}); {usage}"
    if not said.done:
        return "crashed", f"the process ended before finishing (exit {code}); {usage}"
    return "ok", usage


_NOT_RUN_DETAIL = {
    "timeout": "the run stopped at the time limit before this call finished",
    "memory_limit": "the run stopped at the memory limit before this call finished",
    "output_limit": "the run stopped at the output limit before this call finished",
    "crashed": "the run ended before this call finished",
    "error": "the module failed to load",
    "ok": "the run ended before this call finished",
}


def build_outcome(raw: RawRun, *, calls: list[Call], required: list[str], limits: Limits, duration_ms: float,
                  visible_output_limit: int) -> RunOutcome:
    said = _read_frames(raw, calls, required)
    status, detail = _status(raw, said, limits)
    if said.unreadable:
        detail += f"; {said.unreadable} unreadable result frame(s) ignored"
    outcomes = {}
    for call in calls:
        outcome = said.calls.get(call.name)
        if outcome is None:
            if call.function in said.missing:
                why = f"the submission defines no function named {call.function}"
            else:
                why = _NOT_RUN_DETAIL[status]
            outcome = CallOutcome(name=call.name, kind="not_run", detail=why)
        outcomes[call.name] = outcome
    return RunOutcome(
        status=status,
        calls=outcomes,
        missing_functions=said.missing,
        load_error=said.load_error,
        stdout=codec.decode_output(raw.visible_output, visible_output_limit),
        duration_ms=duration_ms,
        detail=detail,
    )


def failed_outcome(calls: list[Call], *, status: str, detail: str, duration_ms: float) -> RunOutcome:
    """Every call not_run: what a run the sandbox could not complete looks like."""
    return RunOutcome(
        status=status,
        calls={call.name: CallOutcome(name=call.name, kind="not_run", detail=_NOT_RUN_DETAIL[status]) for call in calls},
        duration_ms=duration_ms,
        detail=detail,
    )

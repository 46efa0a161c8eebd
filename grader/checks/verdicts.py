"""Every test of one run judged together: what one test's judge() cannot see alone.

judge() compares one answer with one expected value. Some feedback needs the
whole run:
- a test that did not run says why in the run's own terms (the file did not
  load, a function is missing, the time limit...), never another cause;
- a known mistake is named only where no other test of the same function
  contradicts it: where two mistakes give the same wrong value on one input
  (both give 0.0), the one the answers elsewhere do not reproduce is another
  cause, and naming it would send the student the wrong way;
- a function that passes its unbatched tests but fails where the input has
  extra leading (batch) axes is told so, with the shape it failed on.
Pure: no Django, no sandbox.
"""

from __future__ import annotations

from dataclasses import replace

from grader.checks import messages as M
from grader.checks.base import Case, Verdict
from grader.checks.compare import judge, reproduces
from grader.checks.messages import Bilingual
from grader.sandbox.types import CallOutcome, RunOutcome

# A failure that came back from the function (not a stop of the whole run).
_ANSWERED = ("returned", "raised", "bad_return")


def judge_run(cases: list[Case], run: RunOutcome, *, status: str) -> list[Verdict]:
    """One Verdict per case, in the cases' order."""
    kinds = []
    verdicts = []
    outcomes = [run.calls.get(case.call.name) or CallOutcome(name=case.call.name, kind="not_run") for case in cases]
    for case, outcome in zip(cases, outcomes):
        if case.call.function in run.missing_functions:
            verdicts.append(Verdict(False, *M.missing_function(case.call.function)))
            kinds.append("missing")
            continue
        verdicts.append(judge(case, outcome, status=status))
        kinds.append(outcome.kind)
    verdicts = _rule_out_contradicted(cases, outcomes, verdicts, status)
    return _explain_batches(cases, verdicts, kinds)


def _rule_out_contradicted(cases, outcomes, verdicts, status) -> list[Verdict]:
    """Judge again, without them, the tests that named a mistake another test contradicts."""
    suspects = {(case.call.function, m) for case, v in zip(cases, verdicts) if not v.passed for m in v.matched}
    if not suspects:
        return verdicts
    contradicted = set()
    for function, mistake_id in suspects:
        for case, outcome in zip(cases, outcomes):
            # A case where the mistake would show, answered otherwise (right, or
            # wrong in another way), says the student did not make it.
            if case.call.function == function and reproduces(case, outcome, mistake_id) is False:
                contradicted.add((function, mistake_id))
                break
    if not contradicted:
        return verdicts
    out = []
    for case, outcome, verdict in zip(cases, outcomes, verdicts):
        ruled_out = frozenset(m for m in verdict.matched if (case.call.function, m) in contradicted)
        if ruled_out:
            verdict = judge(case, outcome, status=status, ruled_out=ruled_out)
        out.append(verdict)
    return out


def _explain_batches(cases, verdicts, kinds) -> list[Verdict]:
    works_unbatched = {
        case.call.function
        for case, verdict in zip(cases, verdicts)
        if verdict.passed and case.batch_shape is None
    }
    out = []
    for case, verdict, kind in zip(cases, verdicts, kinds):
        if (
            not verdict.passed
            and not verdict.mistake  # a known mistake explains it better
            and kind in _ANSWERED
            and case.batch_shape is not None
            and case.call.function in works_unbatched
        ):
            shape = M.fmt_shape(case.batch_shape)
            note = M.join(
                Bilingual(
                    f"Your function passes the tests without batch axes but fails here, where the input has "
                    f"extra leading (batch) axes: shape {shape}.",
                    f"你的函数通过了不带批量维的测试，但在这里失败了：这里的输入带有额外的前导（批量）维，形状为 {shape}。",
                ),
                case.batch_hint,
                separator=" ",
            )
            en, zh = M.join(Bilingual(verdict.message_en, verdict.message_zh), note)
            verdict = replace(verdict, message_en=en, message_zh=zh)
        out.append(verdict)
    return out

"""The data a check suite produces, and the machinery every suite shares.

A suite turns (params, seed) into a list of `Case`s. Each case carries the
`Call` that goes into the sandbox and, separately, what the trusted side needs
to judge the answer: the expected value and the values of known mistakes, all
computed here by the reference engine, outside the sandbox.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np

from grader.checks.messages import Bilingual, fmt_call
from grader.sandbox.types import Call

# How judge() compares a returned value with the expected one.
KIND_ARRAY = "array"  # float array (or scalar of shape ()), allclose
KIND_SCALAR = "scalar"  # one float, shape (), allclose
KIND_TUPLE = "tuple"  # fixed-length tuple of float arrays, each allclose
KIND_INT = "int"  # integer array/scalar, exact equality, integer dtype required
KIND_BOOL = "bool"  # bool array, exact equality, bool dtype required
KINDS = (KIND_ARRAY, KIND_SCALAR, KIND_TUPLE, KIND_INT, KIND_BOOL)


class CheckConfigError(ValueError):
    """A suite name or a parameter an instructor set is not usable."""


@dataclass
class Case:
    """One graded test: the call to make and how to judge what comes back."""

    name_en: str
    name_zh: str
    call: Call
    weight: float
    kind: str = KIND_ARRAY
    rtol: float = 1e-6
    atol: float = 1e-9
    # For KIND_TUPLE: the names of the parts, e.g. ("output", "weights").
    parts: tuple = ()
    # part index (0 for a plain array) -> bool array of positions that must be
    # exactly 0.0, tolerance or not (attention weights at masked positions).
    exact_zeros: dict = field(default_factory=dict)
    # Mistake to name when the output is NaN/inf where the expected is finite
    # and no mistake value matched exactly (large inputs: exp overflowed).
    nonfinite_mistake: str = ""
    # For KIND_TUPLE: the mistake to name when one array shaped like the first
    # part comes back instead of the tuple (attention: weights_not_returned).
    single_array_mistake: str = ""
    # What usually makes NaN/inf appear in this function.
    nonfinite_hint: Bilingual = Bilingual("", "")
    # The names of the call's arguments, to show a visible case's call as Python.
    arg_names: tuple = ()
    # Computes {mistake id -> what that engine mistake variant returns on the
    # same inputs}. Running every variant costs more than the rest of a grade
    # and matters only for a wrong answer, so it runs on first use.
    mistake_source: Callable[[Any], dict] | None = field(default=None, repr=False, compare=False)
    # Computes the expected value. On first use, so that grading can compute it
    # while the submission runs in the sandbox (see grader.code_grading).
    expected_source: Callable[[], Any] | None = field(default=None, repr=False, compare=False)

    @property
    def hidden(self) -> bool:
        return self.call.hidden

    @cached_property
    def expected(self) -> Any:
        return self.expected_source()

    @cached_property
    def mistakes(self) -> dict:
        return self.mistake_source(self.expected) if self.mistake_source is not None else {}

    @cached_property
    def shown(self) -> str:
        """The call as Python source, for visible cases only (formatting arrays is slow: on demand)."""
        if self.hidden or not self.arg_names:
            return ""
        return fmt_call(self.call.function, self.call.args, self.arg_names)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message_en: str
    message_zh: str
    mistake: str = ""


# ----------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class Param:
    """One instructor-editable knob with its type and allowed range."""

    name: str
    type: type  # int or float
    default: Any
    low: float
    high: float
    help: str = ""
    low_inclusive: bool = True

    def check(self, value):
        # bool is an int subclass; True for a case count is a typo, not a 1.
        if isinstance(value, bool):
            raise CheckConfigError(f"{self.name}: expected {self.type.__name__}, got a boolean")
        if self.type is int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # JSON editors sometimes write 3 as 3.0
            if not isinstance(value, int):
                raise CheckConfigError(f"{self.name}: expected an integer, got {type(value).__name__} {value!r}")
        else:
            if not isinstance(value, (int, float)):
                raise CheckConfigError(f"{self.name}: expected a number, got {type(value).__name__} {value!r}")
            value = float(value)
            if not math.isfinite(value):
                raise CheckConfigError(f"{self.name}: must be finite, got {value!r}")
        too_low = value < self.low if self.low_inclusive else value <= self.low
        if too_low or value > self.high:
            left = "[" if self.low_inclusive else "("
            raise CheckConfigError(
                f"{self.name}: {value!r} is out of range {left}{self.low:g}, {self.high:g}]"
                + (f" ({self.help})" if self.help else "")
            )
        return value


def count_params(visible: int, hidden: int) -> tuple[Param, ...]:
    """How many random cases on top of the fixed edge cases."""
    return (
        Param("visible", int, visible, 0, 20, "random visible cases besides the fixed ones"),
        Param("hidden", int, hidden, 0, 50, "random hidden cases besides the fixed ones"),
    )


def tolerance_params(rtol: float = 1e-6, atol: float = 1e-9) -> tuple[Param, ...]:
    # Up to 1e-2: looser than that accepts wrong formulas.
    return (
        Param("rtol", float, rtol, 0.0, 1e-2, "relative tolerance"),
        Param("atol", float, atol, 0.0, 1e-2, "absolute tolerance"),
    )


@dataclass(frozen=True)
class Suite:
    name: str  # the check_suite value, equal to the exercise slug
    functions: tuple  # the functions a submission must define
    params: tuple  # Param, ...
    build: Callable  # build(builder, params, rng) -> None
    # Cross-parameter rules, e.g. min <= max: params -> error message or "".
    constraints: tuple = ()
    nonfinite_hint: Bilingual = Bilingual("", "")

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def validate(self, params) -> dict:
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise CheckConfigError(f"check_params must be a JSON object, got {type(params).__name__}")
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known), key=str)
        if unknown:
            raise CheckConfigError(
                f"unknown parameter(s) for suite {self.name!r}: {', '.join(map(str, unknown))}; "
                f"known: {', '.join(known)}"
            )
        merged = self.defaults()
        for key, value in params.items():
            merged[key] = known[key].check(value)
        for rule in self.constraints:
            problem = rule(merged)
            if problem:
                raise CheckConfigError(f"{self.name}: {problem}")
        return merged


def min_max_rule(low: str, high: str):
    def rule(p):
        return f"{low} ({p[low]}) must not exceed {high} ({p[high]})" if p[low] > p[high] else ""

    return rule


# ----------------------------------------------------------------------------
# Building cases


def _quiet(fn, *args):
    # Mistake variants overflow on purpose (naive softmax on 1e3): that is the
    # value we want to record, not a warning for the worker's log.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*copy.deepcopy(args))


def _as_plain(value):
    """Engine results as the judge will see them: tuples of arrays or arrays."""
    if isinstance(value, tuple):
        return tuple(_as_plain(v) for v in value)
    return np.asarray(value)


def _same(a, b, rtol, atol) -> bool:
    """Whether two engine results are equal within tolerance (NaN equals NaN)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            isinstance(a, tuple)
            and isinstance(b, tuple)
            and len(a) == len(b)
            and all(_same(x, y, rtol, atol) for x, y in zip(a, b))
        )
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "biu" or b.dtype.kind in "biu":
        return bool(np.array_equal(a, b))
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


class Builder:
    """Collects a suite's cases; computes expected values and mistake values."""

    def __init__(self, suite: Suite, params: dict, reference: dict, mistakes: dict):
        self.suite = suite
        self.params = params
        self.reference = reference  # function name -> callable
        self.mistake_variants = mistakes  # function name -> {mistake id -> callable}
        self._cases: list[tuple[Case, bool]] = []

    def add(
        self,
        name_en: str,
        name_zh: str,
        function: str,
        args: tuple,
        *,
        hidden: bool,
        weight: float = 1.0,
        kind: str = KIND_ARRAY,
        rtol: float | None = None,
        atol: float | None = None,
        parts: tuple = (),
        exact_zeros: dict | None = None,
        nonfinite_mistake: str = "",
        single_array_mistake: str = "",
        arg_names: tuple = (),
        expected_args: tuple | None = None,
    ) -> Case:
        """Add one case.

        `args` go into the sandbox as they are. `expected_args` (default: `args`)
        are what the engine sees: float32 cases pass the float32 values widened
        to float64, so the expected value is exact for the inputs the student got.
        """
        assert kind in KINDS, kind
        rtol = self.params["rtol"] if rtol is None else rtol
        atol = self.params["atol"] if atol is None else atol
        ref_args = args if expected_args is None else expected_args
        reference = self.reference[function]

        def expected_source():
            return _as_plain(_quiet(reference, *ref_args))

        variants = sorted(self.mistake_variants.get(function, {}).items())

        def mistake_source(expected):
            mistakes = {}
            for mistake_id, variant in variants:
                try:
                    value = _as_plain(_quiet(variant, *ref_args))
                except Exception:  # a variant that crashes on these inputs tells us nothing
                    continue
                if isinstance(value, np.ndarray) and value.dtype.kind not in "biuf":
                    continue
                # A variant that agrees with the reference on these inputs cannot be
                # told apart from a right answer here, so it is not worth recording.
                if not _same(value, expected, rtol, atol):
                    mistakes[mistake_id] = value
            return mistakes

        case = Case(
            name_en=name_en,
            name_zh=name_zh,
            call=Call(name="", function=function, args=tuple(args), hidden=hidden),
            weight=float(weight),
            expected_source=expected_source,
            kind=kind,
            rtol=float(rtol),
            atol=float(atol),
            mistake_source=mistake_source,
            parts=tuple(parts),
            exact_zeros=dict(exact_zeros or {}),
            nonfinite_mistake=nonfinite_mistake,
            single_array_mistake=single_array_mistake,
            nonfinite_hint=self.suite.nonfinite_hint,
            arg_names=tuple(arg_names),
        )
        self._cases.append(case)
        return case

    def cases(self) -> list[Case]:
        """Visible cases first, then hidden; named v01.., h01.. in that order."""
        out = []
        for hidden, prefix in ((False, "v"), (True, "h")):
            group = [c for c in self._cases if c.call.hidden == hidden]
            for i, case in enumerate(group, 1):
                case.call = Call(
                    name=f"{prefix}{i:02d}",
                    function=case.call.function,
                    args=case.call.args,
                    kwargs=case.call.kwargs,
                    hidden=hidden,
                )
                out.append(case)
        return out

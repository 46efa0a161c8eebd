"""The data a check suite produces, and the machinery every suite shares.

A suite turns (params, seed) into a list of `Case`s. Each case carries the
`Call` that goes into the sandbox and, separately, what the trusted side needs
to judge the answer: the expected value and the values of known mistakes, all
computed here by the reference engine, outside the sandbox.
"""

from __future__ import annotations

import copy
import math
import re
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
    # The test's identity across seeds (a random case's name shows its drawn
    # shapes; its key does not): what statistics of failed tests group by.
    key: str = ""
    # Where the main input has leading batch axes the unbatched cases of the
    # same function lack: that input's shape (see grader.checks.verdicts).
    batch_shape: tuple | None = None
    # How a function that works on one example goes wrong on a batch.
    batch_hint: Bilingual = Bilingual("", "")
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
    # The known mistakes whose values the answer reproduced on this input
    # (`mistake` is the first one named): what judge_run weighs across tests.
    matched: tuple = ()


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
    # Where to look when only hidden tests fail: this exercise's own edge cases.
    hidden_hint: Bilingual = Bilingual("", "")
    # The argument whose extra leading axes make a batch, and how many axes
    # one example of it has: e.g. attention's q is (Lq, d_k), so (2, Lq, d_k)
    # is a batch. batch_arg None: the exercise has no batches to explain.
    batch_arg: int | None = None
    core_ndim: int = 2
    # How a function that works on one example goes wrong on a batch.
    batch_hint: Bilingual = Bilingual("", "")

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


def slug_of(text: str) -> str:
    """A stable id from a fixed English test name: lower case, runs of anything else as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100]


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
        self._keys: set[str] = set()
        self._random_counts: dict[str, int] = {}
        self._drawing = False

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
        key: str = "",
        report_changed_args: bool = False,
    ) -> Case:
        """Add one case.

        `key` is the case's identity across seeds: a fixed case's defaults to a
        slug of its English name, which no draw changes; a case added inside
        `random_cases` gets its place among them.

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

        if not key and self._drawing:
            key = self._random_key(hidden)
        if key:
            if key in self._keys:
                raise CheckConfigError(f"{self.suite.name}: two cases share the key {key!r}")
        else:
            # Names that differ only in punctuation ("axis=-2", "axis=2") share a
            # slug; fixed cases come in a fixed order, so a suffix stays stable.
            base, n = slug_of(name_en), 1
            key = base
            while key in self._keys:
                n += 1
                key = f"{base}-{n}"
        self._keys.add(key)
        case = Case(
            name_en=name_en,
            name_zh=name_zh,
            call=Call(
                name="", function=function, args=tuple(args), hidden=hidden, report_changed_args=report_changed_args
            ),
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
            key=key,
            batch_shape=self._batch_shape(args),
            batch_hint=self.suite.batch_hint,
        )
        self._cases.append(case)
        return case

    def _batch_shape(self, args) -> tuple | None:
        index = self.suite.batch_arg
        if index is None or index >= len(args):
            return None
        shape = np.shape(args[index])
        return tuple(int(n) for n in shape) if len(shape) > self.suite.core_ndim else None

    def random_cases(self, count: int):
        """Loop `count` times; the cases added meanwhile are keyed by their order, not their name.

        A random case's name shows what was drawn ("random: shape (2, 3)"), so
        its identity across seeds is "random-visible-1", "random-hidden-3"...
        """
        self._drawing = True
        try:
            yield from range(count)
        finally:
            self._drawing = False

    def _random_key(self, hidden: bool) -> str:
        kind = "hidden" if hidden else "visible"
        self._random_counts[kind] = self._random_counts.get(kind, 0) + 1
        return f"random-{kind}-{self._random_counts[kind]}"

    def add_unchanged_checks(self) -> None:
        """One visible test per function: called on the inputs of its first visible test, it must
        leave them as they were. A function that pads the caller's corpus lists, or shifts the
        caller's array with `x -= ...`, corrupts data its caller still uses."""
        for function in self.suite.functions:
            first = next(
                (
                    case
                    for case in self._cases
                    if case.call.function == function
                    and not case.hidden
                    and any(isinstance(arg, (list, np.ndarray)) for arg in case.call.args)
                ),
                None,
            )
            if first is None:
                continue  # nothing mutable to change (lengths, counts)
            clone = copy.deepcopy(first.call.args)
            added = self.add(
                f"{function} leaves its arguments unchanged",
                f"{function} 不修改传入的参数",
                function,
                clone,
                hidden=False,
                kind=first.kind,
                rtol=first.rtol,
                atol=first.atol,
                parts=first.parts,
                exact_zeros=first.exact_zeros,
                nonfinite_mistake=first.nonfinite_mistake,
                single_array_mistake=first.single_array_mistake,
                arg_names=first.arg_names,
                key=f"{function}-leaves-its-arguments-unchanged",
                report_changed_args=True,
            )
            # The same inputs give the same expected value (float32 cases widen theirs).
            added.expected_source = first.expected_source
            added.mistake_source = first.mistake_source

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
                    report_changed_args=case.call.report_changed_args,
                )
                out.append(case)
        return out

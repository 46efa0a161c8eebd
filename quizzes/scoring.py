"""Scoring a quiz attempt: pure, deterministic, no database.

A response is what the student sent for one item:
- single_choice: an option key;
- multiple_choice: a collection of option keys (order and repeats do not matter);
- true_false: a bool, or "true"/"false" as a form posts it;
- numeric and parameterised_numeric: a number or the text the student typed;
- short_answer: the text the student typed;
- matching: a mapping of pair key -> the key of the pair whose answer was chosen;
- cloze: a mapping of gap number ("1", "2", ...) -> that gap's response.
None or an empty value is "not answered" (0 points). A response that cannot
have come from the item's own form (an option key it does not have, an item
not in the quiz) raises InvalidResponse, so a view answers 400 and stores nothing.

Multiple choice uses Canvas's "Partial credit with penalty" rule (New Quizzes,
Multiple Answer questions): with k correct options, each correct option chosen
earns points/k, each wrong option chosen costs points/k, options left alone
count nothing, and the question never scores below 0. Unlike all-or-nothing
it rewards knowing part of the answer; unlike "correct options only" it makes
ticking every box worth nothing more than ticking none.

Items imported from Moodle carry a weight on every option, and then Moodle's
rule applies instead: single choice earns the chosen option's weight, multiple
choice the sum of the chosen options' weights, both kept within [0, 1].
A matching item earns its share per prompt matched right; a cloze item earns
the points of each gap answered right (a gap's points are its weight), as a
share of the sum of its gaps.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from quizzes.items import (
    CLOZE, MATCHING, MULTIPLE, NUMERIC, PARAMETERISED, SHORT, SINGLE, TRUE_FALSE, Text,
)
from quizzes.normalise import normalise_text, parse_number
from quizzes.parameterised import render

CORRECT = "correct"
PARTIAL = "partial"
INCORRECT = "incorrect"
UNANSWERED = "unanswered"

_CENT = Decimal("0.01")


class InvalidResponse(ValueError):
    """The response is not one the item's form can produce."""


@dataclass(frozen=True)
class QuestionResult:
    item_id: str
    status: str  # correct / partial / incorrect / unanswered
    earned: Decimal  # rounded to cents, within [0, possible]
    possible: Decimal
    expected: Text  # the right answer, as a student should read it
    explanation: Text  # the item's explanation (names its section)
    prompt: Text  # as this student saw it (drawn numbers filled in)


@dataclass(frozen=True)
class AttemptResult:
    questions: tuple  # of QuestionResult, in the quiz's order
    total: Decimal  # the sum of the rounded per-question points, as shown
    possible: Decimal


def _cents(value):
    fraction = Fraction(value)
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )


def _blank(response):
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, (list, tuple, set, frozenset, dict)):
        return len(response) == 0
    return False


def _option_text(item, keys):
    chosen = [option for option in item.options if option.key in keys]
    return Text(
        zh="；".join(f"{option.key}. {option.text.zh}" for option in chosen),
        en="; ".join(f"{option.key}. {option.text.en}" for option in chosen),
    )


def _known_key(item, key):
    if not isinstance(key, str) or item.option(key) is None:
        raise InvalidResponse(f"item {item.id!r} has no option {key!r}")
    return key


def _weighted(item):
    return any(option.weight is not None for option in item.options)


def _single(item, response):
    key = _known_key(item, response)
    if _weighted(item):
        return max(Fraction(0), Fraction(item.option(key).weight))
    return Fraction(1) if item.option(key).correct else Fraction(0)


def multiple_choice_fraction(item, chosen_keys):
    """The share of the item's points earned by choosing ``chosen_keys``."""
    chosen = {_known_key(item, key) for key in chosen_keys}
    if _weighted(item):
        total = sum((Fraction(item.option(key).weight) for key in chosen), Fraction(0))
        return min(Fraction(1), max(Fraction(0), total))
    k = sum(1 for option in item.options if option.correct)
    right = sum(1 for key in chosen if item.option(key).correct)
    wrong = len(chosen) - right
    return max(Fraction(0), Fraction(right - wrong, k))


def _multiple(item, response):
    if isinstance(response, str):
        # a lone key is a one-element choice; iterating a str would split "ab"
        response = [response]
    return multiple_choice_fraction(item, response)


_TRUE = {"true", "t", "1", "yes", "对", "正确", "是"}
_FALSE = {"false", "f", "0", "no", "错", "错误", "否"}


def _true_false(item, response):
    if isinstance(response, bool):
        value = response
    elif isinstance(response, str) and normalise_text(response) in _TRUE:
        value = True
    elif isinstance(response, str) and normalise_text(response) in _FALSE:
        value = False
    else:
        raise InvalidResponse(f"item {item.id!r} takes true or false, got {response!r}")
    return Fraction(1) if value == item.answer_bool else Fraction(0)


def within_tolerance(value, expected, *, abs_tol, rel_tol):
    """|value - expected| <= max(abs_tol, rel_tol·|expected|), like math.isclose but
    relative to the expected answer only: a student's wild guess must not widen
    its own tolerance."""
    if value is None or not math.isfinite(value):
        return False
    tolerance = max(abs_tol, rel_tol * abs(expected))
    # Tolerances are meant in decimal: 0.13 is within 0.005 of 0.125 even though
    # binary floats put the difference a hair above it.
    slack = 1e-9 * max(tolerance, abs(expected), 1e-300)
    return abs(value - expected) <= tolerance + slack


def _numeric(item, response, expected):
    value = parse_number(response)
    ok = within_tolerance(value, expected, abs_tol=item.abs_tol, rel_tol=item.rel_tol) or any(
        within_tolerance(value, answer.value, abs_tol=answer.tolerance, rel_tol=0.0)
        for answer in item.more_numbers
    )
    return Fraction(1) if ok else Fraction(0)


def _short(item, response):
    if not isinstance(response, str):
        raise InvalidResponse(f"item {item.id!r} takes text, got {type(response).__name__}")
    fold = not item.case_sensitive
    accepted = {normalise_text(answer, fold_case=fold) for answer in item.accepted}
    return Fraction(1) if normalise_text(response, fold_case=fold) in accepted else Fraction(0)


def _mapping(item, response):
    if not isinstance(response, dict):
        raise InvalidResponse(f"item {item.id!r} takes a mapping, got {type(response).__name__}")
    return response


def _matching(item, response):
    pairs = {pair.key: pair for pair in item.pairs}
    prompted = [pair for pair in item.pairs if pair.prompt is not None]
    response = _mapping(item, response)
    right = 0
    for key, chosen in response.items():
        if key not in pairs or pairs[key].prompt is None or chosen not in pairs:
            raise InvalidResponse(f"item {item.id!r} has no pair {key!r} -> {chosen!r}")
        # by text: two prompts may share one answer, either copy of it is right
        right += pairs[chosen].answer == pairs[key].answer
    return Fraction(right, len(prompted))


def _cloze(item, response, seed):
    response = _mapping(item, response)
    numbers = {str(n) for n in range(1, len(item.parts) + 1)}
    if set(response) - numbers:
        raise InvalidResponse(f"item {item.id!r} has no gaps {sorted(set(response) - numbers)}")
    if all(_blank(value) for value in response.values()):
        return None
    earned = sum(
        (score_question(part, response.get(str(n)), seed=seed).earned
         for n, part in enumerate(item.parts, start=1)),
        Decimal(0),
    )
    return Fraction(earned) / sum((Fraction(part.points) for part in item.parts), Fraction(0))


def _format_number(value, item):
    # enough digits to show the tolerance window meaningfully
    tolerance = max(item.abs_tol, item.rel_tol * abs(value))
    digits = 2 if tolerance == 0 else max(0, min(6, 1 - math.floor(math.log10(tolerance))))
    text = f"{value:.{digits}f}"
    return text


def _expected(item, answer):
    if item.type in (SINGLE, MULTIPLE):
        return _option_text(item, {option.key for option in item.options if option.correct})
    if item.type == TRUE_FALSE:
        return Text("对", "True") if item.answer_bool else Text("错", "False")
    if item.type in (NUMERIC, PARAMETERISED):
        text = _format_number(answer, item)
        tolerance = max(item.abs_tol, item.rel_tol * abs(answer))
        return Text(f"{text}（误差 ±{tolerance:g} 内均可）", f"{text} (within ±{tolerance:g})")
    if item.type == MATCHING:
        lines = [pair for pair in item.pairs if pair.prompt is not None]
        return Text(
            zh="；".join(f"{pair.prompt.zh} → {pair.answer.zh}" for pair in lines),
            en="; ".join(f"{pair.prompt.en} -> {pair.answer.en}" for pair in lines),
        )
    if item.type == CLOZE:
        gaps = [(n, _expected(part, part.answer_number)) for n, part in enumerate(item.parts, start=1)]
        return Text(
            zh="；".join(f"({n}) {text.zh}" for n, text in gaps),
            en="; ".join(f"({n}) {text.en}" for n, text in gaps),
        )
    return Text(item.accepted[0], " / ".join(item.accepted))


def score_question(item, response, *, seed):
    """Score one response; ``seed`` is the attempt's stored seed (it fixes the
    numbers of parameterised items and is ignored by the others)."""
    rendered = render(item, seed)
    answer = rendered.answer if item.type == PARAMETERISED else item.answer_number
    possible = Fraction(item.points)
    if _blank(response):
        share = None
    elif item.type == SINGLE:
        share = _single(item, response)
    elif item.type == MULTIPLE:
        share = _multiple(item, response)
    elif item.type == TRUE_FALSE:
        share = _true_false(item, response)
    elif item.type in (NUMERIC, PARAMETERISED):
        share = _numeric(item, response, answer)
    elif item.type == SHORT:
        share = _short(item, response)
    elif item.type == MATCHING:
        share = _matching(item, response)
    elif item.type == CLOZE:
        share = _cloze(item, response, seed)
    else:
        raise ValueError(f"item {item.id!r} has unknown type {item.type!r}; validate it first")
    if share is None:
        status, share = UNANSWERED, Fraction(0)
    elif share == 1:
        status = CORRECT
    elif share == 0:
        status = INCORRECT
    else:
        status = PARTIAL
    return QuestionResult(
        item_id=item.id,
        status=status,
        earned=_cents(possible * share),
        possible=_cents(possible),
        expected=_expected(item, answer),
        explanation=item.explanation,
        prompt=rendered.prompt,
    )


def score_attempt(items, responses, *, seed):
    """Score a whole attempt: ``responses`` maps item ids to responses; items
    without one are unanswered. A response for an item not in ``items`` is
    refused, so nothing of a tampered form is stored."""
    ids = {item.id for item in items}
    strangers = sorted(set(responses) - ids)
    if strangers:
        raise InvalidResponse(f"responses for items not in this quiz: {strangers}")
    questions = tuple(
        score_question(item, responses.get(item.id), seed=seed) for item in items
    )
    return AttemptResult(
        questions=questions,
        total=sum((question.earned for question in questions), Decimal("0.00")),
        possible=sum((question.possible for question in questions), Decimal("0.00")),
    )

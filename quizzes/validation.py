"""The one validation of a quiz item, used by the bank loader, admin and the
GIFT / Moodle XML importers alike. Returns every problem found, as messages an
author can act on (English: they go to authors and logs, not to students)."""

import math
import re
from fractions import Fraction
from string import Template

from dataclasses import replace

from quizzes.items import (
    CHOICE_TYPES, CLOZE, CLOZE_PART_TYPES, ITEM_TYPES, MATCHING, MULTIPLE, NUMERIC,
    PARAMETERISED, SHORT, SINGLE, TOLERANCE_TYPES, TRUE_FALSE, Item, NumericAnswer,
    Option, Pair, Text,
)
from quizzes.normalise import normalise_text
from quizzes.parameterised import GENERATORS

ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
SECTION = re.compile(r"^\d+\.\d+(\.\d+)?$")

def _text_problems(text, what):
    if not isinstance(text, Text):
        return [f"{what} must be a zh/en text pair"]
    problems = []
    for language in ("zh", "en"):
        value = getattr(text, language)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{what} is missing its {language} translation")
    return problems

def _points_problems(points):
    if isinstance(points, bool) or not isinstance(points, (int, Fraction)):
        return [f"points must be an exact number (int or Fraction), got {points!r}"]
    if points <= 0:
        return [f"points must be positive, got {points}"]
    if (Fraction(points) * 100).denominator != 1:
        return [f"points may have at most 2 decimals, got {float(points)}"]
    return []

def _tolerance_problems(item):
    problems = []
    for name in ("abs_tol", "rel_tol"):
        value = getattr(item, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            problems.append(f"{name} must be a finite number, got {value!r}")
        elif value < 0:
            problems.append(f"{name} must not be negative, got {value}")
    if not problems and item.abs_tol == 0 and item.rel_tol == 0:
        # floats typed by students rarely equal a computed float exactly
        problems.append("a numeric item needs a tolerance: abs_tol or rel_tol above 0")
    return problems

def _option_problems(item):
    problems = []
    if len(item.options) < 2:
        problems.append(f"a {item.type} item needs at least 2 options, has {len(item.options)}")
    keys, texts = set(), {"zh": set(), "en": set()}
    for number, option in enumerate(item.options, start=1):
        if not isinstance(option, Option):
            problems.append(f"option {number} is not an Option")
            continue
        if not option.key or not isinstance(option.key, str):
            problems.append(f"option {number} has no key")
        elif option.key in keys:
            problems.append(f"duplicate option key {option.key!r}")
        keys.add(option.key)
        text_problems = _text_problems(option.text, f"option {option.key!r}")
        problems += text_problems
        if not text_problems:
            for language in ("zh", "en"):
                normalised = normalise_text(getattr(option.text, language))
                if normalised in texts[language]:
                    problems.append(
                        f"duplicate option: {option.key!r} repeats the {language} text "
                        f"{getattr(option.text, language)!r}"
                    )
                texts[language].add(normalised)
    problems += _weight_problems(item)
    correct = sum(1 for option in item.options if isinstance(option, Option) and option.correct)
    if correct == 0:
        problems.append("no correct option")
    elif item.type == SINGLE and correct > 1:
        problems.append(f"a single_choice item has exactly one correct option, this one has {correct}")
    return problems

def _weight_problems(item):
    options = [option for option in item.options if isinstance(option, Option)]
    weighted = [option for option in options if option.weight is not None]
    if not weighted:
        return []
    if len(weighted) != len(options):
        return ["either every option has a weight or none has"]
    problems = []
    for option in options:
        if isinstance(option.weight, bool) or not isinstance(option.weight, (int, Fraction)):
            problems.append(f"option {option.key!r}: weight must be an exact number, got {option.weight!r}")
        elif not -1 <= option.weight <= 1:
            problems.append(f"option {option.key!r}: weight must be within -1 and 1, got {option.weight}")
        # `correct` stays meaningful for weighted items (shown as the expected answer)
        elif option.correct != (option.weight == 1 if item.type == SINGLE else option.weight > 0):
            rule = "weight 1" if item.type == SINGLE else "a positive weight"
            problems.append(f"option {option.key!r}: correct must be true exactly when it has {rule}")
    if problems:
        return problems
    if item.type == MULTIPLE and sum(o.weight for o in options if o.weight > 0) != 1:
        problems.append("the positive weights of a multiple_choice item must add up to 1")
    return problems

def _numbers_problems(item):
    problems = []
    for number, answer in enumerate(item.more_numbers, start=2):
        if not isinstance(answer, NumericAnswer):
            problems.append(f"answer {number} is not a NumericAnswer")
            continue
        for name in ("value", "tolerance"):
            value = getattr(answer, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.append(f"answer {number}: {name} must be a finite number, got {value!r}")
        if not problems and answer.tolerance <= 0:
            problems.append(f"answer {number} needs a tolerance above 0")
    return problems

def _pair_problems(item):
    problems, keys, prompts = [], set(), set()
    real = 0
    for number, pair in enumerate(item.pairs, start=1):
        if not isinstance(pair, Pair):
            problems.append(f"pair {number} is not a Pair")
            continue
        if not isinstance(pair.key, str) or not pair.key:
            problems.append(f"pair {number} has no key")
        elif pair.key in keys:
            problems.append(f"duplicate pair key {pair.key!r}")
        keys.add(pair.key)
        problems += _text_problems(pair.answer, f"pair {pair.key!r} answer")
        if pair.prompt is None:
            continue
        real += 1
        text_problems = _text_problems(pair.prompt, f"pair {pair.key!r} prompt")
        problems += text_problems
        if not text_problems:
            normalised = normalise_text(pair.prompt.en), normalise_text(pair.prompt.zh)
            if normalised in prompts:
                problems.append(f"pair {pair.key!r} repeats the prompt {pair.prompt.en!r}")
            prompts.add(normalised)
    if real < 2:
        problems.append(f"a matching item needs at least 2 pairs with a prompt, has {real}")
    return problems

_GAP_FILLER = Text("-", "-")

def _part_problems(item):
    if not item.parts:
        return ["a cloze item needs at least one gap"]
    problems = []
    for number, part in enumerate(item.parts, start=1):
        if not isinstance(part, Item):
            problems.append(f"gap {number} is not an Item")
            continue
        if part.type not in CLOZE_PART_TYPES:
            problems.append(f"gap {number}: a cloze gap cannot be a {part.type} item")
            continue
        if part.prompt != Text("", "") or part.explanation != Text("", ""):
            problems.append(f"gap {number}: its words belong in the cloze prompt, not the gap")
        # a gap is judged like an item of its own, minus the words it has none of
        checked = replace(part, prompt=_GAP_FILLER, explanation=_GAP_FILLER)
        problems += [f"gap {number}: {p}" for p in validate_item(checked)]
        if not isinstance(item.prompt, Text):
            continue
        marker = f"{{#{number}}}"
        for language in ("zh", "en"):
            count = getattr(item.prompt, language).count(marker)
            if count != 1:
                problems.append(f"the {language} prompt shows gap {number} ({marker}) {count} times, not once")
    return problems

def _template_problems(item):
    generator = GENERATORS.get(item.generator)
    if generator is None:
        known = ", ".join(sorted(GENERATORS))
        return [f"unknown generator {item.generator!r} (known: {known})"]
    problems = []
    for language in ("zh", "en"):
        template = Template(getattr(item.prompt, language))
        if not template.is_valid():
            problems.append(f"the {language} prompt has a malformed $placeholder (write $$ for a dollar sign)")
            continue
        used = set(template.get_identifiers())
        if used - generator.variables:
            problems.append(
                f"the {language} prompt uses {sorted(used - generator.variables)}, "
                f"which generator {generator.name!r} does not draw"
            )
        if generator.variables - used:
            problems.append(
                f"the {language} prompt does not show {sorted(generator.variables - used)}, "
                f"which the answer depends on"
            )
    return problems

# Which fields each type may set; any other non-default field is an author's mistake.
_FIELDS_FOR = {
    SINGLE: {"options"},
    MULTIPLE: {"options"},
    TRUE_FALSE: {"answer_bool"},
    NUMERIC: {"answer_number", "abs_tol", "rel_tol", "more_numbers"},
    SHORT: {"accepted", "case_sensitive"},
    PARAMETERISED: {"generator", "abs_tol", "rel_tol"},
    MATCHING: {"pairs"},
    CLOZE: {"parts"},
}

_CHECKED_FIELDS = ("options", "answer_bool", "answer_number", "abs_tol", "rel_tol", "accepted",
                   "case_sensitive", "more_numbers", "pairs", "parts", "generator")
_EMPTY = Item(id="", type="", prompt=Text("", ""), explanation=Text("", ""))

def validate_item(item):
    """Every problem with ``item`` as a list of messages; empty when it is valid."""
    problems = []
    if not isinstance(item.id, str) or not ITEM_ID.match(item.id):
        problems.append(
            f"id {item.id!r} must be lowercase letters, digits and hyphens (at most 80)"
        )
    if item.type not in ITEM_TYPES:
        problems.append(f"unknown type {item.type!r} (known: {', '.join(ITEM_TYPES)})")
        return problems  # nothing else can be judged without a type
    problems += _text_problems(item.prompt, "prompt")
    problems += _text_problems(item.explanation, "explanation")
    problems += _points_problems(item.points)
    if item.section and not SECTION.match(item.section):
        problems.append(f"section {item.section!r} must look like 2.3.1")
    for name in _CHECKED_FIELDS:
        if name not in _FIELDS_FOR[item.type] and getattr(item, name) != getattr(_EMPTY, name):
            problems.append(f"{name} does not apply to a {item.type} item")
    if item.type in CHOICE_TYPES:
        problems += _option_problems(item)
    if item.type == TRUE_FALSE and not isinstance(item.answer_bool, bool):
        problems.append("a true_false item needs answer_bool true or false")
    if item.type in TOLERANCE_TYPES:
        problems += _tolerance_problems(item)
    if item.type == NUMERIC:
        answer = item.answer_number
        if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
            problems.append(f"a numeric item needs a finite answer_number, got {answer!r}")
    if item.type == NUMERIC:
        problems += _numbers_problems(item)
    if item.type == SHORT:
        problems += _accepted_problems(item.accepted, fold_case=not item.case_sensitive)
    if item.type == MATCHING:
        problems += _pair_problems(item)
    if item.type == CLOZE:
        problems += _part_problems(item)
    if item.type == PARAMETERISED and not _text_problems(item.prompt, "prompt"):
        problems += _template_problems(item)
    return problems

def _accepted_problems(accepted, *, fold_case=True):
    if not accepted:
        return ["a short_answer item needs at least one accepted answer"]
    problems, seen = [], {}
    for answer in accepted:
        if not isinstance(answer, str) or not normalise_text(answer, fold_case=fold_case):
            problems.append(f"accepted answer {answer!r} is empty once normalised")
            continue
        normalised = normalise_text(answer, fold_case=fold_case)
        if normalised in seen:
            problems.append(f"accepted answers {seen[normalised]!r} and {answer!r} are the same once normalised")
        seen[normalised] = answer
    return problems

def validate_quiz(quiz):
    """Problems of the quiz as a whole, each item's prefixed with its id."""
    problems = []
    if not ITEM_ID.match(quiz.slug or ""):
        problems.append(f"quiz slug {quiz.slug!r} must be lowercase letters, digits and hyphens")
    problems += _text_problems(quiz.title, "quiz title")
    if not quiz.items:
        problems.append("a quiz needs at least one item")
    seen = set()
    for item in quiz.items:
        if item.id in seen:
            problems.append(f"duplicate item id {item.id!r}")
        seen.add(item.id)
        problems += [f"item {item.id!r}: {problem}" for problem in validate_item(item)]
    return problems

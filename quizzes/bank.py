"""Loading quiz banks from TOML files (content/quizzes/<slug>.toml).

TOML, read with the standard library's tomllib, like the rest of content/: the
loader needs no runtime dependency, and TOML's tables keep bilingual fields
side by side. Every item goes through validation.validate_item; a problem stops
the load with an error naming the file and the item, before anything is used.

File layout:
    slug, chapter, title_zh, title_en
    [[items]]  id, type, section, points (optional, default 1),
               prompt_zh, prompt_en, explanation_zh, explanation_en, and by type:
               options = [{key, zh, en, correct}]   single_choice, multiple_choice
               answer = true/false                  true_false
               answer = number, abs_tol, rel_tol    numeric
               accepted = ["...", ...]              short_answer
               generator, abs_tol, rel_tol          parameterised_numeric
"""

import math
import tomllib
from fractions import Fraction
from pathlib import Path

from quizzes.items import (
    IMPORTED_ONLY_TYPES, ITEM_TYPES, NUMERIC, TRUE_FALSE, Item, Option, Quiz, Text,
)
from quizzes.validation import validate_item, validate_quiz

_QUIZ_KEYS = {"slug", "chapter", "title_zh", "title_en", "items"}
_ITEM_KEYS = {
    "id", "type", "section", "points", "prompt_zh", "prompt_en", "explanation_zh",
    "explanation_en", "options", "answer", "abs_tol", "rel_tol", "accepted", "generator",
}
_OPTION_KEYS = {"key", "zh", "en", "correct"}


class BankError(ValueError):
    """A quiz file that cannot be loaded; the message names the file and item."""


def _points(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"points must be a number, got {value!r}")
    # through str: 0.1 as a float is not 1/10, the author's 0.1 is
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _options(raw):
    if not isinstance(raw, list):
        raise ValueError("options must be an array of tables")
    options = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"option {number} must be a table {{key, zh, en, correct}}")
        unknown = set(entry) - _OPTION_KEYS
        if unknown:
            raise ValueError(f"option {number} has unknown keys {sorted(unknown)}")
        correct = entry.get("correct", False)
        if not isinstance(correct, bool):
            raise ValueError(f"option {number}: correct must be true or false")
        options.append(Option(
            key=entry.get("key", ""),
            text=Text(entry.get("zh", ""), entry.get("en", "")),
            correct=correct,
        ))
    return tuple(options)


def item_from_dict(data):
    """An Item from one [[items]] table; raises ValueError on keys or shapes that
    no Item can hold (the rest is validate_item's job)."""
    unknown = set(data) - _ITEM_KEYS
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    item_type = data.get("type", "")
    if item_type in IMPORTED_ONLY_TYPES:
        raise ValueError(f"{item_type} items come from GIFT or Moodle XML imports; "
                         "a TOML bank cannot hold them")
    fields = {
        "id": data.get("id", ""),
        "type": item_type,
        "section": data.get("section", ""),
        "points": _points(data.get("points", 1)),
        "prompt": Text(data.get("prompt_zh", ""), data.get("prompt_en", "")),
        "explanation": Text(data.get("explanation_zh", ""), data.get("explanation_en", "")),
        "abs_tol": data.get("abs_tol", 0.0),
        "rel_tol": data.get("rel_tol", 0.0),
        "generator": data.get("generator", ""),
    }
    if "options" in data:
        fields["options"] = _options(data["options"])
    if "accepted" in data:
        accepted = data["accepted"]
        if not isinstance(accepted, list):
            raise ValueError("accepted must be an array of strings")
        fields["accepted"] = tuple(accepted)
    if "answer" in data:
        if item_type == TRUE_FALSE:
            fields["answer_bool"] = data["answer"]
        elif item_type == NUMERIC:
            fields["answer_number"] = data["answer"]
        elif item_type not in ITEM_TYPES:
            raise ValueError(f"unknown type {item_type!r} (known: {', '.join(ITEM_TYPES)})")
        else:
            raise ValueError(f"answer does not apply to a {item_type} item")
    return Item(**fields)


def load_quiz_file(path):
    """One quiz from one TOML file, validated; BankError names the file and item."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BankError(f"{path}: cannot read: {exc}") from exc
    unknown = set(data) - _QUIZ_KEYS
    if unknown:
        raise BankError(f"{path}: unknown keys {sorted(unknown)}")
    chapter = data.get("chapter")
    if isinstance(chapter, bool) or not isinstance(chapter, int):
        raise BankError(f"{path}: chapter must be an integer, got {chapter!r}")
    raw_items = data.get("items", [])
    if not isinstance(raw_items, list):
        raise BankError(f"{path}: items must be an array of tables ([[items]])")
    items, problems = [], []
    for number, raw in enumerate(raw_items, start=1):
        name = f"item {number} ({raw.get('id', 'no id')!r})" if isinstance(raw, dict) else f"item {number}"
        if not isinstance(raw, dict):
            problems.append(f"{name}: must be a table")
            continue
        try:
            item = item_from_dict(raw)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        problems += [f"{name}: {problem}" for problem in validate_item(item)]
        items.append(item)
    quiz = Quiz(
        slug=data.get("slug", ""),
        chapter=chapter,
        title=Text(data.get("title_zh", ""), data.get("title_en", "")),
        items=tuple(items),
    )
    if not problems:
        # quiz-level checks (slug, title, duplicate ids); item problems are already listed
        problems += [p for p in validate_quiz(quiz) if not p.startswith("item ")]
    if problems:
        raise BankError(f"{path}: " + "; ".join(problems))
    return quiz


def load_bank(path):
    """Every quiz of a bank: ``path`` is one .toml file or a directory of them
    (read in name order). Quiz slugs must be unique across the bank."""
    path = Path(path)
    files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not files:
        raise BankError(f"{path}: no quiz files (*.toml)")
    quizzes, seen = [], {}
    for file in files:
        quiz = load_quiz_file(file)
        if quiz.slug in seen:
            raise BankError(f"{file}: quiz slug {quiz.slug!r} is already used by {seen[quiz.slug]}")
        seen[quiz.slug] = file
        quizzes.append(quiz)
    return quizzes

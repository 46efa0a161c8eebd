"""What a quiz item is: frozen dataclasses shared by validation, scoring and loading.

One Item class carries every question type; the fields that do not apply to a
type stay at their empty defaults, and validation says so when they do not.
"""

from dataclasses import dataclass, field
from fractions import Fraction

SINGLE = "single_choice"
MULTIPLE = "multiple_choice"
TRUE_FALSE = "true_false"
NUMERIC = "numeric"
SHORT = "short_answer"
PARAMETERISED = "parameterised_numeric"
MATCHING = "matching"
CLOZE = "cloze"

ITEM_TYPES = (SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, SHORT, PARAMETERISED, MATCHING, CLOZE)
# Types that come from GIFT / Moodle XML imports; the TOML bank does not hold them yet.
IMPORTED_ONLY_TYPES = (MATCHING, CLOZE)
# What a cloze item's gaps may be (Moodle's embedded answer types).
CLOZE_PART_TYPES = (SINGLE, MULTIPLE, NUMERIC, SHORT)
CHOICE_TYPES = (SINGLE, MULTIPLE)
TOLERANCE_TYPES = (NUMERIC, PARAMETERISED)


@dataclass(frozen=True)
class Text:
    """The same words in the course's language (zh) and in English."""

    zh: str
    en: str

    def get(self, language):
        # "zh-hans" and the like are Chinese; everything else reads English.
        return self.zh if language.lower().startswith("zh") else self.en


@dataclass(frozen=True)
class Option:
    key: str
    text: Text
    correct: bool = False
    # Moodle's per-answer fraction, from -1 to 1; None on every option of an item
    # scored by the default rules (see scoring.py), set on every option otherwise.
    weight: Fraction | None = None


@dataclass(frozen=True)
class NumericAnswer:
    """A further accepted answer of a numeric item, with its own absolute tolerance."""

    value: float
    tolerance: float


@dataclass(frozen=True)
class Pair:
    """One line of a matching item; ``prompt`` None makes ``answer`` a distractor
    (offered among the answers, matching no prompt)."""

    key: str
    prompt: Text | None
    answer: Text


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    prompt: Text
    explanation: Text
    points: Fraction = Fraction(1)
    section: str = ""
    options: tuple = ()  # of Option, for the choice types
    answer_bool: bool | None = None  # true_false
    answer_number: float | None = None  # numeric
    abs_tol: float = 0.0  # numeric, parameterised_numeric
    rel_tol: float = 0.0
    accepted: tuple = ()  # of str, short_answer: any of them in any language
    case_sensitive: bool = False  # short_answer: "ReLU" is not "relu"
    more_numbers: tuple = ()  # of NumericAnswer, numeric: further accepted answers
    pairs: tuple = ()  # of Pair, matching
    # cloze: the gaps, Items of CLOZE_PART_TYPES with empty prompt and explanation;
    # gap n shows where the prompt says {#n}, and its points are its weight.
    parts: tuple = ()
    generator: str = ""  # parameterised_numeric: a name in parameterised.GENERATORS

    def option(self, key):
        for option in self.options:
            if option.key == key:
                return option
        return None


@dataclass(frozen=True)
class Quiz:
    slug: str
    chapter: int
    title: Text
    items: tuple = field(default=())  # of Item

    @property
    def points(self):
        return sum((item.points for item in self.items), Fraction(0))

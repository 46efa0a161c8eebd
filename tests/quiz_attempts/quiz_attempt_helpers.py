"""Shared by the quiz attempt tests: the quiz's items, a question row from an item, right answers."""

from decimal import Decimal

from quizzes.item_codec import item_body
from quizzes.models import Question
from quizzes.parameterised import draw

from quiz_items import cloze, matching, multiple, numeric, parameterised, short, single, true_false

ITEMS = (single(), multiple(), true_false(), numeric(), short(), parameterised(), matching(), cloze())


def question_create(quiz, item, position):
    return Question.objects.create(
        quiz=quiz, position=position, key=item.id, type=item.type, section=item.section,
        points=Decimal(item.points.numerator) / item.points.denominator,
        prompt_zh=item.prompt.zh, prompt_en=item.prompt.en,
        explanation_zh=item.explanation.zh, explanation_en=item.explanation.en, body=item_body(item),
    )  # fmt: skip


def right_responses(seed):
    """Every question of ITEMS answered right, for an attempt with `seed`."""
    return {
        "single": "a", "multiple": ["a", "b"], "tf": "true", "numeric": "14", "short": "relu",
        "param": f"{draw(parameterised(), seed).answer:.6f}", "match": {"1": "1", "2": "2", "3": "3"},
        "cloze": {"1": "ReLU", "2": "14", "3": "a"},
    }  # fmt: skip

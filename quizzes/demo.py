"""Quiz attempts for the demo students (`manage.py seed_demo`): something to look at in the analytics.

Each student answers each quiz of the course through the same services as
the web page, with a skill of their own (student1 knows most, the last one
least), so scores, per-question facility and discrimination vary. Students
who do not get everything right try a second time and do better. Drawn from
a fixed seed per student: a rerun gives nobody a new attempt (a student who
has submitted one is left alone).
"""

import random

from quizzes.items import MULTIPLE, NUMERIC, PARAMETERISED, SHORT, SINGLE, TRUE_FALSE
from quizzes.models import Question, Quiz, QuizAttempt
from quizzes.parameterised import draw
from quizzes.services import QuizRefused, quiz_attempt_start, quiz_attempt_submit


def demo_answer(item, *, seed: int, knows: bool, rng: random.Random):
    """A right answer when the student `knows`, else a plausible wrong one (or none)."""
    if not knows and rng.random() < 0.2:
        return None  # left blank
    if item.type in (SINGLE, MULTIPLE):
        right = [option.key for option in item.options if option.correct]
        wrong = [option.key for option in item.options if not option.correct]
        if item.type == SINGLE:
            return right[0] if knows or not wrong else rng.choice(wrong)
        if knows:
            return right
        # half right: one right option, maybe a wrong one with it (partial credit)
        return [right[0], *([rng.choice(wrong)] if wrong and rng.random() < 0.5 else [])]
    if item.type == TRUE_FALSE:
        return "true" if item.answer_bool == knows else "false"
    if item.type == NUMERIC:
        return f"{item.answer_number:.6g}" if knows else f"{item.answer_number * 2 + 1:.6g}"
    if item.type == PARAMETERISED:
        answer = draw(item, seed).answer
        return f"{answer:.6f}" if knows else f"{1 - answer:.3f}"
    if item.type == SHORT:
        return item.accepted[0] if knows else "不知道"
    return None  # matching and cloze (imported types) are left unanswered


def _sit(user, quiz, items, *, skill: float, rng: random.Random) -> QuizAttempt:
    attempt = quiz_attempt_start(user=user, quiz=quiz)
    responses = {}
    for item in items:
        response = demo_answer(item, seed=attempt.seed, knows=rng.random() < skill, rng=rng)
        if response is not None:
            responses[item.id] = response
    return quiz_attempt_submit(user=user, attempt_id=attempt.pk, responses=responses)


def demo_quiz_attempts_ensure(*, course, students: list) -> int:
    """Give each of `students` (in order, strongest first) attempts at the course's quizzes; returns how many."""
    made = 0
    quizzes = list(Quiz.objects.filter(course=course, assignment__isnull=False).order_by("slug"))
    questions = {quiz.pk: [q.to_item() for q in Question.objects.filter(quiz=quiz)] for quiz in quizzes}
    for number, user in enumerate(students):
        skill = 0.9 - 0.5 * number / max(1, len(students) - 1)  # from 0.9 down to 0.4
        for quiz in quizzes:
            if QuizAttempt.objects.filter(quiz=quiz, user=user, submitted_at__isnull=False).exists():
                continue
            rng = random.Random(f"demo:{user.username}:{quiz.slug}")
            try:
                first = _sit(user, quiz, questions[quiz.pk], skill=skill, rng=rng)
                made += 1
                if first.score < first.max_score and number % 2 == 0:
                    _sit(user, quiz, questions[quiz.pk], skill=min(1.0, skill + 0.2), rng=rng)
                    made += 1
            except QuizRefused:
                continue  # closed, not open yet or attempts used up: the instructor's settings win
    return made

"""The students' quiz pages: the quiz with its form, submitting, and a past attempt's result.

Thin: who may see what is quizzes.selectors', every write quizzes.services',
and the controls and their parsing quizzes.presentation's.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from courses.language import is_chinese
from quizzes.presentation import question_view, response_text, responses_from_form
from quizzes.scoring import InvalidResponse, score_attempt
from quizzes.selectors import (
    quiz_answers_shown,
    quiz_attempt_get_for_user,
    quiz_get_visible,
    quiz_questions,
    quiz_standing,
)
from quizzes.services import QuizRefused, quiz_attempt_start, quiz_attempt_submit


def _language() -> str:
    return "zh" if is_chinese() else "en"


def _quiz_page(request, quiz, *, refusal: QuizRefused | None = None):
    standing = quiz_standing(user=request.user, quiz=quiz)
    questions = []
    if standing.in_progress is not None and standing.is_open:
        attempt = standing.in_progress
        questions = [
            question_view(question.to_item(), number=number, seed=attempt.seed, language=_language())
            for number, question in enumerate(quiz_questions(quiz=quiz), start=1)
        ]  # fmt: skip
    context = {
        "quiz": quiz,
        "standing": standing,
        "questions": questions,
        "error": (refusal.message_zh if is_chinese() else refusal.message) if refusal else "",
    }
    return render(request, "quizzes/quiz_detail.html", context, status=refusal.status if refusal else 200)


@require_GET
@login_required
def quiz_detail(request, slug):
    return _quiz_page(request, quiz_get_visible(user=request.user, slug=slug))


@require_POST
@login_required
def quiz_start(request, slug):
    quiz = quiz_get_visible(user=request.user, slug=slug)
    try:
        quiz_attempt_start(user=request.user, quiz=quiz)
    except QuizRefused as refusal:
        return _quiz_page(request, quiz, refusal=refusal)
    return redirect(reverse("quiz-detail", args=[quiz.slug]) + "#questions")


@require_POST
@login_required
def quiz_submit(request, slug, attempt_id):
    attempt = quiz_attempt_get_for_user(user=request.user, slug=slug, attempt_id=attempt_id)
    quiz = attempt.quiz
    responses = {}
    if attempt.submitted_at is None:
        responses = responses_from_form([q.to_item() for q in quiz_questions(quiz=quiz)], request.POST)
    try:
        quiz_attempt_submit(user=request.user, attempt_id=attempt.pk, responses=responses)
    except QuizRefused as refusal:
        return _quiz_page(request, quiz, refusal=refusal)
    return redirect("quiz-attempt", slug=quiz.slug, attempt_id=attempt.pk)


@require_GET
@login_required
def quiz_attempt_detail(request, slug, attempt_id):
    attempt = quiz_attempt_get_for_user(user=request.user, slug=slug, attempt_id=attempt_id)
    quiz = attempt.quiz
    if attempt.submitted_at is None:
        return redirect(reverse("quiz-detail", args=[quiz.slug]) + "#questions")
    items = [question.to_item() for question in quiz_questions(quiz=quiz)]
    language = _language()
    stored = {row["key"]: row for row in attempt.results}
    try:
        # Scored again only for what the page shows beside the stored result: the
        # prompt as drawn, the right answer. The stored result is what counts.
        rescored = {q.item_id: q for q in score_attempt(items, attempt.responses, seed=attempt.seed).questions}
    except InvalidResponse:  # a question changed in admin since: show what was stored
        rescored = {}
    rows = []
    for number, item in enumerate(items, start=1):
        again = rescored.get(item.id)
        rows.append({
            "number": number,
            "item": item,
            "prompt": again.prompt.get(language) if again else item.prompt.get(language),
            "answered": response_text(item, attempt.responses.get(item.id), language),
            "result": stored.get(item.id),
            "expected": again.expected.get(language) if again else "",
            "explanation": item.explanation.get(language),
        })  # fmt: skip
    context = {
        "quiz": quiz,
        "attempt": attempt,
        "rows": rows,
        "answers_shown": quiz_answers_shown(quiz=quiz),
        "language": translation.get_language(),
    }
    return render(request, "quizzes/attempt_detail.html", context)

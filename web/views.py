"""The students' pages: thin views over web.selectors (reads) and the grader and web services (writes).

A page that updates while a worker grades (a submission, a precheck) returns
at once and is polled by htmx with short GETs: no request waits for the grade.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses.language import is_chinese, localized
from grader.markdown_render import markdown_to_safe_html
from grader.models import PENDING_RUN_STATUSES
from grader.selectors import exercise_get_visible
from grader.services.submissions import SubmissionRejected, submission_create
from web.forms import CodeForm
from web.selectors import (
    catalogue_for_visitor,
    course_home_for_user,
    exercise_page_for_user,
    precheck_get_for_user,
    submission_with_results,
)
from web.services import PrecheckRejected, precheck_create, precheck_is_stale

# How often a waiting fragment asks again: a precheck usually finishes within one or
# two; each ask is a short GET (a few indexed queries), never a request that waits.
POLL_DELAY = "100ms"


@functools.lru_cache(maxsize=128)
def statement_html(text: str) -> str:
    """A statement's safe HTML; rendering is a pure function of the text, so each process renders each text once."""
    return markdown_to_safe_html(text)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _refusal_text(error) -> str:
    return error.message_zh if is_chinese() else error.message


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(request, "web/home.html", {"catalogue": catalogue_for_visitor()})
    return render(request, "web/home.html", {"courses": course_home_for_user(user=request.user)})


def _exercise_context(request, exercise, *, code=None, refusal=""):
    page = exercise_page_for_user(user=request.user, exercise=exercise)
    if code is None:
        code = page.latest.code if page.latest is not None else exercise.starter_code
    return {
        "page": page,
        "exercise": exercise,
        "statement_html": statement_html(localized(exercise, "statement")),
        "form": CodeForm(initial={"code": code}),
        "refusal": refusal,
        "poll_delay": POLL_DELAY,
    }


@login_required
@require_GET
def exercise_page(request, slug):
    exercise = exercise_get_visible(user=request.user, slug=slug)
    return render(request, "web/exercise.html", _exercise_context(request, exercise))


@login_required
@require_POST
def exercise_submit(request, slug):
    exercise = exercise_get_visible(user=request.user, slug=slug)
    form = CodeForm(request.POST)
    code = form.data.get("code", "")
    try:
        submission = submission_create(user=request.user, exercise=exercise, code=code)
    except SubmissionRejected as error:
        return _refusal_response(request, exercise, code, error)
    if not _is_htmx(request):
        return redirect(reverse("exercise-detail", args=[slug]) + "#result")
    return _submission_fragment(request, exercise, submission.pk)


def _refusal_response(request, exercise, code, error):
    """A refused submit or precheck: the reason in the fragment (htmx) or on the page with the code kept."""
    status = 429 if error.code == "rate_limited" else 400
    if _is_htmx(request):
        response = render(request, "web/_refusal.html", {"refusal": _refusal_text(error)}, status=status)
    else:
        context = _exercise_context(request, exercise, code=code, refusal=_refusal_text(error))
        response = render(request, "web/exercise.html", context, status=status)
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


def _submission_fragment(request, exercise, submission_id):
    submission = submission_with_results(user=request.user, submission_id=submission_id)
    context = {"exercise": exercise, "submission": submission, "poll_delay": POLL_DELAY}
    if submission.status not in PENDING_RUN_STATUSES:
        # The result is in: the history and the standing beside the editor change too.
        context["page"] = exercise_page_for_user(user=request.user, exercise=exercise, results=False)
        context["oob"] = True
    return render(request, "web/_submission.html", context)


@login_required
@require_GET
def submission_status(request, slug, submission_id):
    exercise = exercise_get_visible(user=request.user, slug=slug)
    submission = submission_with_results(user=request.user, submission_id=submission_id)
    if submission.exercise_id != exercise.pk:
        raise Http404("No such submission.")
    if not _is_htmx(request):
        return render(request, "web/submission.html", {"exercise": exercise, "submission": submission, "poll_delay": POLL_DELAY})
    return _submission_fragment(request, exercise, submission_id)


@login_required
@require_POST
def exercise_precheck(request, slug):
    exercise = exercise_get_visible(user=request.user, slug=slug)
    code = CodeForm(request.POST).data.get("code", "")
    try:
        precheck = precheck_create(user=request.user, exercise=exercise, code=code)
    except (SubmissionRejected, PrecheckRejected) as error:
        return _refusal_response(request, exercise, code, error)
    if not _is_htmx(request):
        return redirect(reverse("exercise-detail", args=[slug]) + "#precheck")
    return render(request, "web/_precheck.html", {"exercise": exercise, "precheck": precheck, "poll_delay": POLL_DELAY})


@login_required
@require_GET
def precheck_status(request, slug, precheck_id):
    exercise = exercise_get_visible(user=request.user, slug=slug)
    precheck = precheck_get_for_user(user=request.user, precheck_id=precheck_id)
    if precheck.exercise_id != exercise.pk:
        raise Http404("No such precheck.")
    template = "web/_precheck.html" if _is_htmx(request) else "web/precheck.html"
    context = {"exercise": exercise, "precheck": precheck, "poll_delay": POLL_DELAY, "stale": precheck_is_stale(precheck)}
    return render(request, template, context)

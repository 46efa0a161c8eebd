from django.http import HttpResponse
from django.shortcuts import render

from courses.selectors import course_list_for_catalogue
from grader.selectors import exercises_visible_to


def home(request):
    """The catalogue: what `make run` prints the URL of. Every course's syllabus; links to what the visitor may open."""
    visible = exercises_visible_to(user=request.user)
    # Anonymous visitors open nothing: no query for them.
    visible_ids = set(visible.values_list("pk", flat=True)) if request.user.is_authenticated else set()
    return render(request, "courses/home.html", {"courses": course_list_for_catalogue(), "visible_exercise_ids": visible_ids})


def healthz(request):
    """For load balancers and the compose health check: the process answers (no database query)."""
    return HttpResponse("ok\n", content_type="text/plain")

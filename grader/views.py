from django.shortcuts import render

from courses.language import localized
from grader.markdown_render import markdown_to_safe_html
from grader.selectors import exercise_get_visible


def exercise_detail(request, slug):
    exercise = exercise_get_visible(user=request.user, slug=slug)
    statement_html = markdown_to_safe_html(localized(exercise, "statement"))
    return render(request, "grader/exercise_detail.html", {"exercise": exercise, "statement_html": statement_html})

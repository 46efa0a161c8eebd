from django.shortcuts import get_object_or_404, render

from courses.language import page_language
from grader.markdown_render import markdown_to_safe_html
from grader.models import Exercise


def exercise_detail(request, slug):
    exercise = get_object_or_404(Exercise.objects.select_related("chapter__course"), slug=slug)
    lang = page_language(request)
    statement = exercise.statement_zh if lang == "zh" else exercise.statement_en
    return render(
        request,
        "grader/exercise_detail.html",
        {"exercise": exercise, "lang": lang, "statement_html": markdown_to_safe_html(statement)},
    )

"""The teaching staff's pages of a course: gradebook and analytics. Instructors and TAs of the course only."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from courses.selectors import courses_staffed_by
from staff import analytics, charts, tables
from staff.access import course_get_for_staff
from grades.gradebook import canvas_gradebook_csv, gradebook_for_course
from staff.exports import csv_text
from staff.selectors import assignment_title, assignments_of_course


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def course_list(request):
    if not request.user.is_authenticated:
        raise Http404
    courses = courses_staffed_by(user=request.user).order_by("slug")
    return render(request, "staff/course_list.html", {"courses": courses})


def gradebook(request, slug):
    staffed = course_get_for_staff(user=request.user, slug=slug)
    # Unpublished assignments too: staff see what is coming (the LMS's CSV has the published ones).
    book = gradebook_for_course(course=staffed.course, include_unpublished=True)
    history_url = reverse("admin:grades_grade_change", args=[0])
    columns = [(assignment, assignment_title(assignment)) for assignment in book.assignments]
    shown = tables.gradebook_cells(book, history_url=history_url)
    return render(
        request,
        "staff/gradebook.html",
        {
            "course": staffed.course,
            "columns": columns,
            "rows": shown,
            "row_html": tables.gradebook_rows_html(shown),
            "student_count": len(book.rows),
        },
    )


def gradebook_csv(request, slug):
    staffed = course_get_for_staff(user=request.user, slug=slug)
    text = canvas_gradebook_csv(staffed.course)
    return _csv_response(text, f"{staffed.course.slug}-gradebook.csv")


def _analytics_tables(course, assignments, names) -> dict:
    """The analytics of `course`, only those in `names` (a CSV download computes one)."""
    found = {}
    if "score-distribution" in names:
        found["scores"] = analytics.score_distributions(course=course, assignments=assignments)
    if "quiz-questions" in names:
        found["quizzes"] = analytics.quiz_question_statistics(assignments=assignments)
    if names & {"tests-failed", "known-mistakes"}:
        found["troubles"] = analytics.exercise_troubles(course=course, assignments=assignments)
    if "time-to-full-marks" in names:
        found["times"] = analytics.time_to_full_marks(course=course, assignments=assignments)
    return found


def analytics_page(request, slug):
    staffed = course_get_for_staff(user=request.user, slug=slug)
    assignments = assignments_of_course(course=staffed.course)
    found = _analytics_tables(staffed.course, assignments, set(tables.TABLE_NAMES))
    score_plots = [
        (distribution, assignment_title(distribution.assignment), charts.histogram_chart(distribution.counts))
        for distribution in found["scores"]
    ]
    quiz_plots = [
        (quiz, assignment_title(quiz.assignment), charts.item_scatter(quiz.questions)) for quiz in found["quizzes"]
    ]
    trouble_plots = [
        (
            exercise,
            assignment_title(exercise.assignment),
            charts.ranked_bars([(test.name, test.count) for test in exercise.tests_failed]),
            charts.ranked_bars([(mistake.name, mistake.count) for mistake in exercise.mistakes]),
        )
        for exercise in found["troubles"]
    ]
    time_plot = charts.box_plot([(row.assignment.slug, row.hours) for row in found["times"]])
    context = {
        "course": staffed.course,
        "score_plots": score_plots,
        "score_table": tables.score_table(found["scores"]),
        "quiz_plots": quiz_plots,
        "question_table": tables.question_table(found["quizzes"]),
        "trouble_plots": trouble_plots,
        "test_table": tables.test_table(found["troubles"]),
        "mistake_table": tables.mistake_table(found["troubles"]),
        "time_plot": time_plot,
        "time_table": tables.time_table(found["times"]),
    }
    return render(request, "staff/analytics.html", context)


_TABLE_BUILDERS = {
    "score-distribution": lambda found: tables.score_table(found["scores"]),
    "quiz-questions": lambda found: tables.question_table(found["quizzes"]),
    "tests-failed": lambda found: tables.test_table(found["troubles"]),
    "known-mistakes": lambda found: tables.mistake_table(found["troubles"]),
    "time-to-full-marks": lambda found: tables.time_table(found["times"]),
}


def analytics_csv(request, slug, table):
    staffed = course_get_for_staff(user=request.user, slug=slug)
    if table not in _TABLE_BUILDERS:
        raise Http404
    assignments = assignments_of_course(course=staffed.course)
    built = _TABLE_BUILDERS[table](_analytics_tables(staffed.course, assignments, {table}))
    return _csv_response(csv_text([str(name) for name in built.header], built.rows), f"{staffed.course.slug}-{table}.csv")

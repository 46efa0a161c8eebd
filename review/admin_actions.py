"""The exercise page's actions that start a report; the report pages show the answer."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html


@admin.action(
    description="Analyse the checks with mutants of the reference · 用参考答案的变异体分析检查强度",
    permissions=["change"],
)
def mutation_reports_request(model_admin, request, exercises):
    from review.services.mutation import mutation_report_request

    for exercise in exercises:
        report = mutation_report_request(exercise=exercise, requested_by=request.user)
        url = reverse("admin:review_mutationreport_change", args=[report.pk])
        model_admin.message_user(
            request,
            format_html(
                '{}: <a href="{}">mutation report #{}</a> queued; it fills in as the mutants are graded. · '
                "{}：变异分析报告 #{} 已排队，评分过程中逐步更新。",
                exercise.slug, url, report.pk, exercise.slug, report.pk,
            ),
            messages.SUCCESS,
        )


@admin.action(
    description="Find similar submissions (latest per student) · 查找相似提交（每名学生最新一份）",
    permissions=["change"],
)
def similarity_reports_request(model_admin, request, exercises):
    from review.services.similarity import similarity_report_request

    for exercise in exercises:
        report = similarity_report_request(exercise=exercise, requested_by=request.user)
        url = reverse("admin:review_similarityreport_change", args=[report.pk])
        model_admin.message_user(
            request,
            format_html(
                '{}: <a href="{}">similarity report #{}</a> queued. Similar pairs are for review only: nothing is penalised. · '
                "{}：相似度报告 #{} 已排队。相似的提交仅供人工审阅，不会自动扣分。",
                exercise.slug, url, report.pk, exercise.slug, report.pk,
            ),
            messages.SUCCESS,
        )


def exercise_admin_actions_register() -> None:
    """Add the two actions to the exercise admin, once."""
    from grader.admin import ExerciseAdmin

    added = tuple(action for action in (mutation_reports_request, similarity_reports_request) if action not in ExerciseAdmin.actions)
    ExerciseAdmin.actions = (*ExerciseAdmin.actions, *added)

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """Reviewing an exercise and its submissions: how strong its checks are (mutants) and which
    submissions look alike (similarity). Reports for instructors; nothing here changes a grade."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Review · 审阅"

    def ready(self):
        # The exercise page's actions that start a report live with the reports, not in grader:
        # grader does not know this app (dependencies point from review to grader).
        from review.admin_actions import exercise_admin_actions_register

        exercise_admin_actions_register()

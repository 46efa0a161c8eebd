"""The LMS endpoints' shapes: query parameters in, rows out.

Grade rows follow LTI Assignment and Grade Services (scoreGiven,
scoreMaximum, activityProgress, gradingProgress, timestamp, comment) in
snake_case. They are built by `grade_row` from the selector's dicts, because a
DRF serializer costs tens of microseconds a row and a feed page holds up to a
thousand; GradeRowSerializer describes the same shape for the schema, and the
tests hold the two together.
"""

from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grades.gradebook import assignment_title
from grades.models import AGS_PROGRESS, GradeState
from lms.pagination import CURSOR_PATTERN

FEED_PAGE_SIZE = 100
FEED_MAX_PAGE_SIZE = 1000



def iso_millis(value) -> str | None:
    """UTC, with milliseconds, as AGS asks: 2026-03-01T12:00:00.123Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_GRADED, _EXCUSED = GradeState.GRADED.value, GradeState.EXCUSED.value


def grade_row(values: tuple) -> dict:
    """One feed row from the selector's tuple (lms.selectors.FEED_FIELDS order)."""
    sequence, user_id, username, slug, score, max_score, state, late, reason, changed_at, lti_sub, sis_user_id = values
    activity, grading = AGS_PROGRESS[state]
    return {
        "student": {"id": user_id, "username": username, "lti_sub": lti_sub, "sis_user_id": sis_user_id or None},
        "assignment": slug,
        "score_given": float(score) if state == _GRADED and score is not None else None,
        "score_maximum": float(max_score),
        "activity_progress": activity,
        "grading_progress": grading,
        "timestamp": iso_millis(changed_at),
        "comment": reason,
        "excused": state == _EXCUSED,
        "late": late,
        "state": state,
        "sequence": sequence,
    }


class FeedQuerySerializer(serializers.Serializer):
    cursor = serializers.RegexField(
        CURSOR_PATTERN, required=False, help_text="The `cursor` of a previous page: only grades changed since."
    )
    assignment = serializers.SlugField(required=False, help_text="Only this assignment (its slug).")
    student = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="Only this student (their id).")
    changed_since = serializers.DateTimeField(
        required=False, help_text="Only grades whose last change is at or after this time (ISO 8601; UTC if no offset)."
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=FEED_MAX_PAGE_SIZE, default=FEED_PAGE_SIZE)


class StudentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    lti_sub = serializers.CharField(allow_null=True, help_text="The student's `sub` at an LMS registered for this course.")
    sis_user_id = serializers.CharField(allow_null=True)


class GradeRowSerializer(serializers.Serializer):
    student = StudentRefSerializer()
    assignment = serializers.SlugField()
    score_given = serializers.FloatField(allow_null=True, help_text="Null unless graded (and when excused).")
    score_maximum = serializers.FloatField()
    activity_progress = serializers.ChoiceField(choices=["Initialized", "Submitted", "Completed"])
    grading_progress = serializers.ChoiceField(choices=["NotReady", "Pending", "FullyGraded"])
    timestamp = serializers.CharField(help_text="When the grade last changed: ISO 8601, UTC, milliseconds.")
    comment = serializers.CharField(allow_blank=True, help_text="The instructor's reason, when they set the score.")
    excused = serializers.BooleanField()
    late = serializers.BooleanField()
    state = serializers.ChoiceField(choices=GradeState.values)
    sequence = serializers.IntegerField(help_text="The grade's change number: increases with every change, in commit order.")


class GradeFeedPageSerializer(serializers.Serializer):
    results = GradeRowSerializer(many=True)
    cursor = serializers.CharField(help_text="Resume from here next time, even from the last page.")
    next = serializers.URLField(allow_null=True, help_text="The following page, or null when this one is the last so far.")
    has_more = serializers.BooleanField()


class TitleSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=["coding", "quiz"])
    score_maximum = serializers.FloatField(source="points")
    opens_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(TitleSerializer)
    def get_title(self, assignment):
        return {"zh": assignment_title(assignment, "zh"), "en": assignment_title(assignment, "en")}


class RosterEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=["student", "instructor", "ta"])
    lti_sub = serializers.CharField(allow_null=True)
    sis_user_id = serializers.SerializerMethodField()
    enrolled_at = serializers.DateTimeField(source="created_at")

    def get_name(self, enrollment) -> str:
        return enrollment.user.get_full_name()

    def get_sis_user_id(self, enrollment) -> str | None:
        return enrollment.sis_user_id or None

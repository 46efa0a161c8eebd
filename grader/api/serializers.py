"""The API's input shapes and its one representation of a result (COURSE.md).

Input serializers check types only; every rule about what may be submitted
lives in grader.services.submission_create.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grader.models import Submission

# Until a worker has finished, there is no score to show, whatever the row holds.
PENDING_STATUSES = frozenset({Submission.Status.QUEUED, Submission.Status.RUNNING})


@extend_schema_field(OpenApiTypes.STR)
class StrictStringField(serializers.Field):
    """A JSON string, exactly as sent.

    DRF's CharField would turn 123 into "123", strip whitespace (which is
    code) and reject surrogates with its own message; the service decides
    about the text, this only insists that it is a string.
    """

    default_error_messages = {"invalid": "Not a valid string."}  # DRF's wording: its zh catalogue has it

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class TokenCreateSerializer(serializers.Serializer):
    # Django's username limit; a password long enough for any passphrase, short
    # enough that hashing it costs nothing extra. DRF's CharField refuses NUL
    # and lone surrogates, which the database would refuse with a 500.
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class SubmissionCreateSerializer(serializers.Serializer):
    exercise = StrictStringField()
    code = StrictStringField()


class SubmissionCreatedSerializer(serializers.ModelSerializer):
    exercise = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "exercise", "status", "created_at"]


class _LocalisedMixin:
    """Picks the *_zh text when the request asked for Chinese and the text exists."""

    def _text(self, obj, field: str) -> str:
        english = getattr(obj, f"{field}_en")
        if self.context.get("lang") == "zh":
            return getattr(obj, f"{field}_zh") or english
        return english


class TestResultSerializer(_LocalisedMixin, serializers.Serializer):
    __test__ = False  # not a pytest test class, despite the name

    name = serializers.SerializerMethodField()
    passed = serializers.BooleanField()
    hidden = serializers.BooleanField()
    # Points are Decimal in the database; clients want JSON numbers, not strings.
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    message = serializers.SerializerMethodField()

    def get_name(self, test_result) -> str:
        return self._text(test_result, "name")

    def get_message(self, test_result) -> str:
        return self._text(test_result, "message")


class SubmissionListItemSerializer(serializers.ModelSerializer):
    """A row of the history: the outcome without the per-test detail."""

    exercise = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField(allow_null=True)

    class Meta:
        model = Submission
        fields = ["id", "exercise", "status", "score", "max_score", "created_at", "graded_at"]

    def to_representation(self, submission):
        data = super().to_representation(submission)
        if submission.status in PENDING_STATUSES:
            data["score"] = data["max_score"] = None
        return data


class SubmissionDetailSerializer(_LocalisedMixin, SubmissionListItemSerializer):
    """COURSE.md's "what a grade result holds", plus the seed that reproduces it."""

    feedback = serializers.SerializerMethodField()
    tests = serializers.SerializerMethodField()
    # 63-bit seeds exceed the 2**53 a JavaScript number holds exactly; a string keeps them reproducible.
    seed = serializers.CharField()
    # How many times it has been graded: more than 1 after a regrade.
    runs = serializers.IntegerField(source="graded_runs", read_only=True)

    class Meta(SubmissionListItemSerializer.Meta):
        fields = [
            "id",
            "exercise",
            "status",
            "score",
            "max_score",
            "feedback",
            "tests",
            "seed",
            "runs",
            "created_at",
            "graded_at",
        ]

    def get_feedback(self, submission) -> str:
        return self._text(submission, "feedback")

    def get_tests(self, submission) -> list:
        if submission.status in PENDING_STATUSES:
            return []
        if submission.current_run_id is None:
            return []
        # .all() uses the selector's prefetch, already in position order.
        return TestResultSerializer(submission.current_run.test_results.all(), many=True, context=self.context).data

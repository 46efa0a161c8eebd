"""The OpenAPI schema's shared parts (drf-spectacular): the students' auth scheme and the one error shape."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class StudentTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.tokens.ApiTokenAuthentication"
    name = "studentToken"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
        scheme["description"] = "A student's token from POST /api/v1/auth/token/: `Authorization: Token <64 hex digits>`."
        return scheme


class _FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    message_zh = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable: clients branch on it.")
    message = serializers.CharField()
    message_zh = serializers.CharField()
    fields = serializers.DictField(
        child=_FieldErrorSerializer(many=True), required=False, help_text="Validation errors, by field."
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds; also the Retry-After header.")


class ErrorSerializer(serializers.Serializer):
    """Every API error: {"error": {"code", "message", "message_zh", ...}}."""

    error = ErrorBodySerializer()


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


# Errors any endpoint may answer.
COMMON_ERRORS = {
    401: error("not_authenticated, authentication_failed"),
    429: error("throttled / rate_limited; see Retry-After"),
}


def page_of(name: str, serializer_class) -> serializers.Serializer:
    """DRF's PageNumberPagination envelope around `serializer_class` rows."""
    return inline_serializer(
        name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )

"""The LMS endpoints' part of the OpenAPI schema: the bearer token scheme and their errors."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from grader.api.schema import error


class LmsTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lms.auth.LmsTokenAuthentication"
    name = "lmsToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An LMS token bound to one course, with scopes: `Authorization: Bearer lms_…` "
            "(`manage.py issue_lms_token`, or admin).",
        }


LMS_ERRORS = {
    400: error("invalid_input (a parameter: cursor, student, changed_since, page_size)"),
    401: error("lms_token_required, token_invalid, token_revoked, token_expired"),
    403: error("wrong_course, insufficient_scope"),
    404: error("unknown_assignment (the assignment filter); not_found: a page past the end"),
    429: error("throttled: over LMS_TOKEN_RATE for this token; see Retry-After"),
}

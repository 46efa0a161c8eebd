"""GET /api/schema/ and the docs pages: every endpoint, its errors and auth schemes; docs from our own static files."""

import re

import pytest

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/auth/token/", "/api/v1/auth/logout/", "/api/v1/auth/logout-all/", "/api/v1/submissions/",
    "/api/v1/submissions/{submission_id}/", "/api/v1/grades/", "/api/v1/courses/{course}/assignments/",
    "/api/v1/courses/{course}/grades/", "/api/v1/courses/{course}/roster/", "/api/v1/courses/{course}/gradebook.csv",
}  # fmt: skip


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_is_in_the_schema(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == ENDPOINTS


def test_auth_schemes_and_error_shape(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["lmsToken"] == {**schemes["lmsToken"], "type": "http", "scheme": "bearer"}
    assert schemes["studentToken"] == {**schemes["studentToken"], "type": "apiKey", "in": "header", "name": "Authorization"}
    grades = schema["paths"]["/api/v1/courses/{course}/grades/"]["get"]
    assert grades["security"] == [{"lmsToken": []}]
    for code in ("400", "401", "403", "404", "429"):
        assert grades["responses"][code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    error = schema["components"]["schemas"]["ErrorBody"]
    assert {"code", "message", "message_zh"} <= set(error["required"])
    feed = schema["components"]["schemas"]["GradeFeedPage"]
    assert {"results", "cursor", "next"} <= set(feed["required"])


def test_the_docs_load_nothing_from_elsewhere_and_keep_to_the_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    # No inline script or style: the site's Content-Security-Policy ('self' only) allows the page.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<style" not in html and re.search(r"<script>", html) is None
    init = client.get(re.search(r'<script src="([^"]+script=[^"]*)"', html).group(1).replace("&amp;", "&"))
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()
    assert "/api/schema/" in init.content.decode()

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from courses.views import favicon, healthz
from quizzes.admin_import import admin_urls as quiz_import_admin_urls
from web.urls import account_urlpatterns

urlpatterns = [
    path("", include("web.urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include(account_urlpatterns)),
    # set_language (POST, with CSRF): the language switch of every page.
    path("i18n/", include("django.conf.urls.i18n")),
    path("quizzes/", include("quizzes.urls")),
    # Before admin.site.urls, whose catch-all would answer these paths first.
    path("admin/", include(quiz_import_admin_urls())),
    path("admin/", admin.site.urls),
    # Before the students' API: its last pattern answers a JSON 404 for any other path under api/v1/.
    path("api/v1/courses/<slug:course>/", include("lms.urls")),
    path("api/v1/", include("grader.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP to refuse.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("lti/", include("lti.urls")),
    path("staff/", include("staff.urls")),
]

handler500 = "config.errors.server_error"

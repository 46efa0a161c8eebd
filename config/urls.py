from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from courses.views import healthz, home
from grader.views import exercise_detail

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("exercises/<slug:slug>/", exercise_detail, name="exercise-detail"),
    path("admin/", admin.site.urls),
    # Before the students' API: its last pattern answers a JSON 404 for any other path under api/v1/.
    path("api/v1/courses/<slug:course>/", include("lms.urls")),
    path("api/v1/", include("grader.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("lti/", include("lti.urls")),
]

handler500 = "config.errors.server_error"

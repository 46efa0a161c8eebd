from django.contrib import admin
from django.urls import include, path

from courses.views import healthz, home
from grader.views import exercise_detail

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("exercises/<slug:slug>/", exercise_detail, name="exercise-detail"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("grader.api.urls")),
    path("lti/", include("lti.urls")),
]

handler500 = "config.errors.server_error"

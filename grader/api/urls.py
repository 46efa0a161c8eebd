from django.urls import path, re_path

from grader.api import grades, views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="logout-all"),
    path("submissions/", views.SubmissionCollectionView.as_view(), name="submission-list"),
    path("submissions/<int:submission_id>/", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path("grades/", grades.GradeListView.as_view(), name="grade-list"),
    # Last: anything else under the API prefix is a JSON 404, not Django's HTML page.
    re_path(r"", views.ApiNotFoundView.as_view(), name="not-found"),
]

from django.urls import path

from lms import views

app_name = "lms"

urlpatterns = [
    path("assignments/", views.AssignmentListView.as_view(), name="assignments"),
    path("grades/", views.GradeFeedView.as_view(), name="grades"),
    path("roster/", views.RosterView.as_view(), name="roster"),
    path("gradebook.csv", views.GradebookCsvView.as_view(), name="gradebook-csv"),
]

from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.course_list, name="course-list"),
    path("courses/<slug:slug>/gradebook/", views.gradebook, name="gradebook"),
    path("courses/<slug:slug>/gradebook.csv", views.gradebook_csv, name="gradebook-csv"),
    path("courses/<slug:slug>/analytics/", views.analytics_page, name="analytics"),
    path("courses/<slug:slug>/analytics/<slug:table>.csv", views.analytics_csv, name="analytics-csv"),
]

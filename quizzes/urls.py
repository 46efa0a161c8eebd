from django.urls import path

from quizzes import views

urlpatterns = [
    path("<slug:slug>/", views.quiz_detail, name="quiz-detail"),
    path("<slug:slug>/start/", views.quiz_start, name="quiz-start"),
    path("<slug:slug>/attempts/<int:attempt_id>/submit/", views.quiz_submit, name="quiz-submit"),
    path("<slug:slug>/attempts/<int:attempt_id>/", views.quiz_attempt_detail, name="quiz-attempt"),
]

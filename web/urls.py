from django.contrib.auth import views as auth_views
from django.urls import path

from web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("exercises/<slug:slug>/", views.exercise_page, name="exercise-detail"),
    path("exercises/<slug:slug>/submit/", views.exercise_submit, name="exercise-submit"),
    path("exercises/<slug:slug>/submissions/<int:submission_id>/", views.submission_status, name="exercise-submission"),
    path("exercises/<slug:slug>/precheck/", views.exercise_precheck, name="exercise-precheck"),
    path("exercises/<slug:slug>/prechecks/<int:precheck_id>/", views.precheck_status, name="exercise-precheck-status"),
]

# Django's own auth views; their templates are in templates/registration/.
account_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

from django.urls import path

from lti import views

urlpatterns = [
    path("jwks/", views.jwks, name="lti-jwks"),
    path("login/", views.oidc_login, name="lti-login"),
    path("launch/", views.launch, name="lti-launch"),
    path("deep-link/<str:key>/", views.deep_link, name="lti-deep-link"),
]

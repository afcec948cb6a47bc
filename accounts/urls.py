from django.contrib.auth import views as auth_views
from django.urls import include, path

from .forms import EmailAuthenticationForm

# Mounted at /accounts/ (see volunteer_net/urls.py).
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm), name="login"),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            html_email_template_name="registration/password_reset_email_html.html"
        ),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
]

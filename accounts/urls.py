from collections.abc import Callable
from typing import cast

from django.http import HttpResponse
from django.urls import include, path

from volunteer_net.http import require_post

from . import views

# Mounted at /accounts/ (see volunteer_net/urls.py). Registration itself is volunteers' page
# (accounts/register/); it ends here, with the confirmation by e-mail.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("register/done/", views.register_done, name="register_done"),
    path("activate/<uidb64>/<token>/", views.activate, name="activate"),
    path("confirm-password/", views.password_confirm, name="password_confirm"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    # A GET on the log-out address (a bookmarked link) gets the branded 405 page, not a blank one.
    path(
        "logout/",
        require_post(back="home")(cast(Callable[..., HttpResponse], views.LogoutView.as_view())),
        name="logout",
    ),
    path("", include("django.contrib.auth.urls")),
]

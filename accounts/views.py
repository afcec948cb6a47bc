"""Account pages: the end of registration (confirmation by e-mail), password change and reset with
the revocation they imply, "log out everywhere", and the lockout page."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _

from volunteer_net.http import require_post

from . import ratelimit, reauth, services
from .destinations import mark_not_a_destination, usable_after_login
from .forms import EmailAuthenticationForm, PasswordChangeForm, PasswordConfirmForm, PasswordResetForm
from .lockout import known_browser_remember
from .tokens import activation_link_pk, user_for_activation
from .types import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)


def register_done(request: HttpRequest) -> HttpResponse:
    """What every registrant sees, whether the address was new or not."""
    return render(request, "accounts/register_done.html")


def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the confirmation mail. Opening it only shows a button: mail scanners that
    open links must not use the link up or log themselves in; the person's click (POST) does."""
    user = user_for_activation(uidb64, token)
    if user is None:
        # The link opened again in the browser it activated (the mail read twice): the account
        # works, and "no longer valid, register again" would send its owner to register anew.
        # Only the owner is told; anyone else learns nothing of the account.
        already_active = request.user.is_authenticated and activation_link_pk(uidb64) == request.user.pk
        return render(
            request, "accounts/activate.html", {"validlink": False, "already_active": already_active}
        )
    if request.method == "POST":
        services.user_activate(user=user)
        login(request, user, backend=settings.LOGIN_BACKEND)
        messages.success(request, _("Welcome to Volunteer Net! Your profile has been created."))
        return redirect(settings.ACTIVATION_REDIRECT_URL)
    return render(request, "accounts/activate.html", {"validlink": True, "email": user.email})


@require_post(back="profile")
@login_required
def logout_everywhere(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.user_sessions_end(user=request.user)
    # This browser stays logged in; every other session and every API token is ended.
    update_session_auth_hash(request, request.user)
    messages.success(
        request, _("You have been logged out on all other devices, and your API tokens revoked.")
    )
    return redirect(settings.ACTIVATION_REDIRECT_URL)


def lockout(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page django-axes shows (AXES_LOCKOUT_CALLABLE) instead of the login form once an
    account or address is locked out."""
    return render(
        request,
        "registration/lockout.html",
        {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
        status=429,
    )


class LoginView(auth_views.LoginView):
    """Log in by e-mail; the browser where the password was right is remembered as the owner's,
    so that failures elsewhere cannot lock them out of it (accounts/lockout.py)."""

    authentication_form = EmailAuthenticationForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The password was just typed and checked: that counts as a confirmation (reauth.py).
        reauth.password_confirmed(self.request)
        known_browser_remember(response, email=form.get_user().email)
        return response

    def get_success_url(self) -> str:
        # Django follows any local `next`; one that this person cannot open with a GET (another
        # role's page, a button's address, this form) gives way to their own start page.
        url = self.get_redirect_url()
        if url and usable_after_login(url, self.request.user):
            return url
        return resolve_url(settings.LOGIN_REDIRECT_URL)


mark_not_a_destination(LoginView)


class LogoutView(auth_views.LogoutView):
    """Log out, then the home page, which says so: on a shared computer (a front office, a
    school) the next person must be able to trust that the last one is gone."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # The session is gone; the message travels in the messages cookie.
        messages.success(request, _("You have logged out"))
        return response


def _password_reset_link_send(user_id: int, language: str) -> None:
    try:
        services.password_reset_link_send(user_id=user_id, language=language)
    except Exception:
        # Past the answer, nobody sees an error page: the failure is logged, and the person
        # asks again.
        logger.exception("password reset: the mail to account %s was not sent", user_id)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, limited per address: each request sends a mail."""

    html_email_template_name = "registration/password_reset_email_html.html"
    form_class = PasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The link leaves once the answer has: the server closes a response after sending it,
        # and closing runs its closers (Django's own hook for a file served, say). The answer
        # takes as long for any address, registered or not.
        for user_id, language in form.links_due:
            closer = partial(_password_reset_link_send, user_id, language)
            response._resource_closers.append(closer)  # type: ignore[attr-defined]
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if ratelimit.limit_exceeded(request, scope="password_reset"):
            form: Form = self.get_form()
            form.add_error(None, str(ratelimit.LIMITED_MESSAGE))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


@login_required
def password_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Confirm your password", then back to the sensitive action that asked (`next`)."""
    next_url = reauth.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = PasswordConfirmForm(request.POST or None, request=request, user=request.user)
    if request.method == "POST" and form.is_valid():
        reauth.password_confirmed(request)
        return redirect(next_url)
    return render(
        request,
        "registration/password_confirm.html",
        {"form": form, "next": next_url, "minutes": max(settings.REAUTH_MAX_AGE // 60, 1)},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: Any) -> HttpResponse:
        # The old password was just typed: that counts as a confirmation too.
        reauth.password_confirmed(self.request)
        # Django keeps this session and ends the others (their hash derives from the password);
        # the API tokens go too.
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def get_user(self, uidb64: str) -> Any:
        # Django's view takes any account the link names. One deactivated since its link was
        # mailed (a welcome link, a reset asked for the day before) gets no new password: the
        # link reads as no longer valid, as "Forgot your password?" sends it none.
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        # The mailed link proved the mailbox: this browser is the owner's from now on.
        known_browser_remember(response, email=form.user.email)
        return response

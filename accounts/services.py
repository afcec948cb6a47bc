"""Writes for accounts: creation and activation, the mails of registration, API tokens, and
ending sessions. Each in one transaction; mails leave only once it has committed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from volunteer_net.languages import profile_language

from . import ratelimit
from .lockout import login_failures_forget
from .models import ApiToken, FormKey, User, api_token_digest
from .services_common import mail_send
from .tokens import activation_token, activation_uid, awaits_confirmation


@transaction.atomic
def user_create(*, email: str, password: str, full_name: str = "", is_active: bool = True) -> User:
    """A new account. Raises ValidationError (code "duplicate") when the address is taken."""
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, full_name=full_name, is_active=is_active
            )
    except IntegrityError as exc:
        # The unique index (case-insensitive) has the last word when two sign-ups race.
        raise ValidationError(
            {"email": [ValidationError(_("An account with this e-mail already exists."), code="duplicate")]}
        ) from exc


@transaction.atomic
def user_activate(*, user: User) -> User:
    """The owner of the address has confirmed it: the account may now log in."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active:
        locked.is_active = True
        locked.save(update_fields=["is_active"])
    user.is_active = True
    return locked


def registration_confirmation_send(*, user: User, language: str) -> None:
    """Mail the link that activates a new account and logs its owner in."""
    link = settings.SITE_URL + reverse(
        "activate", kwargs={"uidb64": activation_uid(user), "token": activation_token.make_token(user)}
    )
    days = max(settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60), 1)
    _mail_send(
        to=user.email,
        template="registration_confirm",
        context={"link": link, "days": days},
        language=language,
    )


@transaction.atomic
def staff_account_open(*, user: User, language: str) -> User:
    """Save an account national staff open for a coordinator or a member of an office's staff
    (`user` unsaved: its address and name typed) without a password, and mail its owner the
    link to choose one (account_welcome_send). Nobody but the owner ever knows the password:
    before, national staff typed one and passed it on by phone or chat."""
    user.set_unusable_password()
    user.save()
    account_welcome_send(user=user, language=language)
    return user


def account_welcome_send(*, user: User, language: str) -> None:
    """Mail the owner of an account without a password the link that sets one. It is Django's
    password-reset link: it works once, and lapses after PASSWORD_RESET_TIMEOUT or as soon as a
    password is set. A lapsed one is replaced by "Forgot your password?" (forms.PasswordResetForm
    serves accounts without a password too) or by national staff sending it again."""
    link = settings.SITE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    _mail_send(
        to=user.email,
        template="welcome",
        context={
            "link": link,
            "days": max(settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60), 1),
            "full_name": user.full_name,
            "login_link": settings.SITE_URL + reverse("login"),
            "reset_link": settings.SITE_URL + reverse("password_reset"),
        },
        language=language,
    )


def password_reset_link_send(*, user_id: int, language: str) -> None:
    """Mail the link that sets a new password to the owner of an active account, who asked for
    it with "Forgot your password?" (views.PasswordResetView, once its answer has gone). In the
    owner's language, not the asking page's: anybody may ask for a link to any address. The
    link starts with SITE_URL like every other mail's, not with the host a request named.
    Nothing is sent past the mailbox's limit (ratelimit.mailbox_limit_exceeded)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or ratelimit.mailbox_limit_exceeded(user.email):
        return
    context = {
        "email": user.email,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL,
        # Said in the mail: a link opened days later otherwise reads as broken.
        "days": max(settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60), 1),
    }
    with translation.override(profile_language(user, language)):
        subject = render_to_string("registration/password_reset_subject.txt", context)
        text = render_to_string("registration/password_reset_email.html", context)
        html = render_to_string("registration/password_reset_email_html.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def registration_repeated(*, user: User, password: str, language: str) -> None:
    """Someone registered with an address that already has an account. They are shown the same
    page as a new registrant (so the form tells no one which addresses are registered); the
    mailbox's owner learns what happened: a pending registration gets its link again, an account
    in use gets "you already have an account"."""
    # The same hashing work as creating an account, so the response time does not tell either.
    make_password(password)
    if ratelimit.mailbox_limit_exceeded(user.email):
        return
    if awaits_confirmation(user):
        registration_confirmation_send(user=user, language=language)
        return
    links = {
        "login_link": settings.SITE_URL + reverse("login"),
        "reset_link": settings.SITE_URL + reverse("password_reset"),
    }
    _mail_send(to=user.email, template="registration_exists", context=links, language=language)


def _mail_send(*, to: str, template: str, context: Mapping[str, object], language: str) -> None:
    """Render a mail of accounts/emails/ in the recipient's language and send it once the
    surrounding transaction has committed."""
    mail_send(to=to, template=f"accounts/emails/{template}", context=context, language=language)


# API tokens and sessions -------------------------------------------------------------------


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    """A new API token for the user; returns its key. Only the key's digest is stored, so this
    is the one moment the key is known: the caller hands it out at once and never again.

    Each call issues a token of its own, valid for TOKEN_TTL_HOURS, and leaves the user's other
    tokens alone: a second client logging in must not cut off the first (an integration, a
    phone). The user's expired tokens go, and the oldest beyond ApiToken.PER_USER."""
    # The row lock keeps two simultaneous log-ins from both counting the same tokens and
    # leaving more than the cap between them.
    User.objects.select_for_update().filter(pk=user.pk).first()
    key = ApiToken.new_key()
    ApiToken.objects.create(user=user, digest=api_token_digest(key))
    held = ApiToken.objects.filter(user=user)
    held.filter(created__lte=timezone.now() - timedelta(hours=settings.TOKEN_TTL_HOURS)).delete()
    newest = list(held.order_by("-created", "-pk").values_list("pk", flat=True)[: ApiToken.PER_USER])
    held.exclude(pk__in=newest).delete()
    return key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke one API token: the client that sends it is logged out, the user's others are not."""
    ApiToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def api_tokens_revoke(*, user: User) -> int:
    """Revoke the user's API tokens; returns how many there were."""
    deleted, _details = ApiToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_rights_reduced(*, user: User) -> int:
    """National staff deactivated the account, or took a role or a coordinated region from it:
    its API tokens are revoked. What a token reads is decided afresh on every request (the
    scope follows the roles held now), but a token outliving the rights it was asked with would
    come back to life with them (an account reactivated after an inquiry, a region given back),
    in a script nobody remembers; and its integration learns at once, with a 401, that it must
    ask for a new token with the password. Returns how many tokens went."""
    return api_tokens_revoke(user=user)


@transaction.atomic
def user_password_changed(*, user: User) -> None:
    """After a password change or reset: tokens made with the old password stop working (the
    sessions do already, their hash derives from the password), and the lockout of the account
    is lifted, as its owner has just proved who they are."""
    api_tokens_revoke(user=user)
    axes_reset(username=user.email)


@transaction.atomic
def user_sessions_end(*, user: User) -> None:
    """ "Log out everywhere": every session and API token of the user stops working. The caller
    keeps its own session by calling update_session_auth_hash afterwards."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    api_tokens_revoke(user=user)


def expired_sessions_and_tokens_clear(*, now: datetime | None = None) -> dict[str, int]:
    """Delete the sessions and API tokens that no longer let anyone in. Django never deletes an
    expired session by itself (each log-in leaves a row, kept until someone runs
    `clearsessions`), and a token past TOKEN_TTL_HOURS is refused but stays until its owner logs
    in again. Run daily by the beat (accounts.tasks.clean_up). Returns how many of each went.
    The one-time keys of create forms past FormKey.KEEP go too: a repeat that late is answered
    as a new form anyway (volunteer_net/submit_once.py)."""
    now = now or timezone.now()
    sessions, _details = Session.objects.filter(expire_date__lt=now).delete()
    tokens, _details = ApiToken.objects.filter(
        created__lte=now - timedelta(hours=settings.TOKEN_TTL_HOURS)
    ).delete()
    form_keys, _details = FormKey.objects.filter(created_at__lt=now - FormKey.KEEP).delete()
    return {"sessions": sessions, "tokens": tokens, "form_keys": form_keys}


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete an account for good, with the failed log-ins recorded under its e-mail (the
    lockout keeps the address in clear; see accounts/lockout.py)."""
    login_failures_forget(email=user.email)
    User.objects.filter(pk=user.pk).delete()

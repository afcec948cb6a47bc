from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from volunteer_net.choices import ChoiceLabels


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_national_staff", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: people log in by e-mail. Roles come from flags and assignments:
    national staff (flag), regional coordinator (regions.CoordinatorAssignment), detachment
    curator (Detachment.curator), volunteer (a Volunteer profile)."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can log in to the administration site.")
    )
    is_national_staff = models.BooleanField(
        _("national staff"), default=False, help_text=_("Sees and manages every region.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Raised by "log out everywhere": it is part of the session hash, so every session made
    # before the change stops being valid, as a password change does to them.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Upper("email"), name="unique_user_email_ci")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_session_auth_hash(self) -> str:
        return self._session_hash(secret=None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    def _session_hash(self, *, secret: str | bytes | None) -> str:
        # Django derives the hash from the password hash alone; the epoch joins it so that
        # sessions can be ended without a password change.
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AuditEntry(ChoiceLabels, models.Model):
    """Who saw, exported or imported personal data, and when: one row per act.

    It lives on the ground floor so that every app (exports, imports, the help requests'
    addresses, certificates) writes the same trail. The region is kept by its code, not a key:
    accounts/ sits below regions/, and a trail must outlive any row it names. The trail records
    what was touched, never the personal values themselves.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", _("viewed personal data")
        EXPORTED = "exported", _("exported")
        IMPORTED = "imported", _("imported")
        CERTIFICATE = "certificate", _("issued a certificate")
        REVOKED = "revoked", _("revoked")
        ERASED = "erased", _("erased personal data")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # What it was about: "volunteers.volunteer", "care.beneficiary", "reports.export" …
    subject_type = models.CharField(_("about"), max_length=60)
    subject_id = models.CharField(_("record"), max_length=40, blank=True)
    region_code = models.CharField(_("region"), max_length=8, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["subject_type", "subject_id", "-at"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.subject_type} {self.subject_id}"


class FormKey(models.Model):
    """One submission of a create form, claimed by the hidden one-time key the form was rendered
    with (volunteer_net/submit_once.py). The unique constraint is what makes a second press of
    the same filled form, even a parallel one, find the first one's result instead of saving
    again. The content's digest is part of it: a form brought back and changed before being sent
    again is a new submission. On the ground floor, as the audit trail, because every app's
    create forms use it; kept for a day (expired_sessions_and_tokens_clear)."""

    KEEP = timedelta(days=1)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    digest = models.CharField(max_length=64)
    # Where the first submission led (its redirect); a repeat is sent there too.
    result_url = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key", "digest"], name="form_key_once")]

    def __str__(self) -> str:
        return f"{self.key} {self.result_url}"


def api_token_digest(key: str) -> str:
    """The SHA-256 digest under which an API token is stored and looked up.

    No salt and no slow hash (PBKDF2, Argon2), as a password would need: the key is 20 bytes
    from the operating system's random source (160 bits, `ApiToken.new_key`), so no list of
    likely keys exists to try against a stolen digest, and a fast digest keeps the look-up of
    every API request a single indexed query."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """An API token (POST /api/auth/token/). Only the digest of its key is kept: a database
    dump, a backup or a read-only SQL account holds nothing that opens the API. The key itself
    is shown once, in the answer that issues it; a lost key is replaced by logging in again."""

    # The tokens one account holds at once: each log-in issues its own, so that every client
    # (a phone, a script, an integration) keeps working when another logs in; the oldest go
    # beyond this many, so a script that logs in on every run cannot pile them up.
    PER_USER = 10

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        # Never the digest: a list of tokens names them by owner and date only.
        return f"{self.user_id} {self.created:%Y-%m-%d %H:%M}"

    @staticmethod
    def new_key() -> str:
        # The same shape as the keys issued so far (40 hex characters), for clients that
        # check or store it.
        return secrets.token_hex(20)

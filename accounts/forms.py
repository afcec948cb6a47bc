import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import User


class EmailAuthenticationForm(AuthenticationForm):
    """Log in by e-mail; the address is matched whatever its case."""

    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    # Django's message puts the field's label into a sentence ("Please enter a correct
    # %(username)s and password"), which Russian and Kazakh cannot decline: "введите правильные
    # Электронная почта и пароль". Ours names the field in the sentence itself.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The e-mail address or the password is not correct. Note that the password is case-sensitive."
        ),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class RegistrationForm(forms.Form):
    """The account part of registration; the profile part is a VolunteerProfileForm."""

    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data under the terms shown"),
        error_messages={"required": _("Registration needs your consent to the processing of personal data.")},
    )

    def clean_email(self) -> str:
        # Whether the address already has an account is not the form's to say: anyone could
        # read it. Registration answers the same either way and tells the mailbox's owner.
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error(
                "password2", forms.ValidationError(_("The two passwords do not match."), code="mismatch")
            )
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=cleaned.get("email", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class PasswordConfirmForm(forms.Form):
    """ "Confirm your password" before a sensitive action (accounts/reauth.py). The check goes
    through authenticate(), so django-axes counts a wrong password and locks out as at log-in."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # axes reads the attempted account from the credentials' "username".
        confirmed = authenticate(self.request, username=self.user.email, password=password)
        if confirmed is None or confirmed.pk != self.user.pk:
            raise forms.ValidationError(_("The password is not correct."), code="invalid_password")
        return password


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form, with the old password checked through authenticate() as on the log-in and
    "confirm your password" pages: Django compares it directly, so whoever sat at an open session
    could try passwords there without end, and with the one found change the e-mail or delete
    the account (accounts/reauth.py). Now wrong guesses count towards the lockout."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        confirmed = authenticate(self.request, username=self.user.email, password=old_password)
        if confirmed is None or confirmed.pk != self.user.pk:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's form, which also serves an active account that has no password yet: one national
    staff opened (services.staff_account_open) whose welcome link has lapsed. Django skips those,
    as it would an account that logs in elsewhere (LDAP and the like); here every account logs
    in with its password, and "Forgot your password?" is how its owner gets a new link."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (account id, the page's language) of each link to mail once the answer has gone.
        self.links_due: list[tuple[int, str]] = []

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Not sent here: sent while the page waited, the mail made the answer slower for an
        # address with an account than for one without. views.PasswordResetView sends it
        # (services.password_reset_link_send) after the answer.
        self.links_due.append((context["user"].pk, translation.get_language() or settings.LANGUAGE_CODE))

    def get_users(self, email: str) -> Any:
        # Django's own comparison kept: the address must match as typed, not merely as the
        # database folds case (a look-alike with a dotless ı is no match).
        wanted = unicodedata.normalize("NFKC", email.strip()).casefold()
        return (
            user
            for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
            if unicodedata.normalize("NFKC", user.email).casefold() == wanted
        )


class StaffAccountForm(forms.ModelForm):
    """National staff open an account for a coordinator or a member of an office's staff: the
    address and the name, and the language of the welcome e-mail. No password: its owner chooses
    it through the mailed link."""

    language = forms.ChoiceField(label=_("Language of the welcome e-mail"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail already exists."), code="duplicate")
        return email

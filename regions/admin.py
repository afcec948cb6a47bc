from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import reauth
from accounts import services as account_services
from accounts.forms import StaffAccountForm
from accounts.models import AuditEntry

from .admin_mixins import NationalStaffAdmin, NationalStaffTabularInline
from .models import CoordinatorAssignment, Region

User = get_user_model()

# Importing Django's UserAdmin registers its Group admin. Roles here are flags and assignments,
# not Django's groups and permissions (NationalStaffAdmin ignores those), so a groups page would
# edit something that grants nothing — and it is not a NationalStaffAdmin.
admin.site.unregister(Group)


class CoordinatorAssignmentInline(NationalStaffTabularInline):
    model = CoordinatorAssignment
    extra = 0
    verbose_name = _("coordinated region")
    verbose_name_plural = _("coordinated regions")


class RolesNeedARecentPassword:
    """Handing out a role (national staff, admin access, a coordinated region) needs the
    password typed within REAUTH_MAX_AGE, as changing one's e-mail or exporting IINs does
    (accounts/reauth.py): a national staff session left open, or stolen, would otherwise be
    enough to make anybody national staff. Only a write the admin would accept asks; a refused
    one is still refused (403) as before. The form sent after the time ran out is not replayed:
    the person comes back to it and sends it again, knowingly."""

    def _password_to_confirm(self, request: HttpRequest, may_write: bool) -> HttpResponse | None:
        if request.method == "POST" and may_write and reauth.reauth_needed(request):
            return reauth.reauth_redirect(request, request.path)
        return None

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if object_id is None:
            may_write = self.has_add_permission(request)  # type: ignore[attr-defined]
        else:
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            may_write = obj is not None and self.has_change_permission(request, obj)  # type: ignore[attr-defined]
        refused = self._password_to_confirm(request, may_write)
        return refused or super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        may_write = obj is not None and self.has_delete_permission(request, obj)  # type: ignore[attr-defined]
        refused = self._password_to_confirm(request, may_write)
        return refused or super().delete_view(request, object_id, extra_context)  # type: ignore[misc]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # An action (or an edit of the list) is a write; a search or a filter is a GET.
        may_write = self.has_change_permission(request) or self.has_delete_permission(request)  # type: ignore[attr-defined]
        refused = self._password_to_confirm(request, may_write)
        return refused or super().changelist_view(request, extra_context)  # type: ignore[misc]


def _rights(user_id: int) -> tuple[frozenset[str], frozenset[int]]:
    """The roles (flags) and the coordinated regions an account holds now, as stored."""
    flags = User.objects.filter(pk=user_id).values("is_active", "is_superuser", "is_national_staff").first()
    regions = CoordinatorAssignment.objects.filter(user_id=user_id).values_list("region_id", flat=True)
    return frozenset(name for name, held in (flags or {}).items() if held), frozenset(regions)


def _revoke_tokens_if_reduced(user: Any, before: tuple[frozenset[str], frozenset[int]]) -> None:
    """An account that lost a flag or a region since `before` loses its API tokens
    (accounts.services.user_rights_reduced)."""
    after = _rights(user.pk)
    if before[0] - after[0] or before[1] - after[1]:
        account_services.user_rights_reduced(user=user)


def _page_language() -> str:
    """The admin page's language: the welcome e-mail's unless national staff choose another."""
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


@admin.register(User)
class UserAdmin(RolesNeedARecentPassword, NationalStaffAdmin, BaseUserAdmin):
    """Roles are assigned here by national staff: the national-staff flag, coordinated regions
    (inline), admin access; curators are set on the detachment, front-office staff on the office.
    Registered by regions/ rather than accounts/ because the roles it assigns live here."""

    ordering = ["email"]
    list_display = ["email", "full_name", "is_national_staff", "is_staff", "is_active"]
    list_filter = ["is_national_staff", "is_staff", "is_active", "coordinator_assignments__region"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        (_("Roles"), {"fields": ("is_active", "is_national_staff", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    # An account is opened without a password: its owner chooses one through the welcome e-mail
    # (accounts.services.staff_account_open), so national staff never know or pass one on.
    add_form = StaffAccountForm
    add_form_template = "admin/accounts/user/add_form.html"
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "language")}),)
    readonly_fields = ["last_login", "date_joined"]
    inlines = [CoordinatorAssignmentInline]
    filter_horizontal = ()
    actions = ["send_welcome_again"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("language", _page_language())
        return initial

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            # Read before the flags are saved; compared once the regions' inline is saved too.
            # Kept on the object being saved: the admin instance is shared by every request.
            obj._rights_before = _rights(obj.pk)
            super().save_model(request, obj, form, change)
        else:
            account_services.staff_account_open(user=obj, language=form.cleaned_data["language"])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        before = form.instance.__dict__.pop("_rights_before", None)
        if change and before is not None:
            _revoke_tokens_if_reduced(form.instance, before)

    @admin.action(description=_("Send the link to choose a password again"))
    def send_welcome_again(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """For accounts opened here whose welcome link lapsed or went astray. An account with a
        password already is skipped: its owner uses "Forgot your password?"."""
        waiting = [user for user in queryset if user.is_active and not user.has_usable_password()]
        language = _page_language()
        for user in waiting:
            account_services.account_welcome_send(user=user, language=language)
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "The link was sent to %(count)d account.",
                    "The link was sent to %(count)d accounts.",
                    len(waiting),
                )
                % {"count": len(waiting)},
                messages.SUCCESS,
            )
        skipped = len(queryset) - len(waiting)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d account was skipped: it has a password already or is deactivated.",
                    "%(count)d accounts were skipped: they have a password already or are deactivated.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # National staff hand out roles, but cannot make anybody (themselves included) a
            # superuser: that is the one role above theirs.
            readonly.append("is_superuser")
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # National staff neither see nor set a person's password (user_change_password): the
        # owner chooses it (account_welcome_send, "Forgot your password?"), and only the
        # superuser running the site may set one, for an owner who lost their mailbox too.
        return tuple(
            (name, {**options, "fields": tuple(f for f in options["fields"] if f != "password")})
            for name, options in fieldsets
        )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's account (password included) is changed by a superuser only, or setting
        # its password would be a way up for national staff.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting an account here would leave its volunteer profile behind, personal data and
        # all; "Delete my account" anonymises the profile (volunteers.services.account_delete).
        # National staff deactivate accounts instead.
        return False


@admin.register(Region)
class RegionAdmin(NationalStaffAdmin):
    list_display = ["code", "iso_code", "name_kk", "name_ru", "name_en", "center_en"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]
    ordering = ["code"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # The 20 units are fixed by law and loaded by a data migration.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CoordinatorAssignment)
class CoordinatorAssignmentAdmin(RolesNeedARecentPassword, NationalStaffAdmin):
    list_display = ["user", "region", "created_at"]
    list_filter = ["region"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "region"]

    # A region taken from a coordinator (the assignment deleted, or moved to another person or
    # region) revokes that coordinator's API tokens, as on the account's own page.

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        previous = CoordinatorAssignment.objects.filter(pk=obj.pk).select_related("user").first()
        before = _rights(previous.user_id) if change and previous is not None else None
        super().save_model(request, obj, form, change)
        if previous is not None and before is not None:
            _revoke_tokens_if_reduced(previous.user, before)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        account_services.user_rights_reduced(user=obj.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        users = {assignment.user for assignment in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in users:
            account_services.user_rights_reduced(user=user)


@admin.register(AuditEntry)
class AuditEntryAdmin(NationalStaffAdmin):
    """The audit trail, for national staff to read: written by the services only."""

    list_display = ["at", "actor", "action", "subject_type", "subject_id", "region_code", "rows"]
    list_filter = ["action", "subject_type", "region_code"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

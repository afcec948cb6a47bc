"""Writes for volunteer profiles: each in one transaction, validated
before saving, with the change history written here rather than in views."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.models import User
from accounts.services_common import model_update, refuse_unknown_fields, unique_violation_field

from .models import DataClass, PossibleDuplicate, Skill, Volunteer, VolunteerChange
from .validators import normalize_phone

# Changes of these are recorded in the personal-data history: everything about the person.
TRACKED_FIELDS = Volunteer.fields_of(
    DataClass.PERSONAL, DataClass.SENSITIVE, DataClass.STATISTICAL, DataClass.CONSENT
)
# What profile forms write through the services; consents are recorded by their own services and
# skills, a many-to-many field, are set once the row is saved.
PROFILE_FIELDS = tuple(
    name
    for name in Volunteer.fields_of(DataClass.PERSONAL, DataClass.SENSITIVE, DataClass.STATISTICAL)
    if not Volunteer._meta.get_field(name).many_to_many
)


def _save_validated(volunteer: Volunteer) -> None:
    volunteer.full_clean(exclude=["user", "skills"])
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError as exc:
        # Two people typing the same IIN at once: the unique index has the last word.
        if unique_violation_field(exc, Volunteer) == "iin":
            message = _("A volunteer with this IIN is already registered.")
            raise ValidationError({"iin": [ValidationError(message, code="unique")]}) from exc
        raise


def volunteer_change_record(
    *, volunteer: Volunteer, changed_by: User | None, action: str, fields: list[str]
) -> None:
    """Log a change of personal data made elsewhere (the admin site saves through its own form)."""
    tracked = [f for f in fields if f in TRACKED_FIELDS]
    if tracked or action == VolunteerChange.Action.CREATE:
        _record_change(
            volunteer=volunteer, changed_by=changed_by, action=action, fields=tracked or ["created"]
        )


def _record_change(*, volunteer: Volunteer, changed_by: User | None, action: str, fields: list[str]) -> None:
    VolunteerChange.objects.create(
        volunteer=volunteer,
        changed_by=changed_by if changed_by and changed_by.is_authenticated else None,
        action=action,
        fields=sorted(fields),
    )


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    profile: dict[str, Any],
    skills: Iterable[Skill] = (),
    language: str,
) -> User | None:
    """Self-registration: an inactive account and its volunteer profile, with the consent to
    personal data processing recorded with its time and the text version shown. The account
    becomes active when its owner opens the link mailed to them (accounts.views.activate).

    Nothing here tells the registrant whether the e-mail or the IIN is already on file; that
    would let anyone test addresses and IINs. An address with an account gets a mail instead
    (and None is returned); a taken IIN stays off the new profile, which is flagged as a
    possible duplicate for a coordinator. `language` is the page's, used for mail when the
    profile does not name one."""
    mail_language = profile.get("preferred_language") or language
    existing_user = User.objects.filter(email__iexact=email).first()
    if existing_user is None:
        try:
            user = accounts_services.user_create(email=email, password=password, is_active=False)
        except ValidationError:
            # Another sign-up with this address won the race: treat it as registered.
            existing_user = User.objects.get(email__iexact=email)
    if existing_user is not None:
        own = Volunteer.objects.filter(user=existing_user).first()
        accounts_services.registration_repeated(
            user=existing_user, password=password, language=own.preferred_language if own else mail_language
        )
        return None
    volunteer = Volunteer(user=user, **{k: v for k, v in profile.items() if k in PROFILE_FIELDS})
    if not volunteer.email:
        volunteer.email = user.email
    volunteer.consent_at = timezone.now()
    volunteer.consent_version = settings.CONSENT_VERSION
    try:
        _save_validated(volunteer)
    except ValidationError as exc:
        iin_errors = getattr(exc, "error_dict", {}).get("iin", [])
        if not any(e.code == "unique" for e in iin_errors):
            raise
        iin = volunteer.iin  # normalised by the model's clean()
        volunteer.iin = None
        _save_validated(volunteer)
        PossibleDuplicate.objects.create(
            volunteer=volunteer,
            existing=Volunteer.objects.filter(iin=iin).first(),
            reason=PossibleDuplicate.Reason.IIN,
        )
    volunteer.skills.set(skills)
    user.full_name = " ".join(p for p in (volunteer.first_name, volunteer.last_name) if p)
    user.save(update_fields=["full_name"])
    _record_change(volunteer=volunteer, changed_by=user, action="create", fields=["registration"])
    accounts_services.registration_confirmation_send(user=user, language=mail_language)
    return user


@transaction.atomic
def volunteer_create(
    *,
    created_by: User,
    data: dict[str, Any],
    skills: Iterable[Skill] = (),
    guardian_consent_received: bool = False,
) -> Volunteer:
    """A coordinator's walk-in or a curator's detachment member, added by hand."""
    refuse_unknown_fields(fields=PROFILE_FIELDS, data=data)
    volunteer = Volunteer(**data)
    if guardian_consent_received:
        volunteer.guardian_consent_at = timezone.now()
        volunteer.guardian_consent_recorded_by = created_by
    _save_validated(volunteer)
    volunteer.skills.set(skills)
    _record_change(volunteer=volunteer, changed_by=created_by, action="create", fields=["created"])
    return volunteer


@transaction.atomic
def volunteer_update(
    *,
    volunteer: Volunteer,
    changed_by: User,
    data: dict[str, Any],
    skills: Iterable[Skill] | None = None,
) -> list[str]:
    """Apply changes to a profile and record which fields changed. Returns those fields.

    `data` may hold PROFILE_FIELDS only; any other key is refused with TypeError.
    """
    refuse_unknown_fields(fields=PROFILE_FIELDS, data=data)
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    updates = dict(data)
    for field in ("phone", "guardian_phone"):
        # Normalised first, so that the same number written another way is no change.
        if field in updates:
            try:
                updates[field] = normalize_phone(updates[field])
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from exc
    if "iin" in updates:
        updates["iin"] = updates["iin"] or None
    # A guardian's consent was given for one person; a changed birth date keeps it, a changed
    # guardian does not.
    guardian_changes = any(
        name in updates and updates[name] != getattr(locked, name)
        for name in ("guardian_name", "guardian_relation")
    )
    if guardian_changes and locked.guardian_consent_at:
        updates.update(guardian_consent_at=None, guardian_consent_recorded_by=None)
    try:
        with transaction.atomic():
            # The row is locked, so no concurrent edit is overwritten.
            saved = model_update(
                instance=locked,
                fields=[*PROFILE_FIELDS, "guardian_consent_at", "guardian_consent_recorded_by"],
                data=updates,
            )[1]
    except IntegrityError as exc:
        # Two people typing the same IIN at once: the unique index has the last word.
        if unique_violation_field(exc, Volunteer) == "iin":
            raise ValidationError({"iin": [_("A volunteer with this IIN is already registered.")]}) from exc
        raise
    changed = [name for name in saved if name in TRACKED_FIELDS]
    if skills is not None:
        new_ids = {s.pk for s in skills}
        if new_ids != set(locked.skills.values_list("id", flat=True)):
            locked.skills.set(new_ids)
            changed.append("skills")
    if changed:
        _record_change(volunteer=locked, changed_by=changed_by, action="update", fields=changed)
    # Keep the caller's instance in step with what was saved.
    volunteer.refresh_from_db()
    return changed


@transaction.atomic
def guardian_consent_record(*, volunteer: Volunteer, recorded_by: User) -> Volunteer:
    """Record that the written consent of the parent or legal representative is on file."""
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if locked.guardian_consent_at is not None:
        # A resent form (a double click, a second tab) must not move the time the consent was
        # recorded, nor log it again; the row lock makes the second request see the first.
        raise ValidationError(
            _("The guardian's written consent was already recorded on %(date)s."),
            code="already_recorded",
            params={
                "date": formats.date_format(
                    timezone.localtime(locked.guardian_consent_at), "SHORT_DATETIME_FORMAT"
                )
            },
        )
    if not locked.is_minor():
        raise ValidationError(_("Guardian consent is only recorded for volunteers under 18."))
    if not (locked.guardian_name and locked.guardian_phone and locked.guardian_relation):
        raise ValidationError(_("Enter the guardian's name, phone and relation first."))
    locked.guardian_consent_at = timezone.now()
    locked.guardian_consent_recorded_by = recorded_by
    locked.save(update_fields=["guardian_consent_at", "guardian_consent_recorded_by", "updated_at"])
    _record_change(volunteer=locked, changed_by=recorded_by, action="consent", fields=["guardian_consent_at"])
    return locked


@transaction.atomic
def volunteer_anonymize(*, volunteer: Volunteer, requested_by: User | None) -> Volunteer:
    """Delete the account and erase personal data, keeping an anonymous row so that hours
    statistics (by region and year of birth) still add up."""
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    user_id = locked.user_id
    birth_date = locked.birth_date
    erased = Volunteer.fields_of(DataClass.PERSONAL, DataClass.SENSITIVE)
    for name in erased:
        field = Volunteer._meta.get_field(name)
        if field.many_to_many:
            getattr(locked, name).clear()
        else:
            # The field's empty value: "" or None as the column allows, [] for a list.
            setattr(locked, field.attname, field.get_default())  # type: ignore[union-attr]
    if birth_date:
        # The year is enough for age-group statistics; the exact date is restricted data.
        locked.birth_date = datetime.date(birth_date.year, 1, 1)
    locked.last_name = _("Anonymised volunteer")
    locked.user = None
    locked.status = Volunteer.Status.ARCHIVED
    locked.anonymized_at = timezone.now()
    locked.save()
    locked.changes.all().delete()
    VolunteerChange.objects.create(volunteer=locked, changed_by=None, action="anonymise", fields=["all"])
    if user_id is not None:
        User.objects.filter(pk=user_id).delete()
    return locked


@transaction.atomic
def account_delete(*, user: User) -> None:
    """ "Delete my account": the volunteer profile is anonymised, the account removed."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is not None:
        volunteer_anonymize(volunteer=volunteer, requested_by=user)
    else:
        user.delete()


# Skills catalogue ------------------------------------------------------------------------------

SKILL_FIELDS = ("code", "name_kk", "name_ru", "name_en")


def _save_skill(skill: Skill) -> Skill:
    # Codes go into links and the API's ?skill= filter: one spelling, lower case.
    skill.code = (skill.code or "").strip().lower()
    skill.full_clean(validate_unique=False)
    duplicate = _("A skill with this code already exists.")
    if Skill.objects.filter(code__iexact=skill.code).exclude(pk=skill.pk).exists():
        raise ValidationError({"code": [duplicate]})
    try:
        with transaction.atomic():
            skill.save()
    except IntegrityError as exc:
        # Two people adding the same code at once: the unique index has the last word.
        raise ValidationError({"code": [duplicate]}) from exc
    return skill


@transaction.atomic
def skill_create(*, code: str, name_kk: str, name_ru: str, name_en: str) -> Skill:
    """Add a skill to the catalogue volunteers pick from."""
    return _save_skill(Skill(code=code, name_kk=name_kk, name_ru=name_ru, name_en=name_en))


@transaction.atomic
def skill_update(*, skill: Skill, data: dict[str, Any]) -> Skill:
    """Rename a skill or correct its code. Skills are not deleted: profiles refer to them."""
    locked = Skill.objects.select_for_update().get(pk=skill.pk)
    for field in SKILL_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    _save_skill(locked)
    skill.refresh_from_db()
    return locked

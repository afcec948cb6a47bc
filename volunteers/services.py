"""Writes for volunteer profiles: each in one transaction, validated
before saving, with the change history written here rather than in views."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.models import User
from accounts.services_common import model_update, refuse_unknown_fields, unique_violation_field

from .guardian_links import guardian_link_matches, guardian_link_read
from .models import (
    ConsentMethod,
    DataClass,
    GuardianConsent,
    PossibleDuplicate,
    Skill,
    Volunteer,
    VolunteerChange,
)
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
    # The profile's address is the account's, which the registrant confirms by the mailed link.
    volunteer.email = user.email
    volunteer.consent_at = timezone.now()
    volunteer.consent_version = settings.CONSENT_VERSION
    volunteer.consent_method = ConsentMethod.ONLINE
    _await_guardian_if_minor(volunteer)
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


@dataclass(frozen=True)
class PaperConsent:
    """A signed paper form: its number and date, as written on it."""

    document_number: str
    document_date: datetime.date


@transaction.atomic
def volunteer_create(
    *,
    created_by: User,
    data: dict[str, Any],
    skills: Iterable[Skill] = (),
    own_consent: PaperConsent | None = None,
    guardian_consent: PaperConsent | None = None,
) -> Volunteer:
    """A coordinator's walk-in or a curator's detachment member, added by hand.

    `own_consent` is the person's signed consent form held by the region (a walk-in);
    `guardian_consent` the parent's or legal representative's written consent for a minor.
    A minor without it is kept awaiting the guardian and takes part in nothing."""
    refuse_unknown_fields(fields=PROFILE_FIELDS, data=data)
    volunteer = Volunteer(**data)
    if own_consent is not None:
        volunteer.consent_at = timezone.now()
        volunteer.consent_version = settings.CONSENT_VERSION
        volunteer.consent_method = ConsentMethod.PAPER
        volunteer.consent_document = own_consent.document_number
    _await_guardian_if_minor(volunteer)
    _save_validated(volunteer)
    volunteer.skills.set(skills)
    _record_change(volunteer=volunteer, changed_by=created_by, action="create", fields=["created"])
    if guardian_consent is not None and volunteer.is_minor():
        _consent_give(
            volunteer,
            method=GuardianConsent.Method.PAPER,
            by=created_by,
            document_number=guardian_consent.document_number,
            document_date=guardian_consent.document_date,
        )
    return volunteer


def _await_guardian_if_minor(volunteer: Volunteer) -> None:
    """A minor without their guardian's consent is kept awaiting it (law 94-V, art. 8)."""
    if volunteer.status == Volunteer.Status.ACTIVE and volunteer.awaits_guardian:
        volunteer.status = Volunteer.Status.AWAITING_GUARDIAN


def _refuse_if_anonymised(volunteer: Volunteer) -> None:
    if volunteer.anonymized_at is not None:
        raise ValidationError(
            _("This person's data has been erased; the record can no longer be changed."), code="anonymised"
        )


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
    _refuse_if_anonymised(locked)
    updates = dict(data)
    if (
        updates.get("status") == Volunteer.Status.ACTIVE
        and locked.status == Volunteer.Status.AWAITING_GUARDIAN
        and locked.awaits_guardian
    ):
        raise ValidationError(
            {"status": [_("A minor becomes active once the guardian's consent is recorded.")]},
            code="awaiting_guardian",
        )
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
    if guardian_changes and locked.guardian_consent_at:
        _consent_withdraw(locked, by=changed_by, reason=_("Another guardian was entered."))
        changed.append("guardian_consent_at")
    if locked.status == Volunteer.Status.ACTIVE and locked.awaits_guardian:
        # A corrected birth date can make someone a minor without a consent on file.
        locked.status = Volunteer.Status.AWAITING_GUARDIAN
        locked.save(update_fields=["status", "updated_at"])
        changed.append("status")
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


def _consent_give(
    locked: Volunteer,
    *,
    method: str,
    by: User | None,
    guardian_name: str = "",
    document_number: str = "",
    document_date: datetime.date | None = None,
) -> GuardianConsent:
    """Record a guardian's consent on a locked row; a minor awaiting it becomes active."""
    consent = GuardianConsent.objects.create(
        volunteer=locked,
        method=method,
        guardian_name=guardian_name or locked.guardian_name,
        guardian_relation=locked.guardian_relation,
        document_number=document_number,
        document_date=document_date,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    locked.guardian_consent_at = consent.given_at
    locked.guardian_consent_recorded_by = consent.recorded_by
    fields = ["guardian_consent_at", "guardian_consent_recorded_by", "updated_at"]
    if locked.status == Volunteer.Status.AWAITING_GUARDIAN:
        locked.status = Volunteer.Status.ACTIVE
        fields.append("status")
    locked.save(update_fields=fields)
    _record_change(volunteer=locked, changed_by=by, action="consent", fields=["guardian_consent_at"])
    return consent


def _consent_withdraw(locked: Volunteer, *, by: User | None, reason: str) -> None:
    GuardianConsent.objects.filter(volunteer=locked, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(),
        withdrawn_by=by if by is not None and by.is_authenticated else None,
        withdrawal_reason=reason[:300],
    )
    locked.guardian_consent_at = None
    locked.guardian_consent_recorded_by = None
    fields = ["guardian_consent_at", "guardian_consent_recorded_by", "updated_at"]
    if locked.status == Volunteer.Status.ACTIVE and locked.is_minor():
        locked.status = Volunteer.Status.AWAITING_GUARDIAN
        fields.append("status")
    locked.save(update_fields=fields)
    _record_change(
        volunteer=locked,
        changed_by=by,
        action=VolunteerChange.Action.CONSENT_WITHDRAWN,
        fields=["guardian_consent_at"],
    )


def _refuse_unless_consent_can_be_given(locked: Volunteer) -> None:
    _refuse_if_anonymised(locked)
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
        raise ValidationError(_("Guardian consent is only recorded for volunteers under 18."), code="adult")
    if not (locked.guardian_name and locked.guardian_phone and locked.guardian_relation):
        raise ValidationError(_("Enter the guardian's name, phone and relation first."), code="no_guardian")


@transaction.atomic
def guardian_consent_record(
    *, volunteer: Volunteer, recorded_by: User, paper: PaperConsent
) -> GuardianConsent:
    """Staff record the written consent of the parent or legal representative, with the number
    and date of the signed document kept on file."""
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _refuse_unless_consent_can_be_given(locked)
    errors: dict[str, list[str]] = {}
    if not paper.document_number.strip():
        errors["document_number"] = [_("Enter the number of the signed consent form.")]
    if paper.document_date > timezone.localdate():
        errors["document_date"] = [_("The document cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    return _consent_give(
        locked,
        method=GuardianConsent.Method.PAPER,
        by=recorded_by,
        document_number=paper.document_number.strip(),
        document_date=paper.document_date,
    )


@transaction.atomic
def guardian_consent_confirm(*, token: str, guardian_name: str) -> Volunteer:
    """The guardian confirms through their personal link (see volunteers/guardian_links.py)."""
    data = guardian_link_read(token)
    locked = Volunteer.objects.select_for_update().filter(pk=data.volunteer_id).first()
    if locked is None or locked.anonymized_at is not None or not guardian_link_matches(locked, data):
        # The guardian on file changed (or the person is gone): the old link no longer speaks
        # for anyone.
        raise ValidationError(
            _("This link is no longer valid. Ask the school curator or the front office for a new one."),
            code="invalid",
        )
    _refuse_unless_consent_can_be_given(locked)
    name = " ".join(guardian_name.split())
    if not name:
        raise ValidationError({"guardian_name": [_("Enter your full name.")]})
    _consent_give(locked, method=GuardianConsent.Method.LINK, by=None, guardian_name=name[:200])
    return locked


@transaction.atomic
def guardian_consent_withdraw(*, volunteer: Volunteer, withdrawn_by: User, reason: str) -> None:
    """The guardian withdrew their consent (they told staff): the minor takes part in nothing
    until a new one is given; the record of the old one stays."""
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _refuse_if_anonymised(locked)
    if locked.guardian_consent_at is None:
        raise ValidationError(_("There is no guardian consent in force to withdraw."), code="none")
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the consent is withdrawn.")]})
    _consent_withdraw(locked, by=withdrawn_by, reason=reason.strip())


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
    # The year stays for age-group statistics (birth_year, kept by save() while a date exists);
    # no date is made up for it.
    if birth_date:
        locked.birth_year = birth_date.year
    locked.birth_date = None
    locked.user = None
    locked.status = Volunteer.Status.ARCHIVED
    locked.anonymized_at = timezone.now()
    locked.save()
    # The consent records stay as evidence of what was allowed, without the guardian's name.
    locked.guardian_consents.update(guardian_name="", document_number="")
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


@dataclass(frozen=True)
class BulkResult:
    changed: list[Volunteer]
    unchanged: list[Volunteer]
    refused: list[tuple[Volunteer, str]]


BULK_ACTIONS = ("status", "detachment", "skill")


def volunteers_bulk_update(
    *, volunteers: Iterable[Volunteer], changed_by: User, action: str, value: Any
) -> BulkResult:
    """One change applied to many people, each through volunteer_update (its rules, its history,
    its own transaction), so that one refusal — a minor awaiting consent, an erased record —
    is reported by name and does not undo the others."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    changed: list[Volunteer] = []
    unchanged: list[Volunteer] = []
    refused: list[tuple[Volunteer, str]] = []
    for volunteer in volunteers:
        try:
            if action == "skill":
                skills = [*volunteer.skills.all(), value]
                fields = volunteer_update(volunteer=volunteer, changed_by=changed_by, data={}, skills=skills)
            else:
                fields = volunteer_update(volunteer=volunteer, changed_by=changed_by, data={action: value})
        except ValidationError as exc:
            refused.append((volunteer, " ".join(exc.messages)))
        else:
            (changed if fields else unchanged).append(volunteer)
    return BulkResult(changed=changed, unchanged=unchanged, refused=refused)

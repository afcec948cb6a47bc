"""Writes for volunteer profiles: each in one transaction, validated
before saving, with the change history written here rather than in views."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Model,
    OuterRef,
    ProtectedError,
    Q,
    QuerySet,
    RestrictedError,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import services as accounts_services
from accounts.audit import audit_record
from accounts.lockout import login_failures_forget
from accounts.models import AuditEntry, User
from accounts.services_common import model_update, refuse_unknown_fields, unique_violation_field
from regions.scoping import may_manage_region
from volunteer_net.dates import when_text

from . import crypto, extensions, selectors
from .guardian_links import (
    guardian_link_matches,
    guardian_link_person,
    guardian_link_read,
    guardian_link_url,
)
from .models import (
    ADULT_AGE,
    ConsentMethod,
    DataClass,
    GuardianConsent,
    ImportBatch,
    ImportRow,
    PossibleDuplicate,
    Skill,
    Volunteer,
    VolunteerChange,
    age_on,
)
from .validators import is_mobile, normalize_phone

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
        if unique_violation_field(exc, Volunteer) == "iin_hash":
            message = _("A volunteer with this IIN is already registered.")
            raise ValidationError({"iin": [ValidationError(message, code="unique")]}) from exc
        raise


def _save_keeping_a_taken_iin_off(volunteer: Volunteer) -> str | None:
    """Save a new profile; an IIN already on file is kept off it and returned, so that the
    caller flags the two as a possible duplicate rather than refusing the person."""
    try:
        _save_validated(volunteer)
    except ValidationError as exc:
        iin_errors = getattr(exc, "error_dict", {}).get("iin", [])
        if not any(e.code == "unique" for e in iin_errors):
            raise
        taken_iin = volunteer.iin  # normalised by the model's clean()
        volunteer.iin = None
        _save_validated(volunteer)
        return taken_iin
    return None


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
    # Before anything is looked up: the answer must not depend on whether the address is known.
    _refuse_own_phone_as_guardians(
        phone=profile.get("phone", ""),
        guardian_phone=profile.get("guardian_phone", ""),
        birth_date=profile.get("birth_date"),
    )
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
    _own_consent_set(volunteer, paper=None)
    _guardian_only_for_minors(volunteer)
    _await_guardian_if_minor(volunteer)
    taken_iin = _save_keeping_a_taken_iin_off(volunteer)
    possible_duplicates_flag(volunteer=volunteer, iin=taken_iin)
    volunteer.skills.set(skills)
    user.full_name = " ".join(p for p in (volunteer.first_name, volunteer.last_name) if p)
    user.save(update_fields=["full_name"])
    # An IIN given here counts as entered by the person (selectors.own_iin_locked), kept on the
    # profile or not: the history reads the same either way.
    entered = ["iin"] if volunteer.iin or taken_iin else []
    _record_change(volunteer=volunteer, changed_by=user, action="create", fields=["registration", *entered])
    accounts_services.registration_confirmation_send(user=user, language=mail_language)
    # A minor registering alone: the guardian gets their personal link by SMS.
    _guardian_link_send_if_wanted(volunteer)
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
    # As on registration and every edit: a child given the guardian's number as their own could
    # not be sent the consent link, and no later edit of the birth date or phones would save.
    _refuse_own_phone_as_guardians(
        phone=data.get("phone", ""),
        guardian_phone=data.get("guardian_phone", ""),
        birth_date=data.get("birth_date"),
    )
    if guardian_consent is not None and guardian_consent.document_date > timezone.localdate():
        # As guardian_consent_record refuses it: a form signed in 2099 is a typo, not evidence.
        raise ValidationError(
            {"guardian_document_date": [_("The document cannot be dated in the future.")]}, code="future"
        )
    volunteer = Volunteer(**data)
    if own_consent is not None:
        _own_consent_set(volunteer, paper=own_consent)
    _guardian_only_for_minors(volunteer)
    _await_guardian_if_minor(volunteer)
    taken_iin = _save_keeping_a_taken_iin_off(volunteer)
    possible_duplicates_flag(volunteer=volunteer, iin=taken_iin)
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


def _guardian_only_for_minors(volunteer: Volunteer) -> None:
    """An adult's new profile keeps no guardian: the form hides those fields once the date says 18
    or over, but what was typed before the date was corrected is still sent, and the guardian's
    name and phone were kept where the person could neither see nor remove them."""
    if not volunteer.is_minor():
        volunteer.guardian_name = volunteer.guardian_phone = volunteer.guardian_relation = ""


def _await_guardian_if_minor(volunteer: Volunteer) -> None:
    """A minor without their guardian's consent is kept awaiting it (law 94-V, art. 8)."""
    if volunteer.status == Volunteer.Status.ACTIVE and volunteer.awaits_guardian:
        volunteer.status = Volunteer.Status.AWAITING_GUARDIAN


def _lock(volunteer: Volunteer) -> Volunteer:
    """The row, locked for this transaction; a record merged into another meanwhile is gone,
    and the person acting is told so rather than shown an error page."""
    return _locked_or_gone(Volunteer.objects.select_for_update(), volunteer.pk)


def volunteer_lock_to_take_part(pk: int) -> Volunteer:
    """The person's row as a sign-up, a booking or an assignment locks it before writing what
    they take part in (FOR NO KEY UPDATE: the row itself is not changed). A record merged into
    another while the caller's page was open, or while this waited for the merge, is gone: the
    person acting is told so, as `_lock` tells them, not shown an error page."""
    return _locked_or_gone(Volunteer.objects.select_for_update(no_key=True), pk)


def _locked_or_gone(rows: QuerySet[Volunteer], pk: int) -> Volunteer:
    locked = rows.filter(pk=pk).first()
    if locked is None:
        raise ValidationError(
            _("This record no longer exists: it has been merged into another one."), code="gone"
        )
    return locked


def _own_profile(people: QuerySet[Volunteer], *, user: User) -> Volunteer:
    """The account's profile among `people` (not an erased one), else refused with code
    "no_profile"."""
    person = people.filter(user=user, anonymized_at__isnull=True).order_by("pk").first()
    if person is None:
        raise ValidationError(_("This account has no volunteer profile."), code="no_profile")
    return person


def volunteer_own(*, user: User) -> Volunteer:
    """The account's own profile, read without a lock (a refusal needs no more). Refused with
    code "no_profile" when the account has none (or an erased one), as `volunteer_lock_own`."""
    # Not the IIN: no rule reads it, and each one read is decrypted.
    return _own_profile(Volunteer.objects.defer("iin"), user=user)


def volunteer_lock_own(*, user: User) -> Volunteer:
    """The account's own profile, found by the account as its row is locked (FOR NO KEY UPDATE):
    the sign-up and booking APIs ask for it in the query that locks it, one fewer on their busiest
    writes. Refused with code "no_profile" when the account has none (or an erased one)."""
    return _own_profile(Volunteer.objects.select_for_update(no_key=True), user=user)


def _refuse_if_anonymised(volunteer: Volunteer) -> None:
    if volunteer.anonymized_at is not None:
        raise ValidationError(
            _("This person's data has been erased; the record can no longer be changed."), code="anonymised"
        )


# A profile staff pause or archive takes part in nothing (events.services.signup_refusal and the
# front offices' booking refuse it), nor does a minor whose guardian's consent is withdrawn, so
# what it still holds is given up at once (each app judges what: a shift the minor will be of
# age for stays): a shift's waitlist moves up into the place, a visit's place is freed, and no
# reminder goes out for what the person will not come to. volunteers/ cannot import the apps that hold those rows (they sit
# above it), so they register here from their AppConfig.ready(), as the anonymisation hooks do
# (volunteers/extensions.py). Each runs inside `volunteer_update`'s transaction with the person's
# row already locked, and the shifts and help requests it gives up locked before that row
# (LOCK_AHEAD_HOOKS below), as erasure runs its own hooks.
STOPPED_STATUSES = (Volunteer.Status.PAUSED, Volunteer.Status.ARCHIVED, Volunteer.Status.AWAITING_GUARDIAN)
STOP_HOOKS: list[extensions.AnonymizeHook] = []


def _stopped(locked: Volunteer, *, status_before: str, by: User | None) -> None:
    """Run the stop hooks when the locked profile has just stopped taking part."""
    if locked.status != status_before and locked.status in STOPPED_STATUSES:
        for hook in STOP_HOOKS:
            hook(volunteer=locked, by=by)


def register_stop_hook(hook: extensions.AnonymizeHook) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if hook not in STOP_HOOKS:
        STOP_HOOKS.append(hook)


# A birth date corrected, or taken over by a merge, can leave a person holding a place the law
# keeps them from (42-VI art. 12): a minor on adults-only or emergency work, someone below a
# shift's minimum age, a child under 14 without the written consent, a minor alone on a home
# visit. The apps holding places check them again and give up those (events, care); registered
# and run as the stop hooks are, after the places were locked ahead.
AGE_HOOKS: list[extensions.AnonymizeHook] = []


def register_age_hook(hook: extensions.AnonymizeHook) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if hook not in AGE_HOOKS:
        AGE_HOOKS.append(hook)


def _age_rechecked(locked: Volunteer, *, by: User | None) -> None:
    for hook in AGE_HOOKS:
        hook(volunteer=locked, by=by)


# A profile moved to another region gives up what only the old region's people hold: a place on
# one of its help requests, whose address the person no longer sees (care/). Shifts and visits
# stay: anyone may come to those, and the old region's staff still see and run them. Registered
# and run as the stop hooks are.
MOVE_HOOKS: list[extensions.AnonymizeHook] = []


def register_move_hook(hook: extensions.AnonymizeHook) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if hook not in MOVE_HOOKS:
        MOVE_HOOKS.append(hook)


class LockAheadHook(Protocol):
    def __call__(self, *, volunteers: Sequence[Volunteer]) -> object: ...


# The apps lock their own rows before the person's: a sign-up the shift, then the volunteer
# (events.services); an assignment the help request, then the volunteer (care.services). The stop,
# move and anonymisation hooks above run with the person's row locked and lock the shifts and
# requests after it, the other way round: a sign-up or an assignment of that very person at that
# moment would wait for them in a circle, and PostgreSQL would abort one (a 503 for a legitimate
# action). So before the person's row is locked, each app locks the rows its hooks will lock
# (each in its own order: the shifts of the person's upcoming places, the requests of their open
# assignments, in ascending id), and the two queue instead; the hooks' own locks of those rows
# are then no-ops. Only what the person holds as those rows are read is locked ahead: a place
# they take between that read and the lock of their row (a sign-up committed meanwhile) is locked
# late, by its hook, as before: a narrow window, not a closed one. A merge of two records of one
# person locks ahead for both at once (each app's rows in one ascending order): its own hooks settle
# the shifts and requests both records hold, which a cancellation there locks before the people
# waiting on it.
# Registered as the hooks are; an app whose rows are locked after the person's anyway (front
# offices lock the person, then the slot) needs none.
LOCK_AHEAD_HOOKS: list[LockAheadHook] = []


def register_lock_ahead_hook(hook: LockAheadHook) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if hook not in LOCK_AHEAD_HOOKS:
        LOCK_AHEAD_HOOKS.append(hook)


def _lock_ahead(*volunteers: Volunteer) -> None:
    """Lock the rows the stop, move, anonymisation or merge hooks will lock for these people,
    before their rows (see LOCK_AHEAD_HOOKS)."""
    for hook in LOCK_AHEAD_HOOKS:
        hook(volunteers=volunteers)


# The same words on the person's own form (volunteers/forms.py), where the date is then read-only.
MINORS_BIRTH_DATE_BY_STAFF = gettext_lazy(
    "Under 18, the date of birth is corrected by staff: contact your region's coordinator or your "
    "detachment's curator."
)


# The fields whose change may stop the person (a birth date can make them a minor awaiting
# consent again; another guardian withdraws the consent given by the one before) or move them.
_MAY_STOP_OR_MOVE = frozenset({"birth_date", "guardian_name", "guardian_relation", "region"})


def _may_stop_or_move(data: dict[str, Any]) -> bool:
    """Whether `data` may run the stop or move hooks: a stopped status, or a field in
    _MAY_STOP_OR_MOVE. Judged from `data` alone, not against the profile the caller passes: a
    ModelForm has already written the typed values into that instance (the edit pages pass it),
    so a pause from the edit page compared equal to itself and locked nothing ahead. The forms
    send only the fields their editor changed; the roster's bulk change may send a status the
    person already has, whose rows are then locked a moment for nothing. Other edits lock nothing
    ahead: the person's shifts stay free for others' sign-ups while they fix a phone number."""
    if data.get("status") in STOPPED_STATUSES:
        return True
    return not _MAY_STOP_OR_MOVE.isdisjoint(data)


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

    The person's own edit (`changed_by` is their account) never says whether an IIN is on file
    elsewhere: an IIN another record holds is kept off, the rest saved, the two flagged as
    possible duplicates, and the IIN is recorded as entered, as a free one is. The person enters
    their IIN once; after that staff change it (selectors.own_iin_locked), so that testing IINs
    costs an account each. Staff are told an IIN is taken only when they may know of the record
    that holds it (selectors.iin_holder_known_to); otherwise it is kept off in the same way.
    """
    refuse_unknown_fields(fields=PROFILE_FIELDS, data=data)
    if _may_stop_or_move(data):
        _lock_ahead(volunteer)
    locked = _lock(volunteer)
    _refuse_if_anonymised(locked)
    status_before = locked.status
    updates = dict(data)
    if (
        updates.get("status") == Volunteer.Status.ACTIVE
        and locked.status == Volunteer.Status.AWAITING_GUARDIAN
    ):
        if locked.awaits_guardian:
            raise ValidationError(
                {"status": [_("A minor becomes active once the guardian's consent is recorded.")]},
                code="awaiting_guardian",
            )
        if locked.awaits_own_consent:
            # Of age now: what is missing is the person's own consent, given on their profile or
            # recorded from the form they signed (own_consent_give), not a status.
            raise ValidationError(
                {
                    "status": [
                        _("This person is 18 now and becomes active once their own consent is recorded.")
                    ]
                },
                code="own_consent",
            )
    for field in ("phone", "guardian_phone"):
        # Normalised first, so that the same number written another way is no change.
        if field in updates:
            try:
                updates[field] = normalize_phone(updates[field])
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from exc
    if {"phone", "guardian_phone", "birth_date"} & {
        name for name in updates if updates[name] != getattr(locked, name)
    }:
        # Only a change is checked: an old record with one number twice stays editable.
        _refuse_own_phone_as_guardians(
            phone=updates.get("phone", locked.phone),
            guardian_phone=updates.get("guardian_phone", locked.guardian_phone),
            birth_date=updates.get("birth_date", locked.birth_date),
        )
    if "iin" in updates:
        updates["iin"] = updates["iin"] or None
    # A guardian's consent was given for one person; a changed birth date keeps it, a changed
    # guardian does not.
    guardian_changes = any(
        name in updates and updates[name] != getattr(locked, name)
        for name in ("guardian_name", "guardian_relation")
    )
    own_edit = locked.user_id is not None and locked.user_id == changed_by.pk
    if (
        own_edit
        and "birth_date" in updates
        and updates["birth_date"] != locked.birth_date
        and locked.is_minor()
    ):
        # What a minor may do (the guardian's consent, emergencies, a shift's minimum age) hangs on
        # the date: typed older by the minor, it would take them past their guardian.
        raise ValidationError(
            {"birth_date": [ValidationError(MINORS_BIRTH_DATE_BY_STAFF, code="minor_birth_date")]}
        )
    if (
        own_edit
        and updates.get("iin", locked.iin) != locked.iin
        and selectors.own_iin_locked(volunteer=locked)
    ):
        raise ValidationError(
            {
                "iin": [
                    ValidationError(
                        # The same words as the person's own form (volunteers/forms.py), where the
                        # IIN is then read-only.
                        _("Once entered, the IIN is changed by staff: contact your region's coordinator."),
                        code="iin_locked",
                    )
                ]
            }
        )
    saved, taken_iin = _update_keeping_a_taken_iin_off(
        locked, updates, changed_by=changed_by, own_edit=own_edit
    )
    changed = [name for name in saved if name in TRACKED_FIELDS]
    if taken_iin:
        # Entered as a free one is: the history (the person's export, the staff's page) says so.
        changed.append("iin")
    if guardian_changes and locked.guardian_consent_at:
        _consent_withdraw(locked, by=changed_by, reason=_("Another guardian was entered."))
        changed.append("guardian_consent_at")
    if locked.status == Volunteer.Status.ACTIVE and (
        locked.awaits_guardian or (status_before != Volunteer.Status.ACTIVE and locked.lacks_own_consent)
    ):
        # A corrected birth date can make someone a minor without a consent on file. And someone
        # who came of age awaiting their own consent, paused meanwhile, goes back to awaiting it:
        # active again, they took part on the box ticked at 17.
        locked.status = Volunteer.Status.AWAITING_GUARDIAN
        locked.save(update_fields=["status", "updated_at"])
        changed.append("status")
    _stopped(locked, status_before=status_before, by=changed_by)
    if "birth_date" in saved:
        _age_rechecked(locked, by=changed_by)
    if "region" in saved:
        for hook in MOVE_HOOKS:
            hook(volunteer=locked, by=changed_by)
    if skills is not None:
        new_ids = {s.pk for s in skills}
        if new_ids != set(locked.skills.values_list("id", flat=True)):
            locked.skills.set(new_ids)
            changed.append("skills")
    if changed:
        _record_change(volunteer=locked, changed_by=changed_by, action="update", fields=changed)
    if {"phone", "email"} & set(changed):
        possible_duplicates_flag(volunteer=locked)
    if {"guardian_phone", "guardian_name"} & set(saved):
        # The links sent so far name the old guardian and no longer work: the new one gets theirs.
        _guardian_link_send_if_wanted(locked)
    # Keep the caller's instance in step with what was saved.
    volunteer.refresh_from_db()
    return changed


def _update_keeping_a_taken_iin_off(
    locked: Volunteer, updates: dict[str, Any], *, changed_by: User, own_edit: bool
) -> tuple[list[str], str | None]:
    """Save `updates` on the locked row; returns the fields saved and an IIN kept off, if any.

    An IIN another record holds is refused by name only to staff who may know of that record;
    otherwise the rest is saved without it and the two are flagged as possible duplicates (see
    volunteer_update)."""
    fields = [*PROFILE_FIELDS, "guardian_consent_at", "guardian_consent_recorded_by"]
    try:
        with transaction.atomic():
            # The row is locked, so no concurrent edit is overwritten.
            return model_update(instance=locked, fields=fields, data=updates)[1], None
    except IntegrityError as exc:
        # The unique index has the last word, also when two people type one IIN at once.
        if unique_violation_field(exc, Volunteer) != "iin_hash":
            raise
        taken_iin = locked.iin  # normalised by the model's clean()
        if not own_edit and selectors.iin_holder_known_to(user=changed_by, iin=taken_iin):
            raise ValidationError({"iin": [_("A volunteer with this IIN is already registered.")]}) from exc
    # The failed save left every typed value on the instance: start again from the row.
    locked.refresh_from_db()
    rest = {name: value for name, value in updates.items() if name != "iin"}
    saved = model_update(instance=locked, fields=fields, data=rest)[1]
    possible_duplicates_flag(volunteer=locked, iin=taken_iin)
    return saved, taken_iin


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


def _own_consent_set(volunteer: Volunteer, *, paper: PaperConsent | None) -> None:
    """The person's own consent to the processing of personal data, given now on the text
    version in force: online, or on the signed paper form the region keeps (`paper`)."""
    volunteer.consent_at = timezone.now()
    volunteer.consent_version = settings.CONSENT_VERSION
    volunteer.consent_method = ConsentMethod.ONLINE if paper is None else ConsentMethod.PAPER
    volunteer.consent_document = "" if paper is None else paper.document_number


@transaction.atomic
def own_consent_give(*, volunteer: Volunteer, by: User, paper: PaperConsent | None = None) -> Volunteer:
    """A person who came of age while awaiting their guardian gives their own consent to the
    processing of personal data, and from then on takes part as any adult: on their profile, or
    on the form they signed, which staff record (`paper`, its number; kept by the region)."""
    locked = _lock(volunteer)
    _refuse_if_anonymised(locked)
    if paper is None and (locked.user_id is None or locked.user_id != by.pk):
        # Only the person gives it online; staff record the form the person signed.
        raise ValidationError(_("Record the number of the consent form the person signed."), code="paper")
    if locked.is_minor():
        raise ValidationError(
            _("Under 18, the consent is given by a parent or legal representative."), code="minor"
        )
    if locked.status != Volunteer.Status.AWAITING_GUARDIAN or locked.guardian_consent_at is not None:
        # A second tab or a double click: the first one did it.
        raise ValidationError(_("Your consent is already recorded."), code="already")
    _own_consent_set(locked, paper=paper)
    locked.status = Volunteer.Status.ACTIVE
    locked.save(
        update_fields=[
            "consent_at",
            "consent_version",
            "consent_method",
            "consent_document",
            "status",
            "updated_at",
        ]
    )
    _record_change(
        volunteer=locked,
        changed_by=by,
        action=VolunteerChange.Action.OWN_CONSENT,
        fields=["consent_at", "status"],
    )
    return locked


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
            params={"date": when_text(locked.guardian_consent_at)},
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
    locked = _lock(volunteer)
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


def guardian_link_refuse_own_account(*, volunteer: Volunteer, user: Any) -> None:
    """The minor's own account cannot give their guardian's consent, link or no link."""
    if (
        volunteer.user_id is not None
        and getattr(user, "is_authenticated", False)
        and user.pk == volunteer.user_id
    ):
        raise ValidationError(
            _(
                "This link is for your parent or legal representative: they open it on their own "
                "phone and give their consent themselves."
            ),
            code="own_account",
        )


@transaction.atomic
def guardian_consent_confirm(*, token: str, guardian_name: str, opened_by: Any = None) -> Volunteer:
    """The guardian confirms through their personal link (see volunteers/guardian_links.py).
    `opened_by` is the account of the session the link was opened in, if any."""
    data = guardian_link_read(token)
    locked = guardian_link_person(data, Volunteer.objects.select_for_update())
    if locked is None or locked.anonymized_at is not None or not guardian_link_matches(locked, data):
        # The guardian on file changed (or the person is gone): the old link no longer speaks
        # for anyone.
        raise ValidationError(
            _("This link is no longer valid. Ask the school curator or the front office for a new one."),
            code="invalid",
        )
    guardian_link_refuse_own_account(volunteer=locked, user=opened_by)
    _refuse_unless_consent_can_be_given(locked)
    name = " ".join(guardian_name.split())
    if not name:
        raise ValidationError({"guardian_name": [_("Enter your full name.")]})
    _consent_give(locked, method=GuardianConsent.Method.LINK, by=None, guardian_name=name[:200])
    return locked


# The guardian's personal link ---------------------------------------------------------------

# "Send again" waits this long after the last link (an SMS can take a few minutes to arrive), and
# a guardian's phone gets at most this many links a day whatever sends them (a registration, a
# corrected number, "send again" by the minor or by staff): the number is not ours to flood.
GUARDIAN_LINK_RESEND_AFTER = datetime.timedelta(minutes=10)
GUARDIAN_LINKS_PER_DAY = 5


def _own_phone_as_guardians_error() -> ValidationError:
    return ValidationError(
        _("The guardian's phone must differ from the volunteer's own phone."), code="own_phone"
    )


def _refuse_own_phone_as_guardians(
    *, phone: str, guardian_phone: str, birth_date: datetime.date | None
) -> None:
    """The guardian's personal link goes to the guardian's phone: a minor who gave their own
    number there would receive it and consent for themselves."""
    if not guardian_phone or phone != guardian_phone:
        return
    if birth_date is None or age_on(birth_date, timezone.localdate()) >= ADULT_AGE:
        return
    raise ValidationError({"guardian_phone": [_own_phone_as_guardians_error()]})


def _messenger() -> extensions.GuardianLinkMessenger:
    messenger = extensions.guardian_link_messenger()
    if messenger is None:  # notifications/ registers it at start-up
        raise ImproperlyConfigured("no guardian link messenger is registered")
    return messenger


def _guardian_link_refusal(
    volunteer: Volunteer, *, now: datetime.datetime, resend: bool
) -> ValidationError | None:
    """Why the link may not go to the guardian now, or None. `resend`: asked for again by a
    person, who waits GUARDIAN_LINK_RESEND_AFTER; a new number gets its link at once."""
    if volunteer.phone and volunteer.phone == volunteer.guardian_phone:
        return _own_phone_as_guardians_error()
    if not is_mobile(volunteer.guardian_phone):
        # The SMS would only fail at the gateway, while the page said the link was on its way.
        return ValidationError(
            _(
                "The guardian's phone is a landline, and an SMS cannot reach it: enter the guardian's "
                "mobile number, or staff hand the guardian the link."
            ),
            code="guardian_landline",
        )
    recent = _messenger().sent_since(volunteer=volunteer, since=now - datetime.timedelta(days=1))
    if len(recent) >= GUARDIAN_LINKS_PER_DAY:
        return ValidationError(
            ngettext(
                "The link has already been sent %(count)d time in the last 24 hours; it can be sent "
                "again tomorrow.",
                "The link has already been sent %(count)d times in the last 24 hours; it can be sent "
                "again tomorrow.",
                len(recent),
            )
            % {"count": len(recent)},
            code="daily_limit",
        )
    waited = now - recent[0].at if recent else None
    if resend and waited is not None and waited < GUARDIAN_LINK_RESEND_AFTER:
        minutes = max(1, math.ceil((GUARDIAN_LINK_RESEND_AFTER - waited).total_seconds() / 60))
        return ValidationError(
            ngettext(
                "The link was sent a moment ago, and an SMS can take a few minutes to arrive. It can "
                "be sent again in %(minutes)d minute.",
                "The link was sent a moment ago, and an SMS can take a few minutes to arrive. It can "
                "be sent again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            code="too_soon",
        )
    return None


def _guardian_link_queue(volunteer: Volunteer, *, now: datetime.datetime) -> extensions.GuardianLinkSent:
    valid_until = now + datetime.timedelta(days=settings.GUARDIAN_LINK_DAYS)
    _messenger().send(volunteer=volunteer, url=guardian_link_url(volunteer), valid_until=valid_until)
    return extensions.GuardianLinkSent(at=now, phone=volunteer.guardian_phone)


def _guardian_link_send_if_wanted(volunteer: Volunteer) -> bool:
    """After a minor registers or their guardian changes: the guardian gets the link, unless no
    consent is wanted or the limits say no (the profile then offers "Send again", which says
    why). Whether it went out."""
    if not (volunteer.awaits_guardian and volunteer.guardian_phone and volunteer.guardian_name):
        return False
    now = timezone.now()
    if _guardian_link_refusal(volunteer, now=now, resend=False) is not None:
        return False
    _guardian_link_queue(volunteer, now=now)
    return True


@transaction.atomic
def guardian_link_send(*, volunteer: Volunteer) -> extensions.GuardianLinkSent:
    """Send the minor's personal consent link to the guardian's phone again ("Send again", by
    the minor or by staff who may record the consent). Refused, with a message to show, when no
    consent is wanted, when the guardian's phone is the minor's own, or too soon or too often."""
    locked = _lock(volunteer)
    _refuse_unless_consent_can_be_given(locked)
    now = timezone.now()
    refusal = _guardian_link_refusal(locked, now=now, resend=True)
    if refusal is not None:
        raise refusal
    return _guardian_link_queue(locked, now=now)


@transaction.atomic
def guardian_consent_withdraw(*, volunteer: Volunteer, withdrawn_by: User, reason: str) -> None:
    """The guardian withdrew their consent (they told staff): the minor takes part in nothing
    until a new one is given; the record of the old one stays."""
    _lock_ahead(volunteer)
    locked = _lock(volunteer)
    _refuse_if_anonymised(locked)
    if locked.guardian_consent_at is None:
        raise ValidationError(_("There is no guardian consent in force to withdraw."), code="none")
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the consent is withdrawn.")]})
    status_before = locked.status
    _consent_withdraw(locked, by=withdrawn_by, reason=reason.strip())
    _stopped(locked, status_before=status_before, by=withdrawn_by)


def _import_rows_of(volunteer: Volunteer) -> Q:
    """The spreadsheet rows about the person: those that made or filled the record or were
    matched with it, and any row with their phone, e-mail or IIN (a row the preview could not
    match, say one with an error, holds the same data as typed)."""
    rows = Q(volunteer_id=volunteer.pk) | Q(existing_id=volunteer.pk)
    if volunteer.phone:
        rows |= Q(key_phone=volunteer.phone)
    if volunteer.email.strip():
        rows |= Q(key_email=volunteer.email.strip().casefold())
    if volunteer.iin_hash:
        rows |= Q(key_iin=volunteer.iin_hash)
    return rows


def _import_batches_lock(rows_of: Q) -> list[int]:
    """Lock the import batches holding rows about the person (`_import_rows_of`), and return
    their ids. Taken before the person's row: an import holds its batch's lock while it locks
    the records it fills (volunteers/imports/services.py), so the same order here makes an
    erasure wait for a running import instead of deadlocking with it."""
    linked = ImportRow.objects.filter(rows_of)
    return list(
        ImportBatch.objects.select_for_update()
        .filter(pk__in=linked.values("batch_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _import_rows_forget(rows_of: Q, *, batch_ids: list[int]) -> None:
    """Delete the spreadsheet rows about the person (`_import_rows_of`), and the file's repeats
    of those rows that did not become a record of their own. Their cells are the person's data
    as typed, kept until the batch is cleaned up (IMPORT_KEEP_HOURS). A batch still in its
    preview loses the rows (they vanish from it and are not imported) and has its counts made to
    match what is left."""
    if not batch_ids:
        return
    in_batches = ImportRow.objects.filter(batch_id__in=batch_ids)
    linked = in_batches.filter(rows_of)
    numbers: dict[int, set[int]] = {}
    for batch_id, number in linked.values_list("batch_id", "number"):
        numbers.setdefault(batch_id, set()).add(number)
    repeats = Q(pk__in=[])
    for batch_id, taken in numbers.items():
        repeats |= Q(batch_id=batch_id, same_as_row__in=taken, volunteer_id__isnull=True)
    in_batches.filter(rows_of | repeats).delete()
    ImportBatch.objects.filter(pk__in=batch_ids, status=ImportBatch.Status.VALIDATED).update(
        total_rows=_rows_counted(Q()),
        error_rows=_rows_counted(Q(has_errors=True)),
        duplicate_rows=_rows_counted(~Q(duplicate_reason="")),
    )


def _rows_counted(condition: Q) -> Coalesce:
    """The number of the outer batch's rows that meet `condition`, as a subquery."""
    rows = (
        ImportRow.objects.filter(condition, batch=OuterRef("pk"))
        .order_by()
        .values("batch")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


@transaction.atomic
def volunteer_anonymize(*, volunteer: Volunteer, requested_by: User | None) -> Volunteer:
    """Delete the account and erase personal data, keeping an anonymous row so that hours
    statistics (by region and year of birth) still add up. A record erased already is refused
    (code "anonymised"): there is nothing left to erase, and its history would be rewritten."""
    # Read from the record as the caller has it: the batches are locked before the person, and so
    # are the shifts and help requests the hooks below will lock (LOCK_AHEAD_HOOKS).
    import_rows = _import_rows_of(volunteer)
    import_batches = _import_batches_lock(import_rows)
    _lock_ahead(volunteer)
    locked = _lock(volunteer)
    _refuse_if_anonymised(locked)
    account = locked.user
    profile_email = locked.email
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
    # Higher apps' clean-up (events cancels upcoming sign-ups): volunteers/ cannot import them,
    # so they register here (volunteers/extensions.py). The profile is already marked anonymised,
    # so no sign-up or waitlist promotion can pick the person again meanwhile.
    for hook in extensions.ANONYMIZE_HOOKS:
        hook(volunteer=locked, by=requested_by)
    # The consent records stay as evidence of what was allowed, without the guardian's name.
    locked.guardian_consents.update(guardian_name="", document_number="")
    locked.changes.all().delete()
    VolunteerChange.objects.create(volunteer=locked, changed_by=None, action="anonymise", fields=["all"])
    _import_rows_forget(import_rows, batch_ids=import_batches)
    if account is not None:
        accounts_services.user_delete(user=account)
    if profile_email and not User.objects.filter(email__iexact=profile_email).exists():
        # Someone without an account may still have tried to log in with their address; an
        # address that is another live account's keeps that account's lockout.
        login_failures_forget(email=profile_email)
    return locked


@transaction.atomic
def account_delete(*, user: User) -> None:
    """ "Delete my account": the volunteer profile is anonymised, the account removed."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is not None:
        volunteer_anonymize(volunteer=volunteer, requested_by=user)
    else:
        accounts_services.user_delete(user=user)


ERASURE_BASIS_MAX_LENGTH = 200


def _names_the_person(text: str, volunteer: Volunteer) -> bool:
    """Whether `text` holds the person's name, e-mail, phone or IIN as the record has them."""
    folded = text.casefold()
    words = set(re.findall(r"\w+", folded))
    names = {
        part.casefold()
        for name in (volunteer.last_name, volunteer.first_name, volunteer.middle_name)
        for part in name.split()
        if len(part) > 2
    }
    if names & words:
        return True
    if volunteer.email.strip() and volunteer.email.strip().casefold() in folded:
        return True
    digits = re.sub(r"\D", "", text)
    # The ten national digits of the phone, however the request wrote them (+7 / 8, spaces).
    numbers = [re.sub(r"\D", "", volunteer.phone)[-10:], volunteer.iin or ""]
    return any(len(number) >= 10 and number in digits for number in numbers)


@transaction.atomic
def volunteer_erase_on_request(*, volunteer: Volunteer, by: User, basis: str) -> Volunteer:
    """Staff erase a person's data on their request (law 94-V), whether or not the person has an
    account (walk-ins, detachment members and imported people have none; an account there is
    deleted too). `basis` says how the request came (an application's number, a letter's
    reference): it is kept in the audit trail as the ground for the erasure, so it must not name
    the person — the trail never holds the values it guards."""
    if not may_manage_region(by, volunteer.region_id):
        raise ValidationError(_("This person is outside your regions."), code="out_of_region")
    basis = " ".join(basis.split())
    if not basis:
        raise ValidationError({"basis": [_("Say how the request was received.")]}, code="required")
    try:
        MaxLengthValidator(ERASURE_BASIS_MAX_LENGTH)(basis)
    except ValidationError as exc:
        raise ValidationError({"basis": exc.messages}, code="max_length") from exc
    if _names_the_person(basis, volunteer):
        raise ValidationError(
            {
                "basis": [
                    _(
                        "Leave out the person's name, phone, e-mail and IIN: this note stays on file "
                        "after their data is erased."
                    )
                ]
            },
            code="personal",
        )
    had_account = volunteer.user_id is not None
    erased = volunteer_anonymize(volunteer=volunteer, requested_by=by)
    audit_record(
        actor=by,
        action=AuditEntry.Action.ERASED,
        subject=erased,
        region_code=erased.region.code,
        detail={"where": "roster", "reason": "request", "basis": basis, "account_deleted": had_account},
    )
    return erased


# Possible duplicates and merging ---------------------------------------------------------------

# A phone or e-mail shared by a whole family or school class would flag every pair of them; past
# this many matches a new record is flagged with the most recent ones only.
MAX_DUPLICATE_FLAGS = 10


def possible_duplicates_flag(*, volunteer: Volunteer, iin: str | None = None) -> None:
    """Flag `volunteer` against every other record on file (not erased) with the same phone
    (exactly, both being E.164), e-mail (whatever its case) or IIN; `iin` is one that was kept
    off the record because another holds it. One query finds the matches, one inserts the flags;
    a pair flagged before, dismissed or not, is left as it is. Staff see the flags; the person
    is told nothing."""
    iin = iin or volunteer.iin
    email = volunteer.email.strip()
    # In order of strength: a pair matching on several is flagged with the first reason.
    checks: list[tuple[str, Q]] = []
    if iin:
        checks.append((PossibleDuplicate.Reason.IIN, Q(iin_hash=crypto.iin_digest(iin))))
    if volunteer.phone:
        checks.append((PossibleDuplicate.Reason.PHONE, Q(phone=volunteer.phone)))
    if email:
        checks.append((PossibleDuplicate.Reason.EMAIL, Q(email__iexact=email)))
    if not checks:
        return
    any_match = Q()
    for _reason, condition in checks:
        any_match |= condition
    reason = Case(*(When(condition, then=Value(r)) for r, condition in checks), output_field=CharField())
    matches = (
        Volunteer.objects.filter(any_match, anonymized_at__isnull=True)
        .exclude(pk=volunteer.pk)
        .annotate(match=reason)
        .order_by("-pk")
        .values_list("pk", "match")[:MAX_DUPLICATE_FLAGS]
    )
    flags = [
        # The later record (higher id) first: a pair has one row, whichever side was flagged.
        PossibleDuplicate(volunteer_id=max(pk, volunteer.pk), existing_id=min(pk, volunteer.pk), reason=match)
        for pk, match in matches
    ]
    if flags:
        PossibleDuplicate.objects.bulk_create(flags, ignore_conflicts=True)


@transaction.atomic
def possible_duplicate_dismiss(*, flag: PossibleDuplicate, by: User) -> None:
    """ "Not the same person": the pair is closed for good (a later check does not flag it again,
    as its row stays)."""
    closed = PossibleDuplicate.objects.filter(pk=flag.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=PossibleDuplicate.Resolution.NOT_DUPLICATE
    )
    if not closed:
        raise ValidationError(_("This pair has already been dealt with."), code="resolved")


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == []


# Filled together or not at all: a consent's time without its text version, or one guardian's
# name with another's phone, would be a record of something that never happened.
_OWN_CONSENT = ("consent_at", "consent_version", "consent_method", "consent_document", "consent_source")
_GUARDIAN = ("guardian_name", "guardian_phone", "guardian_relation")


def _check_errors(volunteer: Volunteer) -> set[str]:
    """The fields the model's own checks find wrong (no query: uniqueness is the database's)."""
    errors: set[str] = set()
    for check in (lambda: volunteer.clean_fields(exclude=["user", "skills"]), volunteer.clean):
        try:
            check()
        except ValidationError as exc:
            errors |= set(exc.message_dict)
    return errors


def _same_guardian(a: Volunteer, b: Volunteer) -> bool:
    return " ".join(a.guardian_name.casefold().split()) == " ".join(b.guardian_name.casefold().split())


def _fill_empty_fields(kept: Volunteer, dropped: Volunteer) -> list[str]:
    """Copy into `kept` what it lacks and `dropped` has, never overwriting a value. A copied value
    that the kept record's own checks refuse (an IIN of another birth date) is left out."""
    units: list[tuple[str, ...]] = []
    # The guardian before the birth date: a date that makes the kept record a minor needs one.
    if not kept.guardian_name:
        units.append(_GUARDIAN)
    elif _same_guardian(kept, dropped):
        units.extend((name,) for name in _GUARDIAN)
    if kept.consent_at is None and dropped.consent_at is not None:
        units.append(_OWN_CONSENT)
    skip = {*_GUARDIAN, "region", "status"}
    if kept.detachment_id is None and dropped.detachment_id is not None:
        # A school detachment belongs to a region: one of another region stays with the other record.
        detachments = Volunteer._meta.get_field("detachment").related_model._default_manager  # type: ignore[union-attr]
        if not detachments.filter(pk=dropped.detachment_id, region_id=kept.region_id).exists():
            skip.add("detachment")
    units += [(name,) for name in PROFILE_FIELDS if name not in skip]
    baseline = _check_errors(kept)
    filled: list[str] = []
    for unit in units:
        attnames = [Volunteer._meta.get_field(name).attname for name in unit]  # type: ignore[union-attr]
        before = [getattr(kept, a) for a in attnames]
        if all(_is_empty(v) for v in (getattr(dropped, a) for a in attnames)):
            continue
        if not any(_is_empty(v) for v in before):
            continue
        for a, value in zip(attnames, before, strict=True):
            if _is_empty(value):
                setattr(kept, a, getattr(dropped, a))
        if _check_errors(kept) - baseline:
            for a, value in zip(attnames, before, strict=True):
                setattr(kept, a, value)
            continue
        filled.extend(
            name for name, a, old in zip(unit, attnames, before, strict=True) if getattr(kept, a) != old
        )
    return filled


def _merge_guardian_consents(kept: Volunteer, dropped: Volunteer, *, by: User) -> list[str]:
    """The dropped record's guardian consents move to the kept one. One given by the kept
    record's guardian, while the kept record has none in force, stays in force there; any
    other is withdrawn first (a person has one consent in force), its record kept."""
    kept_has_one = (
        kept.guardian_consent_at is not None
        or kept.guardian_consents.filter(withdrawn_at__isnull=True).exists()
    )
    takes_over = (
        not kept_has_one and dropped.guardian_consent_at is not None and _same_guardian(kept, dropped)
    )
    filled = []
    if takes_over:
        kept.guardian_consent_at = dropped.guardian_consent_at
        kept.guardian_consent_recorded_by_id = dropped.guardian_consent_recorded_by_id
        filled.append("guardian_consent_at")
    else:
        if kept_has_one:
            reason = _("Merged into record #%(id)s, which keeps its own guardian and consent.")
        else:
            # The record of why: the kept record has no consent of its own to keep.
            reason = _("Merged into record #%(id)s, which names another guardian: their consent is needed.")
        dropped.guardian_consents.filter(withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=by, withdrawal_reason=reason % {"id": kept.pk}
        )
    GuardianConsent.objects.filter(volunteer=dropped).update(volunteer=kept)
    if kept.status == Volunteer.Status.AWAITING_GUARDIAN and kept.guardian_consent_at is not None:
        kept.status = Volunteer.Status.ACTIVE
        filled.append("status")
    elif kept.status == Volunteer.Status.ACTIVE and kept.awaits_guardian:
        # A birth date taken over can make the kept record a minor without a consent.
        kept.status = Volunteer.Status.AWAITING_GUARDIAN
        filled.append("status")
    return filled


def _merge_flags(kept: Volunteer, dropped: Volunteer, *, by: User) -> None:
    """The pair itself is closed as merged (its row stays, the removed side turning NULL);
    the dropped record's other pairs become the kept record's, decisions included."""
    now = timezone.now()
    moved: list[PossibleDuplicate] = []
    stale: list[int] = []
    for flag in PossibleDuplicate.objects.filter(Q(volunteer=dropped) | Q(existing=dropped)):
        other = flag.existing_id if flag.volunteer_id == dropped.pk else flag.volunteer_id
        if other == kept.pk:
            flag.resolved_at, flag.resolved_by, flag.resolution = now, by, PossibleDuplicate.Resolution.MERGED
            flag.save(update_fields=["resolved_at", "resolved_by", "resolution"])
            continue
        if other is None:
            # The record of an earlier merge into the dropped one: now about the kept one.
            side = "volunteer" if flag.volunteer_id == dropped.pk else "existing"
            setattr(flag, side, kept)
            flag.save(update_fields=[side])
            continue
        stale.append(flag.pk)
        moved.append(
            PossibleDuplicate(
                volunteer_id=max(kept.pk, other),
                existing_id=min(kept.pk, other),
                reason=flag.reason,
                created_at=flag.created_at,
                resolved_at=flag.resolved_at,
                resolved_by_id=flag.resolved_by_id,
                resolution=flag.resolution,
            )
        )
    PossibleDuplicate.objects.filter(pk__in=stale).delete()
    # A pair the kept record already has keeps its own row.
    PossibleDuplicate.objects.bulk_create(moved, ignore_conflicts=True)


def _move_rows(model: type[Model], field_name: str, *, dropped: Volunteer, kept: Volunteer) -> None:
    """Point the rows of `model` that refer to `dropped` through `field_name` at `kept`. Where
    a unique constraint refuses one (the same shift signed up for twice), the kept record's row
    stays and the dropped one's is deleted: each row is tried in a savepoint of its own, so that
    one refusal does not undo the others."""
    manager = model._base_manager
    rows = manager.filter(**{field_name: dropped})
    try:
        with transaction.atomic():
            rows.update(**{field_name: kept})
        return
    except IntegrityError:
        pass
    for pk in list(rows.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                manager.filter(pk=pk).update(**{field_name: kept})
        except IntegrityError:
            try:
                manager.filter(pk=pk).delete()
            except (ProtectedError, RestrictedError) as exc:
                raise ValidationError(
                    _(
                        "The records cannot be merged: both have entries in “%(what)s” that clash and cannot be removed."
                    )
                    % {"what": model._meta.verbose_name_plural},
                    code="protected",
                ) from exc


def _relations_to_move() -> list[tuple[type[Model], str]]:
    """Every foreign key and one-to-one field that points at a volunteer, found from the model's
    metadata so that the apps above this one (sign-ups and hours of events, …) are carried over
    without this module knowing them. Hidden relations (related_name "+", the through tables of
    many-to-many fields) are included: `_meta.related_objects` would leave them out. Relations
    merged by their own rules are left to those."""
    own = {
        (GuardianConsent, "volunteer"),
        (PossibleDuplicate, "volunteer"),
        (PossibleDuplicate, "existing"),
        (Volunteer.skills.through, "volunteer"),
    }
    relations = []
    for rel in Volunteer._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or rel.many_to_many:
            # Another model's many-to-many field is moved through its through table's key.
            continue
        key = (rel.related_model, rel.field.name)
        if key not in own:
            relations.append(key)
    return relations  # type: ignore[return-value]


@transaction.atomic
def volunteer_merge(*, keep: Volunteer, drop: Volunteer, by: User) -> Volunteer:
    """Merge `drop` into `keep`, who is the same person on file twice, and delete `drop`.

    The kept record takes the dropped one's values only where it has none (it never loses one);
    skills are joined; the change history, guardian consents, possible-duplicate pairs and every
    other row that refers to the dropped record (sign-ups, hours, …) move to the kept one; the
    account moves too when only the dropped record has one. When both have an account the merge
    is refused: deactivating one would lock the person out of it without a word, so the person
    decides which account to keep. The history records the merge with the fields it filled.

    Both rows are locked, in id order so that two merges of one pair cannot deadlock; the second
    of two concurrent merges finds the dropped record gone and is told so. The shifts and help
    requests of their places are locked before them (LOCK_AHEAD_HOOKS), as a sign-up or a
    cancellation there locks them before the people."""
    if keep.pk == drop.pk:
        raise ValidationError(_("A record cannot be merged with itself."), code="same")
    _lock_ahead(keep, drop)
    rows = {
        v.pk: v
        for v in Volunteer.objects.select_for_update().filter(pk__in=[keep.pk, drop.pk]).order_by("pk")
    }
    merged_into_drop = VolunteerChange.objects.filter(
        volunteer_id=drop.pk, action=VolunteerChange.Action.MERGE, merged_from=keep.pk
    )
    if keep.pk not in rows and not merged_into_drop.exists():
        # Merged into a third record a moment earlier (B into C while A into B): what A would
        # join is gone, so nothing is done; the pair is chosen again from the list.
        raise ValidationError(
            _("The record to keep has just been merged into another one: nothing was changed."), code="gone"
        )
    if len(rows) < 2:
        raise ValidationError(
            _("These records have already been merged: the one to remove is no longer on file."), code="gone"
        )
    kept, dropped = rows[keep.pk], rows[drop.pk]
    if kept.anonymized_at is not None or dropped.anonymized_at is not None:
        raise ValidationError(_("An erased record cannot be merged."), code="anonymised")
    if kept.user_id is not None and dropped.user_id is not None:
        raise ValidationError(
            _(
                "Both records have an account, so they cannot be merged: ask the person which account they "
                "use and to delete the other one (Profile → Delete my account), or contact national staff."
            ),
            code="both_accounts",
        )
    filled = _fill_empty_fields(kept, dropped)
    new_skills = set(dropped.skills.values_list("id", flat=True)) - set(
        kept.skills.values_list("id", flat=True)
    )
    if new_skills:
        kept.skills.add(*new_skills)
        filled.append("skills")
    filled += _merge_guardian_consents(kept, dropped, by=by)
    _merge_flags(kept, dropped, by=by)
    # Rows both records hold once per person (a sign-up for the same shift) are settled by their
    # apps' rules first: the generic move below keeps the kept record's row of such a pair.
    for hook in extensions.MERGE_HOOKS:
        hook(kept=kept, dropped=dropped, by=by)
    for model, field_name in _relations_to_move():
        _move_rows(model, field_name, dropped=dropped, kept=kept)
    account, dropped_id = dropped.user_id, dropped.pk
    # Deleted before the kept record is saved: the IIN and the account are unique to one row.
    dropped.delete()
    if account is not None:
        kept.user_id = account
        filled.append("user")
    kept.save()
    # The places moved over, and the kept record's own, are now held under the kept record's
    # birth date and consent: a minor's record may have taken an adult's places.
    _age_rechecked(kept, by=by)
    VolunteerChange.objects.create(
        volunteer=kept,
        changed_by=by,
        action=VolunteerChange.Action.MERGE,
        fields=sorted(set(filled)),
        merged_from=dropped_id,
    )
    keep.refresh_from_db()
    return kept


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


# Views of personal data ---------------------------------------------------------------------


def volunteer_viewed(*, by: User, volunteer: Volunteer, where: str) -> None:
    """Record that staff opened the person's personal data (their page, its edit form, the API's
    detail, a detachment's member form): who, when, where — `where` is one of the keys the
    trail names (volunteer_net/templatetags/audit_tags.py); never the values. The person's own
    look is not recorded."""
    if volunteer.user_id is not None and volunteer.user_id == by.pk:
        return
    audit_record(
        actor=by,
        action=AuditEntry.Action.VIEWED,
        subject=volunteer,
        region_code=volunteer.region.code,
        detail={"where": where},
    )


_NOT_AN_IDENTIFIER = re.compile(r"[^\d\s+()\-.]")


def identifier_kind(query: str) -> str:
    """ "phone", "iin" or "email" when the roster's query looks up one person by an identifier,
    "" for a name. Twelve digits are an IIN (a phone has eleven with its 7 or 8)."""
    query = query.strip()
    if "@" in query:
        return "email"
    if not query or _NOT_AN_IDENTIFIER.search(query):
        return ""
    digits = re.sub(r"\D", "", query)
    if len(digits) == 12:
        return "iin"
    return "phone" if len(digits) >= 6 else ""


def roster_lookup_record(*, by: User, query: str, where: str) -> bool:
    """A search of the roster by phone, IIN or e-mail finds one person from something known
    about them outside the system: it is recorded (the kind of identifier, not the identifier).
    Searches by name, the everyday work of a roster, are not."""
    kind = identifier_kind(query)
    if not kind:
        return False
    audit_record(
        actor=by,
        action=AuditEntry.Action.VIEWED,
        subject_type="volunteers.roster",
        detail={"where": where, "search_by": kind},
    )
    return True

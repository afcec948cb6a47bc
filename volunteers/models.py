from __future__ import annotations

import datetime
import enum
from collections.abc import Collection
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.functions import Cast, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.i18n import localized
from regions.models import Region
from regions.validators import validate_point_in_kazakhstan
from volunteer_net.choices import ChoiceLabels

from .fields import EncryptedIinField, IinHashField
from .search import fold, name_search_forms

ADULT_AGE = 18
# Жас Қыран units start at grade 1; nobody younger takes part. 110 catches typos in the year.
MIN_AGE = 6
MAX_AGE = 110
# Law 42-VI art. 12: under 14 only with the written consent of a parent or legal representative.
WRITTEN_CONSENT_AGE = 14


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` years earlier (29 February gives the 28th in a year without one):
    born on or before it, a person is at least `years` old on `day`, as `age_on` counts."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class DataClass(enum.Enum):
    """What kind of data a field of a profile holds; it decides, in one place, what the change
    history records, what "download my data" gives and what anonymisation erases."""

    # About the person: in the history and the download, erased on anonymisation.
    PERSONAL = "personal"
    # Restricted-access personal data (the IIN): as PERSONAL here; who may read it in full is
    # decided by selectors.iin_visible_to.
    SENSITIVE = "sensitive"
    # Kept after anonymisation so that statistics still add up; in the history and the download.
    STATISTICAL = "statistical"
    # Evidence of the consents that allow processing: in the history and the download, and kept
    # after anonymisation, as the processing they allowed happened.
    CONSENT = "consent"
    # The system's own bookkeeping and links (key, timestamps, search index, account link).
    SYSTEM = "system"


SPOKEN_LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English")), ("other", _("Other"))]


class Skill(models.Model):
    """A catalogue entry managed by staff (first aid, driving licence, sign language, …)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class ConsentMethod(models.TextChoices):
    ONLINE = "online", _("Online, when registering")
    PAPER = "paper", _("Signed paper form kept by the region")
    # A list brought in from a region's spreadsheet: the coordinator confirmed that the region
    # holds the signed forms; `consent_source` names the file and its date.
    IMPORTED = "imported", _("Paper consent held by the region (imported list)")


class Volunteer(ChoiceLabels, models.Model):
    """A volunteer's profile. Walk-ins added by a coordinator and detachment members added by a
    curator may have no account, so `user` is optional."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        # A minor whose guardian has not yet consented (law 94-V: a minor's personal data are
        # processed with the consent of a legal representative): takes part in nothing.
        AWAITING_GUARDIAN = "awaiting_guardian", _("Awaiting guardian's consent")
        PAUSED = "paused", _("Paused")
        ARCHIVED = "archived", _("Archived")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Language(models.TextChoices):
        KAZAKH = "kk", _("Kazakh")
        RUSSIAN = "ru", _("Russian")
        ENGLISH = "en", _("English")

    class GuardianRelation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Legal guardian")
        OTHER = "other", _("Other legal representative")

    # Every field, classified once (tests/volunteers/test_data_classes.py fails on a new field left
    # out). The services and selectors derive the tracked fields, the anonymisation and the
    # personal-data download from this.
    DATA_CLASSES: ClassVar[dict[str, DataClass]] = {
        "id": DataClass.SYSTEM,
        # The login account; anonymisation deletes it as a step of its own.
        "user": DataClass.SYSTEM,
        "last_name": DataClass.PERSONAL,
        "first_name": DataClass.PERSONAL,
        "middle_name": DataClass.PERSONAL,
        # Anonymisation keeps the year, which age-group statistics need.
        "birth_date": DataClass.PERSONAL,
        "phone": DataClass.PERSONAL,
        "email": DataClass.PERSONAL,
        "region": DataClass.STATISTICAL,
        "locality": DataClass.PERSONAL,
        # Where the person can usually help from, rounded to about a kilometre.
        "latitude": DataClass.PERSONAL,
        "longitude": DataClass.PERSONAL,
        # What a person can do says much about who they are: erased with the person.
        "skills": DataClass.PERSONAL,
        "languages": DataClass.PERSONAL,
        "available_weekdays": DataClass.STATISTICAL,
        "available_evenings": DataClass.STATISTICAL,
        "available_weekends": DataClass.STATISTICAL,
        "preferred_language": DataClass.STATISTICAL,
        "preferred_channel": DataClass.STATISTICAL,
        "status": DataClass.STATISTICAL,
        "iin": DataClass.SENSITIVE,
        # Derived from the IIN on every save (erased with it).
        "iin_hash": DataClass.SYSTEM,
        "consent_at": DataClass.CONSENT,
        "consent_version": DataClass.CONSENT,
        "consent_method": DataClass.CONSENT,
        "consent_document": DataClass.CONSENT,
        "consent_source": DataClass.CONSENT,
        "birth_year": DataClass.STATISTICAL,
        # A school's detachment narrows a child down to a class: personal.
        "detachment": DataClass.PERSONAL,
        "guardian_name": DataClass.PERSONAL,
        "guardian_phone": DataClass.PERSONAL,
        "guardian_relation": DataClass.PERSONAL,
        "guardian_consent_at": DataClass.CONSENT,
        # Which staff member recorded it: about the staff, not the volunteer.
        "guardian_consent_recorded_by": DataClass.SYSTEM,
        "created_at": DataClass.SYSTEM,
        "updated_at": DataClass.SYSTEM,
        "anonymized_at": DataClass.SYSTEM,
        "search_text": DataClass.SYSTEM,
        "search_name": DataClass.SYSTEM,
    }

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("account"),
    )
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True)
    # Kept when the birth date is erased: age-group statistics need the year only.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=16, blank=True, help_text=_("Stored as +7XXXXXXXXXX."))
    email = models.EmailField(_("e-mail"), blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("region")
    )
    locality = models.CharField(_("locality"), max_length=100, blank=True)
    # Optional, for urgent call-outs "within N km": two decimals (about a kilometre) say which
    # part of town, not which house — enough to call people nearby, too coarse to find a home.
    latitude = models.DecimalField(
        _("latitude of my area"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude of my area"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="volunteers", verbose_name=_("skills"))
    languages = models.JSONField(_("languages"), default=list, blank=True)
    available_weekdays = models.BooleanField(_("weekdays (daytime)"), default=False)
    available_evenings = models.BooleanField(_("evenings"), default=False)
    available_weekends = models.BooleanField(_("weekends"), default=False)
    preferred_language = models.CharField(
        _("language for messages"), max_length=2, choices=Language.choices, default=Language.KAZAKH
    )
    preferred_channel = models.CharField(
        _("channel for messages"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Encrypted at rest; uniqueness and lookups go through the keyed hash (volunteers/crypto.py).
    iin = EncryptedIinField(_("IIN"), null=True, blank=True)
    iin_hash = IinHashField(null=True, unique=True)
    consent_at = models.DateTimeField(_("personal data consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    consent_method = models.CharField(
        _("how the consent was given"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    consent_document = models.CharField(
        _("consent form number"),
        max_length=50,
        blank=True,
        help_text=_("The number of the signed paper form kept by the region."),
    )
    consent_source = models.CharField(
        _("consent recorded from"),
        max_length=300,
        blank=True,
        help_text=_("The imported file and its date, for consents held on paper by the region."),
    )

    # Membership of a school detachment; the detachments app owns detachments and their pages.
    detachment = models.ForeignKey(
        "detachments.Detachment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("detachment"),
    )
    guardian_name = models.CharField(_("guardian's full name"), max_length=200, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=16, blank=True)
    guardian_relation = models.CharField(
        _("guardian's relation"), max_length=10, choices=GuardianRelation.choices, blank=True
    )
    guardian_consent_at = models.DateTimeField(
        _("written guardian consent recorded at"), null=True, blank=True
    )
    guardian_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guardian consent recorded by"),
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    anonymized_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # The name in the forms people type it (see volunteers/search.py), e-mail and phone digits,
    # computed in Python so that search does not depend on the database's locale; a trigram
    # index on PostgreSQL keeps `contains` fast at 100k rows.
    search_text = models.TextField(editable=False, default="")
    # The name as written, case-folded: a search that matches it exactly ranks first.
    search_name = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [
            models.Index(fields=["region", "status"], name="volunteer_region_status"),
            # The roster counts the people not anonymised, per region or all: an index-only scan
            # of this small partial index instead of reading the whole table.
            models.Index(
                fields=["region"],
                name="volunteer_live_region",
                condition=models.Q(anonymized_at__isnull=True),
            ),
            # The regions overview counts three groups of people in each region, each with an
            # index-only scan of an index that holds only them (selectors.region_overview).
            # Active people (also the public count per region):
            models.Index(
                fields=["region"],
                name="volunteer_active_region",
                condition=models.Q(anonymized_at__isnull=True, status="active"),
            ),
            # New registrations: a short range of recent dates in the region.
            models.Index(
                fields=["region", "created_at"],
                name="volunteer_live_created",
                condition=models.Q(anonymized_at__isnull=True),
            ),
            # Minors waiting for their guardian's consent: a range of recent birth dates among the
            # few people without a consent on file.
            models.Index(
                fields=["region", "birth_date"],
                name="volunteer_awaiting_consent",
                condition=models.Q(anonymized_at__isnull=True, guardian_consent_at__isnull=True)
                & ~models.Q(status="archived"),
            ),
            models.Index(fields=["last_name", "first_name", "id"], name="volunteer_name_order"),
            # Sorting by age and the age-group filters read birth dates.
            models.Index(fields=["birth_date", "id"], name="volunteer_birth_order"),
            # The possible-duplicate check compares phones exactly and e-mails case-insensitively
            # (Django's iexact on PostgreSQL is UPPER(email::text)) at every registration.
            models.Index(fields=["phone"], name="volunteer_phone"),
            models.Index(Upper(Cast("email", models.TextField())), name="volunteer_email_upper"),
            # Matching a help request (care.selectors.suggested_volunteers) walks a region's
            # active people by name, telling the best tier from this index alone: it stops at
            # ten instead of ranking the thousands of a region.
            models.Index(
                fields=["region", "last_name", "id"],
                include=[
                    "locality",
                    "birth_date",
                    "available_weekdays",
                    "available_evenings",
                    "available_weekends",
                ],
                name="volunteer_care_match",
                condition=models.Q(status="active", anonymized_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_search_fields()
        if self.birth_date is not None:
            self.birth_year = self.birth_date.year
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"search_text", "search_name", "birth_year", "iin_hash"}
            kwargs["update_fields"] = {*update_fields, *derived}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        # The IIN's uniqueness is its hash's, computed when the row is written (IinHashField);
        # the unique index decides and the services turn a violation into the IIN field's error.
        super().validate_unique(exclude={*(exclude or ()), "iin_hash"})

    def refresh_search_fields(self) -> None:
        """Recompute the search columns (save() does; bulk inserts call it themselves)."""
        self.search_text = self.build_search_text()
        self.search_name = fold(self.written_name)

    @classmethod
    def fields_of(cls, *classes: DataClass) -> tuple[str, ...]:
        """Names of the fields in those data classes, in the order they are declared."""
        return tuple(
            f.name
            for f in cls._meta.get_fields()
            if f.name in cls.DATA_CLASSES and cls.DATA_CLASSES[f.name] in classes
        )

    def build_search_text(self) -> str:
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        # People type the national form (8 701 …) as often as +7 701 …
        national = "8" + digits[1:] if digits.startswith("7") else ""
        return " ".join([*name_search_forms(self.written_name), fold(self.email), digits, national])

    @property
    def written_name(self) -> str:
        """The name as stored (empty once anonymised)."""
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def full_name(self) -> str:
        if self.anonymized_at is not None:
            # Shown in the reader's language; nothing of the person is stored.
            return str(_("Anonymised volunteer"))
        return self.written_name

    @property
    def is_anonymised(self) -> bool:
        return self.anonymized_at is not None

    @property
    def awaits_guardian(self) -> bool:
        """A minor without a recorded consent of their parent or legal representative."""
        return self.anonymized_at is None and self.guardian_consent_at is None and self.is_minor()

    @property
    def awaits_own_consent(self) -> bool:
        """Came of age while awaiting a guardian who never answered: from 18 the consent to the
        processing of personal data is the person's own (law 94-V), given again now that it
        counts (the box ticked at 17 did not)."""
        return (
            self.anonymized_at is None
            and self.status == self.Status.AWAITING_GUARDIAN
            and self.guardian_consent_at is None
            and not self.is_minor()
        )

    @property
    def lacks_own_consent(self) -> bool:
        """Of age, with no guardian's consent on file, and no consent of their own that counts:
        none, or the box ticked before 18 (see `awaits_own_consent`, which the status says)."""
        if self.anonymized_at is not None or self.guardian_consent_at is not None or self.is_minor():
            return False
        if self.consent_at is None:
            return True
        given_on = timezone.localdate(self.consent_at)
        return self.birth_date is not None and age_on(self.birth_date, given_on) < ADULT_AGE

    def age(self, on: datetime.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        return age_on(self.birth_date, on or timezone.localdate())

    def is_minor(self, on: datetime.date | None = None) -> bool:
        age = self.age(on)
        return age is not None and age < ADULT_AGE

    def needs_written_consent(self, on: datetime.date | None = None) -> bool:
        age = self.age(on)
        return age is not None and age < WRITTEN_CONSENT_AGE

    def may_take_part(self, on: datetime.date | None = None) -> bool:
        """Whether the law lets this person take part in an activity on that day at all
        (shift-specific rules such as emergencies or minimum age are checked by events)."""
        if self.anonymized_at is not None:
            return False
        if self.status == self.Status.AWAITING_GUARDIAN:
            # Once of age the person consents for themselves.
            return not self.is_minor(on)
        if self.status != self.Status.ACTIVE:
            return False
        if self.needs_written_consent(on):
            return self.guardian_consent_at is not None
        return True

    def clean(self) -> None:
        """The rules every write path shares (forms, services, admin)."""
        from .validators import is_mobile, normalize_phone, validate_iin

        errors: dict[str, list[ValidationError]] = {}
        today = timezone.localdate()
        detachment = self.detachment if self.detachment_id is not None else None
        if detachment is not None and detachment.region_id != self.region_id:
            # A school's detachment belongs to its region; a member elsewhere would be seen by
            # that region's curator and coordinators.
            errors["detachment"] = [
                ValidationError(_("Choose a detachment of the volunteer's own region."), code="other_region")
            ]
        for field in ("phone", "guardian_phone"):
            try:
                setattr(self, field, normalize_phone(getattr(self, field)))
            except ValidationError as exc:
                errors.setdefault(field, []).append(exc)
        if (
            self.anonymized_at is None
            and self.preferred_channel == self.Channel.SMS
            and not self.phone
            and "phone" not in errors
        ):
            # Messages by SMS need a number to go to; without one they would be dropped unseen.
            # (Anonymisation erases the phone and keeps the channel for statistics.)
            errors["phone"] = [
                ValidationError(
                    _("Enter a mobile number: SMS is the chosen channel for messages."),
                    code="sms_needs_phone",
                )
            ]
        elif (
            self.anonymized_at is None
            and self.preferred_channel == self.Channel.SMS
            and self.phone
            and "phone" not in errors
            and not is_mobile(self.phone)
        ):
            # A landline is kept as a number to call, but the SMS gateway refuses it: messages
            # chosen by SMS would fail unseen.
            errors["phone"] = [
                ValidationError(
                    _(
                        "This is a landline, and SMS cannot reach it. Enter a mobile number "
                        "or choose e-mail for messages."
                    ),
                    code="sms_needs_mobile",
                )
            ]
        if self.birth_date is not None:
            if self.birth_date > today:
                errors.setdefault("birth_date", []).append(
                    ValidationError(_("The date of birth cannot be in the future."), code="future")
                )
            elif age_on(self.birth_date, today) > MAX_AGE:
                errors.setdefault("birth_date", []).append(
                    ValidationError(
                        _("Check the date of birth: the person would be over 110."), code="too_old"
                    )
                )
            elif age_on(self.birth_date, today) < MIN_AGE:
                errors.setdefault("birth_date", []).append(
                    ValidationError(
                        _("Volunteers must be at least %(age)s years old."),
                        code="too_young",
                        params={"age": MIN_AGE},
                    )
                )
        if self.iin:
            try:
                self.iin = validate_iin(self.iin, self.birth_date)
            except ValidationError as exc:
                errors.setdefault("iin", []).append(exc)
        else:
            self.iin = None
        try:
            validate_point_in_kazakhstan(self.latitude, self.longitude)
        except ValidationError as exc:
            for field, messages in exc.error_dict.items():
                errors.setdefault(field, []).extend(messages)
        if self.anonymized_at is None and self.is_minor():
            # Law 42-VI art. 12: a minor volunteers with a parent or legal representative known.
            message = _("Required for volunteers under 18.")
            for field in ("guardian_name", "guardian_phone", "guardian_relation"):
                if not getattr(self, field) and field not in errors:
                    errors.setdefault(field, []).append(ValidationError(message, code="guardian_required"))
        if errors:
            raise ValidationError(errors)

    @property
    def phone_display(self) -> str:
        from .validators import format_phone

        return format_phone(self.phone)

    @property
    def guardian_phone_display(self) -> str:
        from .validators import format_phone

        return format_phone(self.guardian_phone)

    @property
    def languages_display(self) -> str:
        labels = dict(SPOKEN_LANGUAGES)
        return ", ".join(str(labels.get(code, code)) for code in self.languages)

    @property
    def masked_iin(self) -> str:
        return f"{self.iin[:2]}••••••••{self.iin[-2:]}" if self.iin else ""


class VolunteerChange(ChoiceLabels, models.Model):
    """Change history of personal data: who, when, which fields (values are not copied here)."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="changes", verbose_name=_("volunteer")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Edited")
        CONSENT = "consent", _("Guardian consent recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Guardian consent withdrawn")
        OWN_CONSENT = "own_consent", _("Own consent given on coming of age")
        ANONYMISE = "anonymise", _("Anonymised")
        MERGE = "merge", _("Merged with a duplicate record")
        IMPORT = "import", _("Imported")

    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, default=Action.UPDATE)
    fields = models.JSONField(_("fields"), default=list)
    # The id of the record merged into this one (that row no longer exists, so no foreign key).
    merged_from = models.PositiveIntegerField(_("merged from record"), null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("change of personal data")
        verbose_name_plural = _("changes of personal data")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def action_display(self) -> str:
        if self.action == self.Action.MERGE and self.merged_from:
            return str(_("Merged with record #%(id)s")) % {"id": self.merged_from}
        return str(self.get_action_display())

    @property
    def fields_display(self) -> str:
        """Field names in the reader's language."""
        names = []
        for name in self.fields:
            try:
                field = Volunteer._meta.get_field(name)
            except FieldDoesNotExist:  # registration, created, all: not model fields
                names.append(str(_CHANGE_LABELS.get(name, name)))
            else:
                names.append(str(getattr(field, "verbose_name", name)))
        return ", ".join(names)


_CHANGE_LABELS = {
    "registration": _("registration"),
    "created": _("added by hand"),
    "all": _("all personal data"),
    "imported": _("imported from a spreadsheet"),
}


class PossibleDuplicate(ChoiceLabels, models.Model):
    """Two profiles that may be one person: the same phone, e-mail or IIN. Flagged when a profile
    is created (registration, walk-in, detachment member) or its phone or e-mail changes, for
    staff only: nothing tells a registrant that their phone, e-mail or IIN is on file (anyone
    could probe them that way). A coordinator merges the two, or says they are different people,
    which dismisses the pair for good.

    One row per pair: `volunteer` is the later record (the higher id) and `existing` the earlier
    one, so a pair cannot be flagged twice, once each way. A resolved row stays as the record of
    the decision; after a merge the removed side is NULL."""

    class Reason(models.TextChoices):
        # In order of strength: a pair matching on several is flagged with the first.
        IIN = "iin", _("Same IIN")
        PHONE = "phone", _("Same phone")
        EMAIL = "email", _("Same e-mail")

    class Resolution(models.TextChoices):
        MERGED = "merged", _("Merged")
        NOT_DUPLICATE = "not_duplicate", _("Not the same person")

    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        verbose_name=_("volunteer"),
    )
    existing = models.ForeignKey(
        Volunteer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates_as_existing",
        verbose_name=_("volunteer already on file"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "existing"], name="possible_duplicate_one_per_pair"),
            models.CheckConstraint(
                condition=models.Q(volunteer__gt=models.F("existing")), name="possible_duplicate_ordered_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolution="")
                | models.Q(resolved_at__isnull=False) & ~models.Q(resolution=""),
                name="possible_duplicate_resolution_with_time",
            ),
        ]
        indexes = [
            # The coordinators' list and the overview read the open pairs only.
            models.Index(
                fields=["created_at"],
                name="possible_duplicate_open",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} / {self.existing} ({self.get_reason_display()})"

    @property
    def pair(self) -> tuple[Volunteer | None, Volunteer | None]:
        """The earlier record first, as the list shows them."""
        return self.existing, self.volunteer


class GuardianConsent(ChoiceLabels, models.Model):
    """One consent of a minor's parent or legal representative: who gave it, when, how and on
    what document; withdrawn rather than deleted, so that the record of what was allowed stays."""

    class Method(models.TextChoices):
        LINK = "link", _("Confirmed by the guardian through a personal link")
        PAPER = "paper", _("Written consent on paper, recorded by staff")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="guardian_consents", verbose_name=_("volunteer")
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    guardian_name = models.CharField(_("guardian's full name"), max_length=200)
    guardian_relation = models.CharField(
        _("guardian's relation"), max_length=10, choices=Volunteer.GuardianRelation.choices, blank=True
    )
    document_number = models.CharField(_("document number"), max_length=50, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")
        constraints = [
            # At most one consent in force per person: a second click or tab cannot add another.
            models.UniqueConstraint(
                fields=["volunteer"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_guardian_consent_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.given_at:%Y-%m-%d}"


# The import's own tables (volunteers/imports/) belong to this app.

from .imports.models import ImportBatch, ImportMapping, ImportRow  # noqa: E402, F401

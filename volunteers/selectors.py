"""Reads for volunteers, already scoped to the user and with their joins."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Collate
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import AuditEntry
from regions.models import Region
from regions.scoping import (
    get_object_or_404,
    get_scoped_object_or_404,
    is_national_staff,
    region_or_curator_q,
    region_queryset_for,
    scope_q,
    scope_queryset,
)
from volunteer_net.dates import iso_local

from . import extensions
from .crypto import iin_digest
from .guardian_links import (
    guardian_link_matches,
    guardian_link_person,
    guardian_link_read,
    guardian_link_url,
)
from .models import (
    ADULT_AGE,
    DataClass,
    GuardianConsent,
    PossibleDuplicate,
    Skill,
    Volunteer,
    VolunteerChange,
    years_before,
)
from .search import fold, query_word_forms
from .validators import mask_phone

AGE_GROUPS: dict[str, tuple[int | None, int | None]] = {
    # key: (min age inclusive, max age inclusive)
    "under14": (None, 13),
    "14to17": (14, 17),
    "18to35": (18, 35),
    "36plus": (36, None),
}

# "@name" stands for the last and first name in the alphabet of the page's language.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("@name", "id"),
    "-name": ("-@name", "-id"),
    "region": ("region__code", "@name", "id"),
    "-region": ("-region__code", "@name", "id"),
    # Younger first means the later birth date first.
    "age": ("-birth_date", "id"),
    "-age": ("birth_date", "id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}


@dataclass(frozen=True)
class RosterFilters:
    q: str = ""
    region: int | None = None
    skill: int | None = None
    detachment: int | None = None
    age_group: str = ""
    availability: str = ""
    status: str = ""
    consent: str = ""
    registered: str = ""
    sort: str = "name"


def _birth_date_q(age_group: str, today: datetime.date) -> Q:
    low, high = AGE_GROUPS[age_group]
    q = Q()
    if low is not None:
        q &= Q(birth_date__lte=years_before(today, low))
    if high is not None:
        # Older than `high` means born on or before the day `high + 1` years ago.
        q &= Q(birth_date__gt=years_before(today, high + 1))
    return q


# Names sort in the page's alphabet: Kazakh order (Ә after А, Ғ after Г, Қ after К, … І after Ы)
# in kk, Russian in ru. English pages keep the national (Kazakh) order of the Cyrillic names.
# PostgreSQL has these ICU collations (with indexes, migration 0002); on SQLite the volunteers app
# registers collations of the same names (volunteers/collation.py).
NAME_COLLATIONS = {"kk": "kk-x-icu", "ru": "ru-x-icu", "en": "kk-x-icu"}


def _name_collation() -> str:
    return NAME_COLLATIONS.get((get_language() or "kk")[:2], "kk-x-icu")


def _order_by(sort: str) -> list[Any]:
    collation = _name_collation()
    order: list[Any] = []
    for key in SORTS.get(sort, SORTS["name"]):
        if key.lstrip("-") != "@name":
            order.append(key)
            continue
        for field in ("last_name", "first_name"):
            expression = Collate(F(field), collation)
            order.append(expression.desc() if key.startswith("-") else expression.asc())
    return order


_PHONE_CHARS = frozenset("0123456789+()- ")


def search_q(query: str) -> Q:
    """Every word must appear in the name, e-mail or phone (see Volunteer.search_text).

    A query made only of phone characters ("+7 (705) 765-43-21", "8 705 …") is one number:
    its digits are searched together.
    """
    text = query.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if text and set(text) <= _PHONE_CHARS and len(digits) >= 3:
        return Q(search_text__contains=digits)
    q = Q()
    for word in _query_words(text):
        # Any one of the forms of the word (as typed, keyboard-folded, Latin skeleton) will do.
        word_q = Q()
        for form in query_word_forms(word):
            word_q |= Q(search_text__contains=form)
        q &= word_q
    return q


def exact_match_q(query: str) -> Q:
    """The query's words appear in the name as written: these rows rank first."""
    q = Q()
    for word in _query_words(fold(query)):
        q &= Q(search_name__contains=word)
    return q


# Names are pasted as lists write them, "Қасымов, Бауыржан", or with an initial, "Қасымов Б.":
# the comma and the initial's dot are no part of a name, and every word with them matched nobody.
# Inside a word they stay (an e-mail's dots, a hyphenated name).
_QUERY_SEPARATORS = re.compile(r"[\s,;]+")
_QUERY_WORD_EDGES = ".:!?()[]\"'«»“”„-"


def _query_words(text: str) -> list[str]:
    words = (word.strip(_QUERY_WORD_EDGES) for word in _QUERY_SEPARATORS.split(text))
    return [word for word in words if word]


def volunteer_list(*, user: Any, filters: RosterFilters | None = None) -> QuerySet[Volunteer]:
    """The roster: volunteers in the user's regions, filtered and sorted, with their joins."""
    f = filters or RosterFilters()
    qs = scope_queryset(Volunteer.objects.all(), user)
    if f.q.strip():
        qs = qs.filter(search_q(f.q))
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.skill:
        qs = qs.filter(skills__id=f.skill)
    if f.detachment:
        qs = qs.filter(detachment_id=f.detachment)
    if f.age_group in AGE_GROUPS:
        qs = qs.filter(_birth_date_q(f.age_group, timezone.localdate()))
    if f.availability in {"weekdays", "evenings", "weekends"}:
        qs = qs.filter(**{f"available_{f.availability}": True})
    if f.consent == "missing":
        # Minors still waiting for their guardian's consent: the people the overview's "minors
        # without guardian consent" counts and links here, so an archived record (waiting for
        # nothing) is left out as it is there.
        qs = qs.filter(
            guardian_consent_at__isnull=True, birth_date__gt=years_before(timezone.localdate(), ADULT_AGE)
        ).exclude(status=Volunteer.Status.ARCHIVED)
    if f.registered in REGISTERED_DAYS:
        qs = qs.filter(
            created_at__gte=timezone.now() - datetime.timedelta(days=REGISTERED_DAYS[f.registered])
        )
    if f.status in Volunteer.Status.values:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.filter(anonymized_at__isnull=True)
    order = _order_by(f.sort)
    if f.q.strip() and f.sort in ("", "name"):
        # Searching by name, the people whose name is written as typed come first ("Нұрлан"
        # before "Нурлан" for the query "Нұрлан").
        rank = Case(When(exact_match_q(f.q), then=Value(0)), default=Value(1), output_field=IntegerField())
        order.insert(0, rank.asc())
    return (
        qs.select_related("region", "detachment")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("code")))
        .order_by(*order)
    )


# What a roster row shows (volunteers/templatetags/roster_tags.py): the page reads only these.
# The rest of a profile is wide (the encrypted IIN alone is decrypted per row as it is read,
# the search columns are the longest text of the row) and the page shows none of it.
ROSTER_ROW_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "phone",
    "email",
    "status",
    "guardian_consent_at",
    "created_at",
    "anonymized_at",
    "region__name_kk",
    "region__name_ru",
    "region__name_en",
    "detachment__school_name",
    "detachment__school_number",
    "detachment__locality",
)


def roster_page_list(*, user: Any, filters: RosterFilters | None = None) -> QuerySet[Volunteer]:
    """The roster as its page lists it: volunteer_list, reading only what a row shows.

    On PostgreSQL each person's skills come with their row, as the ids of the skills in the
    catalogue's order (`roster_skill_ids`; the page names them from the catalogue its skill
    filter reads anyway): a query fewer, and no Skill read per row. Elsewhere (SQLite) they
    come as a plain list (`roster_skills`): prefetched into `skills`, Django builds a related
    manager and a filtered queryset per row to hold them, which cost more than reading them.
    """
    qs = volunteer_list(user=user, filters=filters).only(*ROSTER_ROW_FIELDS).prefetch_related(None)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        held = Volunteer.skills.through.objects.filter(volunteer_id=OuterRef("pk"))
        return qs.annotate(roster_skill_ids=ArraySubquery(held.order_by("skill__code").values("skill_id")))
    skills = Skill.objects.order_by("code").only("name_kk", "name_ru", "name_en")
    return qs.prefetch_related(Prefetch("skills", queryset=skills, to_attr="roster_skills"))


def volunteers_for_bulk(*, user: Any, ids: list[int]) -> list[Volunteer]:
    """The ticked volunteers that are in the user's regions (any others do not exist for them)."""
    qs = scope_queryset(Volunteer.objects.filter(pk__in=ids[:500]), user)
    return list(qs.select_related("region", "detachment").prefetch_related("skills").order_by("pk"))


def volunteer_get(*, user: Any, pk: Any) -> Volunteer:
    """One volunteer of the user's regions, else 404."""
    qs = Volunteer.objects.select_related("region", "detachment", "user", "guardian_consent_recorded_by")
    return get_scoped_object_or_404(qs.prefetch_related("skills"), user, pk=pk)


def volunteer_of_user(*, user: Any) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return (
        Volunteer.objects.select_related("region", "detachment")
        .prefetch_related("skills")
        .filter(user=user)
        .first()
    )


def volunteer_changes(*, volunteer: Volunteer, limit: int = 50) -> list[VolunteerChange]:
    return list(volunteer.changes.select_related("changed_by")[:limit])


def _exported(volunteer: Volunteer, name: str) -> Any:
    """A field's value as JSON: related objects by their name, dates in ISO 8601, decimals as
    written (a string keeps "43.20" exact, as a float would not)."""
    field = Volunteer._meta.get_field(name)
    if field.many_to_many:
        return [str(obj) for obj in getattr(volunteer, name).all()]
    value = getattr(volunteer, name)
    if field.is_relation:
        return str(value) if value is not None else None
    if isinstance(value, datetime.datetime):
        return iso_local(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def volunteer_personal_data(*, volunteer: Volunteer) -> dict[str, Any]:
    """Everything we hold about the person, for the "my data" download: every field that is
    not the system's own bookkeeping (see Volunteer.DATA_CLASSES), the account's e-mail, when
    the profile was created, the change history and the guardian consents given for them."""
    exported = Volunteer.fields_of(
        DataClass.PERSONAL, DataClass.SENSITIVE, DataClass.STATISTICAL, DataClass.CONSENT
    )
    return {
        **{name: _exported(volunteer, name) for name in exported},
        "account_email": volunteer.user.email if volunteer.user else None,
        "created_at": iso_local(volunteer.created_at),
        "changes": [
            {"at": iso_local(c.changed_at), "action": c.action, "fields": c.fields}
            for c in volunteer.changes.all()
        ],
        # A minor's guardian consents, withdrawn ones included: they are about the person too.
        # Which staff member recorded or withdrew one is about the staff, as on the profile.
        "guardian_consents": [
            {
                "method": c.method,
                "guardian_name": c.guardian_name,
                "guardian_relation": c.guardian_relation,
                "document_number": c.document_number,
                "document_date": c.document_date.isoformat() if c.document_date else None,
                "given_at": iso_local(c.given_at),
                "withdrawn_at": iso_local(c.withdrawn_at),
                "withdrawal_reason": c.withdrawal_reason,
            }
            for c in volunteer.guardian_consents.all()
        ],
    }


def iin_visible_to(*, user: Any, volunteer: Volunteer) -> bool:
    """The IIN is restricted-access data: shown in full to the person and national staff only."""
    return is_national_staff(user) or (volunteer.user_id is not None and volunteer.user_id == user.pk)


def detachment_scope(user: Any) -> QuerySet[Any]:
    """Detachments the user may see or pick: their regions' and the ones they curate.

    The model is the target of `Volunteer.detachment`; the detachments app, above this one,
    builds its pages on this same queryset.
    """
    model = Volunteer._meta.get_field("detachment").related_model
    condition = region_or_curator_q(user)
    qs = model._default_manager.all()  # type: ignore[union-attr]
    return qs if condition is None else qs.filter(condition)


def detachment_options(user: Any) -> list[tuple[int, str]]:
    """The detachments the user may pick, as (id, label) for a select, in their order: read as
    values, not models (nationally 400 a roster page, whose models cost more than the query)."""
    model: Any = Volunteer._meta.get_field("detachment").related_model
    rows = detachment_scope(user).values_list("pk", "school_name", "school_number", "locality")
    return [(pk, model.label_of(name, number, locality)) for pk, name, number, locality in rows]


def skill_list() -> QuerySet[Skill]:
    """The skills catalogue: one list for the whole country."""
    return Skill.objects.order_by("code")


def skill_get(*, pk: Any) -> Skill:
    return get_object_or_404(Skill.objects.all(), pk=pk)


# Regions overview --------------------------------------------------------------------------

NEW_REGISTRATIONS_DAYS = 7
# The roster's "registered" filter: "week" lists the people the overview counts as new.
REGISTERED_DAYS = {"week": NEW_REGISTRATIONS_DAYS, "month": 30}


@dataclass(frozen=True)
class OverviewFigures:
    """The figures a coordinator checks first for one region (or for all of them, summed)."""

    active_volunteers: int = 0
    new_registrations: int = 0
    minors_without_consent: int = 0
    detachments: int = 0
    possible_duplicates: int = 0

    def __add__(self, other: OverviewFigures) -> OverviewFigures:
        return OverviewFigures(
            active_volunteers=self.active_volunteers + other.active_volunteers,
            new_registrations=self.new_registrations + other.new_registrations,
            minors_without_consent=self.minors_without_consent + other.minors_without_consent,
            detachments=self.detachments + other.detachments,
            possible_duplicates=self.possible_duplicates + other.possible_duplicates,
        )


@dataclass(frozen=True)
class RegionOverviewRow:
    region: Region
    figures: OverviewFigures


@dataclass(frozen=True)
class RegionOverview:
    rows: list[RegionOverviewRow]
    total: OverviewFigures
    new_since: datetime.datetime


def region_overview(*, user: Any, now: datetime.datetime | None = None) -> RegionOverview:
    """Per region of the user's scope: active volunteers, new registrations of the last 7 days,
    minors (under 18) without recorded written guardian consent, school detachments, open
    possible duplicates (each pair under the region of its later record; see duplicate_list).

    Three queries whatever the number of regions or volunteers: the regions with their
    volunteer figures, the detachments, the possible duplicates. Anonymised people are not
    counted; archived minors are not waiting for a consent.

    Each volunteer figure is a count per region row, an index-only scan of a partial index that
    holds just the people it counts, within the region (see the indexes of Volunteer): one pass
    over every volunteer with three conditional counts read the whole table (~40 ms nationally).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    new_since = now - datetime.timedelta(days=NEW_REGISTRATIONS_DAYS)
    # Under 18 means born after the day 18 years ago.
    minor_q = Q(birth_date__gt=years_before(today, ADULT_AGE))
    live = scope_queryset(Volunteer.objects.filter(anonymized_at__isnull=True), user)
    figures = {
        "active": Q(status=Volunteer.Status.ACTIVE),
        "new": Q(created_at__gte=new_since),
        "minors": minor_q & Q(guardian_consent_at__isnull=True) & ~Q(status=Volunteer.Status.ARCHIVED),
    }

    def count_in_region(condition: Q) -> Subquery:
        # COUNT(*), not COUNT(id): the id is in none of those indexes.
        people = live.filter(condition, region=OuterRef("pk")).order_by().values("region")
        return Subquery(people.annotate(n=Count("*")).values("n"), output_field=IntegerField())

    regions = list(
        region_queryset_for(user)
        .annotate(**{name: count_in_region(condition) for name, condition in figures.items()})
        .order_by("code")
    )

    # Detachments live in an app above this one; reach the model through the relation.
    detachment_model = Volunteer._meta.get_field("detachment").related_model
    detachment_counts = (
        scope_queryset(detachment_model._default_manager.all(), user)  # type: ignore[union-attr]
        .values("region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    detachments = {row["region_id"]: row["n"] for row in detachment_counts}

    duplicate_counts = (
        open_duplicates(user=user).values("volunteer__region_id").annotate(n=Count("pk")).order_by()
    )
    duplicates = {row["volunteer__region_id"]: row["n"] for row in duplicate_counts}

    rows = []
    for region in regions:
        rows.append(
            RegionOverviewRow(
                region=region,
                figures=OverviewFigures(
                    # No one counted: the subquery has no group, hence no row (NULL).
                    active_volunteers=region.active or 0,
                    new_registrations=region.new or 0,
                    minors_without_consent=region.minors or 0,
                    detachments=detachments.get(region.pk, 0),
                    possible_duplicates=duplicates.get(region.pk, 0),
                ),
            )
        )
    return RegionOverview(
        rows=rows, total=sum((row.figures for row in rows), OverviewFigures()), new_since=new_since
    )


# Guardian consent --------------------------------------------------------------------------


def guardian_consents(*, volunteer: Volunteer) -> list[GuardianConsent]:
    """Every consent given for the person, the one in force first, withdrawn ones after."""
    return list(volunteer.guardian_consents.select_related("recorded_by", "withdrawn_by"))


@dataclass(frozen=True)
class GuardianLink:
    url: str
    valid_until: datetime.date


def guardian_link_for(*, volunteer: Volunteer) -> GuardianLink | None:
    """The personal link for staff to hand to the guardian while a consent is wanted. Never for
    the minor's own pages: see `guardian_link_status`."""
    if not volunteer.awaits_guardian or not volunteer.guardian_phone:
        return None
    days = settings.GUARDIAN_LINK_DAYS
    return GuardianLink(
        url=guardian_link_url(volunteer), valid_until=timezone.localdate() + datetime.timedelta(days=days)
    )


@dataclass(frozen=True)
class GuardianLinkStatus:
    """What the minor is told of their guardian's link, without the link: the guardian's phone
    masked, and when the last link went to that number (None: none has yet)."""

    phone_masked: str
    sent_at: datetime.datetime | None


def guardian_link_status(*, volunteer: Volunteer) -> GuardianLinkStatus | None:
    """For a minor waiting for their guardian's consent, with a guardian's phone on file."""
    if not volunteer.awaits_guardian or not volunteer.guardian_phone:
        return None
    messenger = extensions.guardian_link_messenger()
    since = timezone.now() - datetime.timedelta(days=settings.GUARDIAN_LINK_DAYS)
    sent = messenger.sent_since(volunteer=volunteer, since=since) if messenger else []
    # A link sent to a number since corrected is no link for this guardian.
    latest = next((link for link in sent if link.phone == volunteer.guardian_phone), None)
    return GuardianLinkStatus(
        phone_masked=mask_phone(volunteer.guardian_phone), sent_at=latest.at if latest else None
    )


def volunteer_for_guardian_link(*, token: str) -> Volunteer:
    """The minor a guardian's link names, or a ValidationError saying why the link is unusable."""
    data = guardian_link_read(token)
    volunteer = guardian_link_person(data, Volunteer.objects.select_related("region"))
    if volunteer is None or volunteer.anonymized_at is not None or not guardian_link_matches(volunteer, data):
        raise ValidationError(
            _("This link is no longer valid. Ask the school curator or the front office for a new one."),
            code="invalid",
        )
    return volunteer


# Possible duplicates -----------------------------------------------------------------------


def _pair_scope(queryset: QuerySet[PossibleDuplicate], user: Any) -> QuerySet[PossibleDuplicate]:
    """Pairs whose both people are in the user's regions: a coordinator never learns, through a
    pair, of someone in a region they do not manage. A pair across two regions is national
    staff's (or a coordinator's of both)."""
    queryset = scope_queryset(queryset, user, region_field="volunteer__region")
    return scope_queryset(queryset, user, region_field="existing__region")


def _open_pairs() -> QuerySet[PossibleDuplicate]:
    return PossibleDuplicate.objects.filter(
        resolved_at__isnull=True,
        # A merged pair has lost a side; resolved, it is not here anyway, but say it plainly.
        volunteer__isnull=False,
        existing__isnull=False,
        volunteer__anonymized_at__isnull=True,
        existing__anonymized_at__isnull=True,
    )


def open_duplicates(*, user: Any) -> QuerySet[PossibleDuplicate]:
    """The pairs still to decide, both people in the user's regions and neither erased."""
    return _pair_scope(_open_pairs(), user)


def duplicate_list(*, user: Any, region: int | None = None) -> QuerySet[PossibleDuplicate]:
    """The coordinator's list of possible duplicates, newest first, with both people and their
    regions and detachments joined (the page reads a fixed number of times whatever its length).
    `region` keeps the pairs whose later record is in that region, as the overview counts them."""
    qs = open_duplicates(user=user)
    if region:
        qs = qs.filter(volunteer__region_id=region)
    return qs.select_related(
        "volunteer__region", "volunteer__detachment", "existing__region", "existing__detachment"
    ).order_by("-created_at", "-id")


def duplicate_get(*, user: Any, pk: Any) -> PossibleDuplicate:
    """One pair of the user's scope, decided or not, else 404. A pair already merged has lost
    one side: it is found through the side that is left, so that a second merge of it is told
    what happened instead of answering 404."""
    qs = PossibleDuplicate.objects.select_related(
        "volunteer__region", "volunteer__detachment", "existing__region", "existing__detachment"
    ).exclude(volunteer__isnull=True, existing__isnull=True)
    for side in ("volunteer", "existing"):
        condition = scope_q(user, region_field=f"{side}__region")
        if condition is not None:
            qs = qs.filter(condition | Q(**{f"{side}__isnull": True}))
    return get_object_or_404(qs, pk=pk)


def _known_to_staff_q(user: Any, *, prefix: str = "") -> Q | None:
    """The records `user` may know of as staff: those of their regions and the members of the
    detachments they curate (None: every record, for national staff)."""
    return region_or_curator_q(
        user, region_field=f"{prefix}region", curator_field=f"{prefix}detachment__curator"
    )


def has_open_duplicates(*, user: Any, volunteer: Volunteer) -> bool:
    """Whether the record is in a pair still to decide whose other person `user` may know of
    (for the message after staff add someone). A pair with someone outside their regions or
    detachments is not theirs to hear of: it would tell them that a phone or e-mail is on file
    elsewhere. National staff see it on the list of possible duplicates."""
    qs = _open_pairs().filter(Q(volunteer=volunteer) | Q(existing=volunteer))
    for side in ("volunteer", "existing"):
        condition = _known_to_staff_q(user, prefix=f"{side}__")
        if condition is not None:
            qs = qs.filter(condition)
    return qs.exists()


def iin_holder_known_to(*, user: Any, iin: str) -> bool:
    """Whether a record holding `iin` is one `user` may know of as staff: only then may they be
    told that the IIN is taken (it says nothing of the country's other records)."""
    holders = Volunteer.objects.filter(iin_hash=iin_digest(iin), anonymized_at__isnull=True)
    condition = _known_to_staff_q(user)
    return (holders if condition is None else holders.filter(condition)).exists()


def own_iin_locked(*, volunteer: Volunteer) -> bool:
    """Whether the person may no longer enter their IIN themselves: it is on file, or an IIN was
    entered for them before (the change history names it even when another record held the IIN
    and it was kept off). Each account thus tests one IIN at most; staff correct it after."""
    if volunteer.iin:
        return True
    # The history of one person is short, and JSON containment is PostgreSQL's only.
    return any("iin" in fields for fields in volunteer.changes.values_list("fields", flat=True))


def duplicates_of(*, user: Any, volunteer: Volunteer) -> list[tuple[PossibleDuplicate, Volunteer]]:
    """The open pairs of one record that the user may decide, each with the other record."""
    flags = open_duplicates(user=user).filter(Q(volunteer=volunteer) | Q(existing=volunteer))
    flags = flags.select_related("volunteer", "existing").order_by("-created_at", "-id")
    return [
        (flag, flag.existing if flag.volunteer_id == volunteer.pk else flag.volunteer)  # type: ignore[misc]
        for flag in flags[:10]
    ]


def active_volunteers_by_region() -> dict[int, int]:
    """Public count of active volunteers per region id (anonymised people excluded): one query."""
    rows = (
        Volunteer.objects.filter(anonymized_at__isnull=True, status=Volunteer.Status.ACTIVE)
        .values("region_id")
        # COUNT(*): an index-only scan of volunteer_active_region, which holds no id.
        .annotate(n=Count("*"))
        .order_by()
    )
    return {row["region_id"]: row["n"] for row in rows}


TRAIL_LENGTH = 50


def volunteer_trail(*, volunteer: Volunteer, limit: int = TRAIL_LENGTH) -> list[AuditEntry]:
    """Who viewed or exported this person's data, newest first (the last `limit` entries), under
    this record and under every record merged into it: the entries keep the id they were written
    with, and a merge is the same person's history joined (their "merged" changes came along with
    the rest of the history, so one lookup finds the records of earlier merges too). One query."""
    merged = (
        VolunteerChange.objects.filter(
            volunteer=volunteer, action=VolunteerChange.Action.MERGE, merged_from__isnull=False
        )
        .annotate(subject=Cast("merged_from", CharField()))
        .values("subject")
    )
    entries = AuditEntry.objects.filter(subject_type=Volunteer._meta.label_lower).filter(
        Q(subject_id=str(volunteer.pk)) | Q(subject_id__in=merged)
    )
    return list(entries.select_related("actor")[:limit])

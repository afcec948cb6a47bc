"""Reads for volunteers, already scoped to the user and with their joins."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from regions.models import Region
from regions.scoping import (
    get_scoped_object_or_404,
    is_national_staff,
    region_or_curator_q,
    region_queryset_for,
    scope_queryset,
)

from .models import ADULT_AGE, Skill, Volunteer, VolunteerChange, normalize_search

AGE_GROUPS: dict[str, tuple[int | None, int | None]] = {
    # key: (min age inclusive, max age inclusive)
    "under14": (None, 13),
    "14to17": (14, 17),
    "18to35": (18, 35),
    "36plus": (36, None),
}

SORTS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "region": ("region__code", "last_name", "first_name", "id"),
    "-region": ("-region__code", "last_name", "first_name", "id"),
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
    sort: str = "name"


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _birth_date_q(age_group: str, today: datetime.date) -> Q:
    low, high = AGE_GROUPS[age_group]
    q = Q()
    if low is not None:
        q &= Q(birth_date__lte=_years_ago(today, low))
    if high is not None:
        # Older than `high` means born on or before the day `high + 1` years ago.
        q &= Q(birth_date__gt=_years_ago(today, high + 1))
    return q


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
    for word in normalize_search(text).split():
        q &= Q(search_text__contains=word)
    return q


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
    if f.status in Volunteer.Status.values:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.filter(anonymized_at__isnull=True)
    return (
        qs.select_related("region", "detachment")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("code")))
        .order_by(*SORTS.get(f.sort, SORTS["name"]))
    )


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


def volunteer_personal_data(*, volunteer: Volunteer) -> dict[str, Any]:
    """Everything we hold about the person, for the "my data" download."""
    return {
        "last_name": volunteer.last_name,
        "first_name": volunteer.first_name,
        "middle_name": volunteer.middle_name,
        "birth_date": volunteer.birth_date.isoformat() if volunteer.birth_date else None,
        "phone": volunteer.phone,
        "email": volunteer.email,
        "account_email": volunteer.user.email if volunteer.user else None,
        "region": {"code": volunteer.region.code, "name": volunteer.region.name},
        "locality": volunteer.locality,
        "skills": [s.code for s in volunteer.skills.all()],
        "languages": volunteer.languages,
        "availability": {
            "weekdays": volunteer.available_weekdays,
            "evenings": volunteer.available_evenings,
            "weekends": volunteer.available_weekends,
        },
        "preferred_language": volunteer.preferred_language,
        "preferred_channel": volunteer.preferred_channel,
        "status": volunteer.status,
        "iin": volunteer.iin,
        "consent": {
            "given_at": volunteer.consent_at.isoformat() if volunteer.consent_at else None,
            "text_version": volunteer.consent_version,
        },
        "detachment": str(volunteer.detachment) if volunteer.detachment else None,
        "guardian": {
            "name": volunteer.guardian_name,
            "phone": volunteer.guardian_phone,
            "relation": volunteer.guardian_relation,
            "written_consent_recorded_at": (
                volunteer.guardian_consent_at.isoformat() if volunteer.guardian_consent_at else None
            ),
        },
        "created_at": volunteer.created_at.isoformat(),
        "changes": [
            {"at": c.changed_at.isoformat(), "action": c.action, "fields": c.fields}
            for c in volunteer.changes.all()
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


# Regions overview --------------------------------------------------------------------------

NEW_REGISTRATIONS_DAYS = 7


@dataclass(frozen=True)
class OverviewFigures:
    """The figures a coordinator checks first for one region (or for all of them, summed)."""

    active_volunteers: int = 0
    new_registrations: int = 0
    minors_without_consent: int = 0
    detachments: int = 0

    def __add__(self, other: OverviewFigures) -> OverviewFigures:
        return OverviewFigures(
            active_volunteers=self.active_volunteers + other.active_volunteers,
            new_registrations=self.new_registrations + other.new_registrations,
            minors_without_consent=self.minors_without_consent + other.minors_without_consent,
            detachments=self.detachments + other.detachments,
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
    minors (under 18) without recorded written guardian consent, school detachments.

    Three queries whatever the number of regions or volunteers: the regions, one grouped count
    of volunteers (its conditional counts give every volunteer figure), one of detachments.
    Anonymised people are not counted; archived minors are not waiting for a consent.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    new_since = now - datetime.timedelta(days=NEW_REGISTRATIONS_DAYS)
    # Under 18 means born after the day 18 years ago.
    minor_q = Q(birth_date__gt=_years_ago(today, ADULT_AGE))
    regions = list(region_queryset_for(user).order_by("code"))

    volunteer_counts = (
        scope_queryset(Volunteer.objects.filter(anonymized_at__isnull=True), user)
        .values("region_id")
        .annotate(
            active=Count("pk", filter=Q(status=Volunteer.Status.ACTIVE)),
            new=Count("pk", filter=Q(created_at__gte=new_since)),
            minors=Count(
                "pk",
                filter=minor_q & Q(guardian_consent_at__isnull=True) & ~Q(status=Volunteer.Status.ARCHIVED),
            ),
        )
        .order_by()
    )
    by_region = {row["region_id"]: row for row in volunteer_counts}

    # Detachments live in an app above this one; reach the model through the relation.
    detachment_model = Volunteer._meta.get_field("detachment").related_model
    detachment_counts = (
        scope_queryset(detachment_model._default_manager.all(), user)  # type: ignore[union-attr]
        .values("region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    detachments = {row["region_id"]: row["n"] for row in detachment_counts}

    rows = []
    for region in regions:
        counts = by_region.get(region.pk, {})
        rows.append(
            RegionOverviewRow(
                region=region,
                figures=OverviewFigures(
                    active_volunteers=counts.get("active", 0),
                    new_registrations=counts.get("new", 0),
                    minors_without_consent=counts.get("minors", 0),
                    detachments=detachments.get(region.pk, 0),
                ),
            )
        )
    return RegionOverview(
        rows=rows, total=sum((row.figures for row in rows), OverviewFigures()), new_since=new_since
    )

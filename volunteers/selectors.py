"""Reads for volunteers, already scoped to the user and with their joins."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from regions.scoping import (
    get_object_or_404,
    get_scoped_object_or_404,
    is_national_staff,
    region_or_curator_q,
    scope_queryset,
)

from .models import Skill, Volunteer, VolunteerChange, normalize_search

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


def skill_list() -> QuerySet[Skill]:
    """The skills catalogue: one list for the whole country."""
    return Skill.objects.order_by("code")


def skill_get(*, pk: Any) -> Skill:
    return get_object_or_404(Skill.objects.all(), pk=pk)

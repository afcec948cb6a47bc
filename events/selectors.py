"""Reads for campaigns, shifts and sign-ups, scoped and with their joins.

Public reads show what volunteers may see (published, closed and cancelled campaigns; never
drafts). Management reads go through `regions.scoping`: a coordinator's campaigns are those of
their regions (`region`), shifts through `campaign__region`, sign-ups through
`shift__campaign__region`; national campaigns (no region) are national staff's alone, because
a coordinator's scope is a set of regions and a missing region is in none of them.

Lists annotate their counts with subqueries (places taken are a column of the shift), so that a
page runs the same number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from regions.models import Region
from regions.scoping import (
    get_object_or_404,
    get_scoped_object_or_404,
    manages_regions,
    may_manage_region,
    scope_q,
    scope_queryset,
)
from volunteer_net.dates import iso_local
from volunteers.extensions import volunteer_total_hours
from volunteers.models import Skill, Volunteer

from .models import (
    CalendarFeed,
    CallOut,
    CallOutAnswer,
    Campaign,
    Shift,
    Signup,
    TransportRequest,
    weekend_shifts,
)

# "Evenings": shifts starting at 18:00 Almaty time or later, after a working or school day.
# (No index for them, unlike weekends: half of the shifts start in the evening, so the first
# shift a campaign's index probe finds is usually one.)
EVENING_HOUR = 18
PUBLIC_STATUSES = (Campaign.Status.PUBLISHED, Campaign.Status.CLOSED, Campaign.Status.CANCELLED)


@dataclass(frozen=True)
class CampaignFilters:
    region: int | None = None
    kind: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    free_places: bool = False
    evenings: bool = False
    weekends: bool = False
    direction: str = ""
    # "Suits my skills": the volunteer whose skills a shift's requirements must be among.
    skills_of: int | None = None
    # "Nearest to me": the point (latitude, longitude) the list is ordered by distance from.
    near: tuple[float, float] | None = None

    @property
    def about_shifts(self) -> bool:
        return bool(
            self.free_places
            or self.evenings
            or self.weekends
            or self.date_from
            or self.date_to
            or self.skills_of
        )


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset, as a scalar subquery (0 when it has no rows)."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def _count(queryset: QuerySet[Any]) -> SubqueryCount:
    return SubqueryCount(queryset.order_by().values("pk"))


def waitlist_subquery() -> SubqueryCount:
    return _count(Signup.objects.filter(shift=OuterRef("pk"), status=Signup.Status.WAITLISTED))


def with_counts(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts with `waitlist_count` (places taken are kept on the shift itself)."""
    return shifts.annotate(waitlist_count=waitlist_subquery())


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def shift_conditions(filters: CampaignFilters, *, now: datetime.datetime) -> Q:
    """Upcoming, not cancelled shifts matching the filters. All conditions hold for one and the
    same shift: "evenings" and "free places" mean an evening shift with free places."""
    q = Q(cancelled_at__isnull=True, starts_at__gt=now)
    if filters.date_from:
        q &= Q(starts_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        q &= Q(starts_at__lt=_local_midnight(filters.date_to + datetime.timedelta(days=1)))
    if filters.evenings:
        # The hour in the current time zone, Asia/Almaty.
        q &= Q(starts_at__hour__gte=EVENING_HOUR)
    if filters.weekends:
        # In the very expression the partial index shift_weekend_starts is made of.
        q &= weekend_shifts()
    if filters.free_places:
        # A free place is one that can still be taken: past its sign-up deadline a shift turns
        # everyone away, and "has free places" listed it for nobody to get.
        q &= Q(capacity__gt=F("taken_places")) & (
            Q(signup_deadline__isnull=True) | Q(signup_deadline__gte=now)
        )
    if filters.skills_of:
        # "Suits my skills": every skill the shift requires is one of the volunteer's — so a
        # shift requiring none suits everyone. Partial matches are left out: the sign-up rules
        # would turn the volunteer away from such a shift anyway. One correlated subquery, no
        # extra query per row.
        volunteer_skills = Volunteer.skills.through.objects.filter(volunteer_id=filters.skills_of)
        missing = Shift.required_skills.through.objects.filter(shift_id=OuterRef("pk")).exclude(
            skill_id__in=volunteer_skills.values("skill_id")
        )
        q &= Q(~Exists(missing))
    return q


KM_PER_DEGREE = 111.2
# "Nearest to me" orders the campaigns with an upcoming shift this close by distance; those
# further away follow in the usual order, as those with no point on the map do.
NEAR_KM = 150


def _squared_degrees_from(point: tuple[float, float]) -> ExpressionWrapper:
    """A shift's squared distance from `point` in degrees of latitude, the longitude scaled by the
    cosine of the point's latitude: plain arithmetic, the same on PostgreSQL and SQLite, and within
    a few per cent of the great-circle distance over the tens of kilometres "near me" is about."""
    latitude, longitude = point
    scale = math.cos(math.radians(latitude))
    d_lat = Cast("latitude", FloatField()) - Value(latitude)
    d_lon = (Cast("longitude", FloatField()) - Value(longitude)) * Value(scale)
    return ExpressionWrapper(d_lat * d_lat + d_lon * d_lon, output_field=FloatField())


def km_from_squared_degrees(value: float | None) -> float | None:
    return None if value is None else KM_PER_DEGREE * math.sqrt(value)


# Public: campaigns and shifts ------------------------------------------------------------------


def campaign_list(*, filters: CampaignFilters | None = None) -> QuerySet[Campaign]:
    """Published campaigns that have not ended, with their next shift and how many are to come."""
    f = filters or CampaignFilters()
    now = timezone.now()
    qs = Campaign.objects.filter(status=Campaign.Status.PUBLISHED, ends_on__gte=timezone.localdate())
    if f.region:
        # National campaigns concern every region.
        qs = qs.filter(Q(region_id=f.region) | Q(region__isnull=True))
    if f.kind in Campaign.Kind.values:
        qs = qs.filter(kind=f.kind)
    if f.direction in Campaign.Direction.values:
        qs = qs.filter(direction=f.direction)
    wanted = Q(cancelled_at__isnull=True, starts_at__gt=now)
    if f.about_shifts:
        # The card's "next shift" and count are of the shifts the filters ask for: someone after
        # an evening or a weekend shift was shown the campaign's next one, a weekday morning.
        wanted = shift_conditions(f, now=now)
    upcoming = Shift.objects.filter(wanted, campaign=OuterRef("pk"))
    if f.about_shifts:
        qs = qs.filter(Exists(upcoming))
    qs = qs.select_related("region").annotate(
        next_shift_at=Subquery(upcoming.order_by("starts_at").values("starts_at")[:1]),
        upcoming_shifts=_count(upcoming),
    )
    if f.near is None:
        return qs.order_by("starts_on", "title", "id")
    # Nearest first, by the campaign's closest upcoming shift (of those the filters ask for) with
    # a point on the map within NEAR_KM; campaigns without one follow, in the usual order.
    # Within NEAR_KM only: a box of plain comparisons first, so that the distance is worked out
    # and sorted for the shifts around the person, not for every upcoming shift in the country.
    latitude, longitude = f.near
    d_lat = NEAR_KM / KM_PER_DEGREE
    d_lon = d_lat / max(math.cos(math.radians(latitude)), 0.1)
    in_box = Q(
        latitude__range=(latitude - d_lat, latitude + d_lat),
        longitude__range=(longitude - d_lon, longitude + d_lon),
    )
    nearest = (
        upcoming.filter(in_box)
        .annotate(squared=_squared_degrees_from(f.near))
        .filter(squared__lte=d_lat * d_lat)
        # The least, aggregated rather than sorted and cut to one: no sort per campaign.
        .order_by()
        .values("campaign")
        .annotate(least=Min("squared"))
        .values("least")
    )
    # The few campaigns with a shift in the box are found first, in one pass along the index
    # shift_open_lat_lon, and the distance is worked out for theirs alone: asked of every campaign
    # in the country, it read each one's upcoming shifts (~1 500 index scans for ~150 campaigns
    # near anyone).
    around = Shift.objects.filter(wanted, in_box).values("campaign_id")
    near = Case(When(pk__in=around, then=Subquery(nearest)), output_field=FloatField())
    return qs.annotate(nearest_squared=near).order_by(
        F("nearest_squared").asc(nulls_last=True), "starts_on", "title", "id"
    )


def campaign_list_api(
    *, region: int | None = None, kind: str = "", active: bool | None = None
) -> QuerySet[Campaign]:
    """Public campaigns for the API; `active`: published and not ended (or, false, the others)."""
    qs = Campaign.objects.filter(status__in=PUBLIC_STATUSES)
    active_q = Q(status=Campaign.Status.PUBLISHED, ends_on__gte=timezone.localdate())
    if active is True:
        qs = qs.filter(active_q)
    elif active is False:
        qs = qs.exclude(active_q)
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__isnull=True))
    if kind in Campaign.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.select_related("region").order_by("starts_on", "title", "id")


def _visible_campaigns(user: Any) -> Q:
    """What a user may open: every non-draft campaign, and drafts they manage."""
    q = Q(status__in=PUBLIC_STATUSES)
    if user is not None and user.is_authenticated:
        manage = scope_q(user, region_field="region")
        if manage is None:
            return Q()
        q |= manage
    return q


def campaign_get_public(*, user: Any, pk: Any) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("region", "organiser").filter(_visible_campaigns(user)), pk=pk
    )


def campaign_shifts(*, campaign: Campaign, upcoming: bool = True) -> QuerySet[Shift]:
    """A campaign's shifts with free places and required skills (upcoming: from now on)."""
    qs = Shift.objects.filter(campaign=campaign)
    if upcoming:
        qs = qs.filter(ends_at__gt=timezone.now())
    return (
        qs.select_related("campaign")
        .prefetch_related(Prefetch("required_skills", queryset=Skill.objects.order_by("code")))
        .order_by("starts_at", "id")
    )


def shift_get_public(*, user: Any, pk: Any) -> Shift:
    visible = Shift.objects.filter(campaign__in=Campaign.objects.filter(_visible_campaigns(user)))
    qs = visible.select_related("campaign__region").prefetch_related("required_skills")
    return get_object_or_404(qs, pk=pk)


def shift_get_for_signup(*, user: Any, pk: Any) -> Shift:
    """The shift someone signs up for, with its campaign, visible as `shift_get_public` decides
    (404 otherwise).

    `services.signup_create_own` refuses a shift read here as full without locking it, and
    otherwise locks the row and checks the rules against it as read under the lock. A public
    campaign's shift is found before the user's regions are looked up: the sign-up API is the
    busiest write over HTTP, and each query is a round trip it waits for (bench/over_http.py)."""
    qs = Shift.objects.select_related("campaign").order_by()
    shift = qs.filter(pk=pk, campaign__status__in=PUBLIC_STATUSES).first() if str(pk).isdigit() else None
    if shift is not None:
        return shift
    return get_object_or_404(qs.filter(campaign__in=Campaign.objects.filter(_visible_campaigns(user))), pk=pk)


def shift_list(*, filters: CampaignFilters | None = None, campaign: int | None = None) -> QuerySet[Shift]:
    """Upcoming shifts of published campaigns, for the API and the map."""
    f = filters or CampaignFilters()
    qs = Shift.objects.filter(
        shift_conditions(f, now=timezone.now()), campaign__status=Campaign.Status.PUBLISHED
    )
    if f.region:
        qs = qs.filter(Q(campaign__region_id=f.region) | Q(campaign__region__isnull=True))
    if f.kind in Campaign.Kind.values:
        qs = qs.filter(campaign__kind=f.kind)
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    return (
        qs.select_related("campaign__region")
        .prefetch_related(Prefetch("required_skills", queryset=Skill.objects.order_by("code")))
        .order_by("starts_at", "id")
    )


# A volunteer's own sign-ups -------------------------------------------------------------------


def volunteer_of_user(*, user: Any) -> Volunteer | None:
    if user is None or not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user, anonymized_at__isnull=True).first()


def _with_shift(qs: QuerySet[Signup]) -> QuerySet[Signup]:
    return qs.select_related("shift__campaign__region")


def my_upcoming_signups(*, volunteer: Volunteer) -> QuerySet[Signup]:
    """Sign-ups for shifts that have not ended — and those the organisers cancelled, so that
    nobody turns up for a cancelled shift — with `waitlist_ahead` (0 = next to move up)."""
    ahead = Signup.objects.filter(
        shift=OuterRef("shift"), status=Signup.Status.WAITLISTED, created_at__lt=OuterRef("created_at")
    )
    current = Q(status__in=Signup.ACTIVE) | Q(
        status=Signup.Status.CANCELLED, shift__cancelled_at__isnull=False
    )
    return (
        _with_shift(Signup.objects.filter(current, volunteer=volunteer, shift__ends_at__gt=timezone.now()))
        .annotate(waitlist_ahead=_count(ahead))
        .order_by("shift__starts_at", "id")
    )


def has_upcoming_shift(*, volunteer: Volunteer) -> bool:
    """Whether the person has a shift to go to (confirmed or waiting for a place, not cancelled,
    not ended): without one their profile points them to the campaigns."""
    return Signup.objects.filter(
        volunteer=volunteer,
        status__in=(Signup.Status.CONFIRMED, Signup.Status.WAITLISTED),
        shift__ends_at__gt=timezone.now(),
        shift__cancelled_at__isnull=True,
    ).exists()


def my_past_signups(*, volunteer: Volunteer) -> QuerySet[Signup]:
    """Shifts that have ended and that the volunteer had a place on: attended with hours,
    missed, or not yet marked by the coordinator."""
    return _with_shift(
        Signup.objects.filter(
            volunteer=volunteer,
            shift__ends_at__lte=timezone.now(),
            status__in=(Signup.Status.ATTENDED, Signup.Status.NO_SHOW, Signup.Status.CONFIRMED),
        )
    ).order_by("-shift__starts_at", "-id")


def my_signup_get(*, user: Any, pk: Any) -> Signup:
    """One of the user's own sign-ups, else 404."""
    return get_object_or_404(_with_shift(Signup.objects.filter(volunteer__user=user)), pk=pk)


def my_signups_for_shifts(*, volunteer: Volunteer | None, shift_ids: list[int]) -> dict[int, Signup]:
    """The volunteer's active sign-up per shift among `shift_ids` (one query)."""
    if volunteer is None or not shift_ids:
        return {}
    return {
        s.shift_id: s
        for s in Signup.objects.filter(volunteer=volunteer, shift_id__in=shift_ids, status__in=Signup.ACTIVE)
    }


def transport_open(*, signup: Signup) -> bool:
    """Whether the sign-up has a transport request a car may still be sent for (moving the
    person to another shift cancels it: services.signup_move)."""
    return TransportRequest.objects.filter(signup=signup, status__in=TransportRequest.OPEN).exists()


def waitlist_waiting(*, shift: Shift) -> bool:
    """Whether anyone is on the shift's waitlist: a confirmed place given up now goes to the
    first of them (whether or not the shift still takes new people onto its waitlist)."""
    return Signup.objects.filter(shift=shift, status=Signup.Status.WAITLISTED).exists()


def signups_of(*, shift: Shift, volunteers: list[Volunteer]) -> dict[int, Signup]:
    """The active sign-up, per volunteer id, of these people on the shift (one query)."""
    return {
        s.volunteer_id: s
        for s in Signup.objects.filter(shift=shift, volunteer__in=volunteers, status__in=Signup.ACTIVE)
    }


def signup_list_for(*, user: Any, shift: int | None = None, status: str = "") -> QuerySet[Signup]:
    """The API's sign-ups: a volunteer's own; for coordinators and national staff also every
    sign-up for their regions' campaigns."""
    condition = Q(volunteer__user=user)
    if manages_regions(user):
        region_q = scope_q(user, region_field="shift__campaign__region")
        condition = Q() if region_q is None else condition | region_q
    qs = Signup.objects.filter(condition)
    if shift:
        qs = qs.filter(shift_id=shift)
    if status in Signup.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("shift__campaign__region", "volunteer").order_by("-created_at", "-id")


def signup_own_active(*, user: Any, shift: Shift) -> Signup | None:
    """The account's own sign-up for the shift still counting (confirmed, waitlisted or attended):
    the one a sign-up refused as "already" found, which a client repeating a timed-out request
    made the first time."""
    return (
        Signup.objects.filter(volunteer__user=user, shift=shift, status__in=Signup.ACTIVE)
        .only("id", "status")
        .first()
    )


def signup_get_for(*, user: Any, pk: Any) -> Signup:
    """One sign-up the user may act on (their own, or in their regions), else 404."""
    return get_object_or_404(signup_list_for(user=user), pk=pk)


# Hours -------------------------------------------------------------------------------------------

_HOURS = Coalesce(
    Sum("hours"), Value(Decimal("0")), output_field=DecimalField(max_digits=9, decimal_places=2)
)


def volunteer_hours(*, volunteer: Volunteer) -> Decimal:
    """Hours credited by attendance."""
    return Signup.objects.filter(volunteer=volunteer, status=Signup.Status.ATTENDED).aggregate(h=_HOURS)["h"]


def volunteer_hours_for(volunteer: Volunteer) -> Decimal:
    """The shifts' share of a person's hours, as volunteers/extensions.py sums its sources."""
    return volunteer_hours(volunteer=volunteer)


def shift_hours(*, shift: Shift) -> Decimal:
    return Signup.objects.filter(shift=shift, status=Signup.Status.ATTENDED).aggregate(h=_HOURS)["h"]


def campaign_hours(*, campaign: Campaign) -> Decimal:
    return Signup.objects.filter(shift__campaign=campaign, status=Signup.Status.ATTENDED).aggregate(h=_HOURS)[
        "h"
    ]


def hours_by_region(*, user: Any, year: int | None = None) -> list[dict[str, Any]]:
    """Hours and people per campaign region within the user's scope, as rows
    {"region": Region or None (national campaigns), "hours", "people"}; `year` by the shifts'
    Almaty dates."""
    qs = scope_queryset(
        Signup.objects.filter(status=Signup.Status.ATTENDED), user, region_field="shift__campaign__region"
    )
    if year:
        qs = qs.filter(
            shift__starts_at__gte=_local_midnight(datetime.date(year, 1, 1)),
            shift__starts_at__lt=_local_midnight(datetime.date(year + 1, 1, 1)),
        )
    rows = list(
        qs.values("shift__campaign__region")
        .annotate(hours=_HOURS, people=Count("volunteer", distinct=True))
        .order_by("shift__campaign__region")
    )
    regions = Region.objects.in_bulk(
        [r["shift__campaign__region"] for r in rows if r["shift__campaign__region"]]
    )
    result = [
        {"region": regions.get(r["shift__campaign__region"]), "hours": r["hours"], "people": r["people"]}
        for r in rows
    ]
    return sorted(result, key=lambda r: r["region"].code if r["region"] else "")


# Management (coordinators of the campaign's region, national staff) ---------------------------


def managed_campaigns(*, user: Any, status: str = "") -> QuerySet[Campaign]:
    qs = scope_queryset(Campaign.objects.all(), user, region_field="region")
    if status in Campaign.Status.values:
        qs = qs.filter(status=status)
    now = timezone.now()
    upcoming = Shift.objects.filter(campaign=OuterRef("pk"), cancelled_at__isnull=True, starts_at__gt=now)
    return (
        qs.select_related("region")
        .annotate(
            upcoming_shifts=_count(upcoming),
            next_shift_at=Subquery(upcoming.order_by("starts_at").values("starts_at")[:1]),
        )
        .order_by("-starts_on", "title", "id")
    )


def managed_campaign_get(*, user: Any, pk: Any) -> Campaign:
    return get_scoped_object_or_404(
        Campaign.objects.select_related("region", "organiser"), user, region_field="region", pk=pk
    )


def managed_shifts(*, campaign: Campaign) -> QuerySet[Shift]:
    return with_counts(Shift.objects.filter(campaign=campaign)).order_by("starts_at", "id")


def managed_shift_get(*, user: Any, pk: Any) -> Shift:
    qs = with_counts(Shift.objects.select_related("campaign__region")).prefetch_related(
        Prefetch("required_skills", queryset=Skill.objects.order_by("code"))
    )
    return get_scoped_object_or_404(qs, user, region_field="campaign__region", pk=pk)


def managed_signup_get(*, user: Any, pk: Any) -> Signup:
    return get_scoped_object_or_404(
        Signup.objects.select_related("shift__campaign", "volunteer"),
        user,
        region_field="shift__campaign__region",
        pk=pk,
    )


def may_manage_campaign(user: Any, campaign: Campaign) -> bool:
    return may_manage_region(user, campaign.region_id)


# The roster's sections, each heading saying what is in it: signed up and not marked yet, came,
# did not come, the waitlist, and the sign-ups given up (cancelled, or moved to another shift).
ROSTER_SECTIONS: dict[str, str] = {
    Signup.Status.CONFIRMED: "confirmed",
    Signup.Status.ATTENDED: "attended",
    Signup.Status.NO_SHOW: "no_show",
    Signup.Status.WAITLISTED: "waitlist",
    Signup.Status.CANCELLED: "cancelled",
}


def shift_roster(*, shift: Shift) -> dict[str, list[Signup]]:
    """Who is on the shift, by section (`ROSTER_SECTIONS`): people in name order, the waitlist in
    its order, the cancelled ones latest first (with who cancelled, and where a moved person
    went); the volunteers with their skills, for contact and for the minors' marks."""
    signups = list(
        Signup.objects.filter(shift=shift)
        .select_related("volunteer__detachment", "signed_up_by", "cancelled_by", "moved_to__shift")
        .prefetch_related(Prefetch("volunteer__skills", queryset=Skill.objects.order_by("code")))
        .order_by("volunteer__last_name", "volunteer__first_name", "id")
    )
    day = shift.local_date
    required = {s.pk for s in shift.required_skills.all()}
    roster: dict[str, list[Signup]] = {section: [] for section in ROSTER_SECTIONS.values()}
    for signup in signups:
        person = signup.volunteer
        signup.age_on_shift = person.age(day)  # type: ignore[attr-defined]
        signup.is_minor = person.is_minor(day)  # type: ignore[attr-defined]
        have = {s.pk for s in person.skills.all()}
        signup.missing_skills = [s for s in shift.required_skills.all() if s.pk in required - have]  # type: ignore[attr-defined]
        roster[ROSTER_SECTIONS[signup.status]].append(signup)
    roster["waitlist"].sort(key=lambda s: (s.created_at, s.pk))
    roster["cancelled"].sort(key=lambda s: (s.cancelled_at or s.created_at, s.pk), reverse=True)
    return roster


def volunteers_to_add(*, user: Any, shift: Shift, query: str, limit: int = 30) -> list[Volunteer]:
    """Volunteers a coordinator may add to a shift: the roster search within their scope
    (regional campaigns: that region's volunteers; national ones: everybody national staff see)."""
    from volunteers.selectors import RosterFilters, volunteer_list

    filters = RosterFilters(q=query, region=shift.campaign.region_id, status=Volunteer.Status.ACTIVE)
    already = Signup.objects.filter(shift=shift, status__in=Signup.ACTIVE).values("volunteer_id")
    return list(volunteer_list(user=user, filters=filters).exclude(pk__in=already)[:limit])


def scoped_volunteers(*, user: Any, shift: Shift, ids: list[int]) -> list[Volunteer]:
    """The chosen people, as far as the user's scope (and the shift's region) allows."""
    from volunteers.selectors import RosterFilters, volunteer_list

    filters = RosterFilters(region=shift.campaign.region_id, status=Volunteer.Status.ACTIVE)
    return list(volunteer_list(user=user, filters=filters).filter(pk__in=ids))


# Curators ----------------------------------------------------------------------------------------


def curated_members(*, user: Any) -> QuerySet[Volunteer]:
    """Members of the detachments the user curates (their own pupils, and no one else's)."""
    if user is None or not user.is_authenticated:
        return Volunteer.objects.none()
    return (
        Volunteer.objects.filter(detachment__curator=user, anonymized_at__isnull=True)
        .select_related("detachment")
        .order_by("last_name", "first_name", "id")
    )


# Hours on volunteers' pages and in "my data" -----------------------------------------------------
# Appended: volunteers/ sits below events/, so its pages get these through the `volunteer_hours`
# template tag (events/templatetags/events.py) and its download through volunteers/extensions.py.


def volunteer_attended(*, volunteer: Volunteer) -> QuerySet[Signup]:
    """The shifts the person attended, latest first, with the campaign (one query)."""
    return _with_shift(Signup.objects.filter(volunteer=volunteer, status=Signup.Status.ATTENDED)).order_by(
        "-shift__starts_at", "-id"
    )


def personal_data_shifts(volunteer: Volunteer) -> dict[str, Any]:
    """The "shifts" section of "download my data": every sign-up with its hours, and the total."""
    signups = _with_shift(Signup.objects.filter(volunteer=volunteer)).order_by("shift__starts_at", "id")
    return {
        "total_hours": f"{volunteer_hours(volunteer=volunteer):.2f}",
        "signups": [
            {
                "campaign": s.shift.campaign.title,
                "place": s.shift.place_name,
                "starts_at": iso_local(s.shift.starts_at),
                "ends_at": iso_local(s.shift.ends_at),
                "status": s.status,
                "signed_up_at": iso_local(s.created_at),
                "hours": str(s.hours) if s.hours is not None else None,
                "hours_reason": s.hours_reason,
            }
            for s in signups
        ],
    }


def personal_data_transport(volunteer: Volunteer) -> list[dict[str, Any]]:
    """The "transport" section of "download my data": each request the person made, with the
    coordinator's answer (driver, departure, or the reason it was declined), in one query."""
    requests = (
        TransportRequest.objects.filter(signup__volunteer=volunteer)
        .select_related("signup__shift__campaign")
        .order_by("signup__shift__starts_at", "id")
    )
    return [
        {
            "campaign": r.signup.shift.campaign.title,
            "shift_starts_at": iso_local(r.signup.shift.starts_at),
            "pickup": r.pickup,
            "seats": r.seats,
            "note": r.note,
            "status": r.status,
            "asked_at": iso_local(r.created_at),
            "answered_at": iso_local(r.answered_at),
            "driver_name": r.driver_name,
            "driver_phone": r.driver_phone,
            "departure_at": iso_local(r.departure_at),
            "departure_place": r.departure_place,
            "group": r.group,
            "decline_reason": r.decline_reason,
        }
        for r in requests
    ]


def personal_data_callouts(volunteer: Volunteer) -> list[dict[str, Any]]:
    """The "callouts" section of "download my data": each call-out the person received and their
    answer (never the link's token: it is a key, not data about them), in one query."""
    answers = (
        CallOutAnswer.objects.filter(volunteer=volunteer)
        .select_related("callout__campaign")
        .order_by("callout__created_at", "id")
    )
    return [
        {
            "campaign": a.callout.campaign.title,
            "called_at": iso_local(a.callout.created_at),
            "message": a.callout.text,
            "answer": a.answer,
            "answered_at": iso_local(a.answered_at),
        }
        for a in answers
    ]


# Personal calendar feed ------------------------------------------------------------------------

# How far back the feed keeps shifts: calendars drop events that vanish from a feed.
FEED_PAST_DAYS = 60


def calendar_feed_of(*, volunteer: Volunteer) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(volunteer=volunteer).first()


def calendar_feed_get(*, token: str) -> CalendarFeed:
    """The feed with this token, of a profile not erased, else 404."""
    return get_object_or_404(
        CalendarFeed.objects.select_related("volunteer").filter(volunteer__anonymized_at__isnull=True),
        token=token,
    )


def calendar_feed_shifts(*, volunteer: Volunteer) -> list[Shift]:
    """The shifts the person holds a place on (confirmed or attended), upcoming and of the last
    FEED_PAST_DAYS days, and those the organisers cancelled under them (one query)."""
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    held = Q(status__in=(Signup.Status.CONFIRMED, Signup.Status.ATTENDED)) | Q(
        status=Signup.Status.CANCELLED, shift__cancelled_at__isnull=False
    )
    signups = _with_shift(
        Signup.objects.filter(held, volunteer=volunteer, shift__ends_at__gte=since)
    ).order_by("shift__starts_at", "id")
    seen: set[int] = set()
    shifts = []
    for signup in signups:
        if signup.shift_id not in seen:
            seen.add(signup.shift_id)
            shifts.append(signup.shift)
    return shifts


def move_targets(*, signup: Signup) -> QuerySet[Shift]:
    """Where a coordinator may move someone: the campaign's other shifts not yet started."""
    return (
        Shift.objects.filter(campaign_id=signup.shift.campaign_id, cancelled_at__isnull=True)
        .filter(starts_at__gt=timezone.now())
        .exclude(pk=signup.shift_id)
        .order_by("starts_at", "id")
    )


def volunteer_hours_text(volunteer: Volunteer) -> str:
    """The hours as the API writes decimals ("12.50"): the "hours" of GET /api/volunteers/{id}/,
    every registered source's (shifts, help requests) added up."""
    return f"{volunteer_total_hours(volunteer):.2f}"


# Transport and call-outs -------------------------------------------------------------------------


def my_transport_request_signup(*, user: Any, pk: Any) -> Signup:
    """One of the user's own sign-ups with its transport request (if any), else 404."""
    return get_object_or_404(
        _with_shift(Signup.objects.filter(volunteer__user=user)).select_related("transport"), pk=pk
    )


def transport_board(
    *, shift: Shift | None = None, campaign: Campaign | None = None
) -> QuerySet[TransportRequest]:
    """Open and answered requests (not the cancelled ones) of a shift or a whole campaign, in one
    query whatever their number: rider, phone and shift come joined."""
    # A request whose sign-up was cancelled needs no car: it leaves the board with the sign-up.
    # An erased person's leave it too, a declined one included (law 94-V: nothing of them is
    # left to show, and the volunteer row is joined anyway).
    qs = (
        TransportRequest.objects.exclude(status=TransportRequest.Status.CANCELLED)
        .filter(signup__status__in=Signup.ACTIVE, signup__volunteer__anonymized_at__isnull=True)
        .select_related("signup__volunteer", "signup__shift")
    )
    if shift is not None:
        qs = qs.filter(signup__shift=shift)
    if campaign is not None:
        qs = qs.filter(signup__shift__campaign=campaign)
    return qs.order_by("signup__shift__starts_at", "group", "pickup", "id")


def transport_to_recheck(*, shift: Shift) -> int:
    """How many lifts arranged for the shift wait for the coordinator to confirm them again after
    the shift's time or place changed (the roster points to the board while any do)."""
    return (
        TransportRequest.objects.filter(
            signup__shift=shift,
            signup__status__in=Signup.ACTIVE,
            status=TransportRequest.Status.ARRANGED,
            recheck_since__isnull=False,
        )
        .exclude(signup__volunteer__anonymized_at__isnull=False)
        .count()
    )


def managed_transport_get(*, user: Any, pk: Any) -> TransportRequest:
    return get_scoped_object_or_404(
        TransportRequest.objects.select_related("signup__volunteer", "signup__shift__campaign"),
        user,
        region_field="signup__shift__campaign__region",
        pk=pk,
    )


def managed_callout_get(*, user: Any, pk: Any) -> CallOut:
    return get_scoped_object_or_404(
        CallOut.objects.select_related("campaign__region"), user, region_field="campaign__region", pk=pk
    )


def callout_answers(*, callout: CallOut) -> QuerySet[CallOutAnswer]:
    """The people called out with their answers: those who said yes first, then by name."""
    order = Case(
        When(answer=CallOutAnswer.Answer.YES, then=Value(0)),
        When(answer=CallOutAnswer.Answer.NO, then=Value(2)),
        default=Value(1),
    )
    return (
        CallOutAnswer.objects.filter(callout=callout)
        .select_related("volunteer")
        .order_by(order, "volunteer__last_name", "volunteer__first_name", "id")
    )


def callout_counts(*, callout: CallOut) -> dict[str, int]:
    counts = {a: 0 for a in CallOutAnswer.Answer.values}
    for row in CallOutAnswer.objects.filter(callout=callout).values("answer").annotate(n=Count("id")):
        counts[row["answer"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def campaign_callouts(*, campaign: Campaign) -> QuerySet[CallOut]:
    return CallOut.objects.filter(campaign=campaign).annotate(
        answer_count=Count("answers"),
        yes_count=Count("answers", filter=Q(answers__answer=CallOutAnswer.Answer.YES)),
    )


# The map (public) ------------------------------------------------------------------------------


def shift_map_points(*, filters: CampaignFilters | None = None) -> QuerySet[Shift]:
    """Upcoming shifts of published campaigns that have a point, for the map; the same rows as
    GET /api/shifts/ (national campaigns included in every region). Callers read columns with
    values_list, so the skills prefetch of shift_list is dropped."""
    return (
        shift_list(filters=filters)
        .prefetch_related(None)
        .filter(latitude__isnull=False, longitude__isnull=False)
    )


def free_shifts_by_region(*, now: datetime.datetime | None = None) -> dict[int, int]:
    """Upcoming shifts with free places per campaign region id (published campaigns): one query."""
    conditions = shift_conditions(CampaignFilters(free_places=True), now=now or timezone.now())
    rows = (
        Shift.objects.filter(
            conditions, campaign__status=Campaign.Status.PUBLISHED, campaign__region__isnull=False
        )
        .values("campaign__region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["campaign__region"]: row["n"] for row in rows}

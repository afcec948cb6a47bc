"""Reads for targeted help, already scoped, with their joins.

Who sees what:
* staff of a region — its coordinators (and national staff), and the staff of its front offices,
  who often take requests — see its requests, and the beneficiaries' contacts (they call them);
* a volunteer sees the open, checked requests of their region without any contact (kind,
  locality, window), and their own assignments;
* the contact (name, phone, address, exact point) of a request is shown to those assigned only
  while assigned and until the request is done plus CARE_CONTACT_DAYS_AFTER_DONE days.
Every time a contact is shown, `contact_for` writes an audit entry (action "viewed", subject the
beneficiary). On the map, everybody but those assigned gets the point snapped to a grid cell of
CARE_MAP_SNAP_DEGREES, the same for every address in the cell — never closer than the locality.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Floor
from django.utils import timezone

from accounts.audit import audit_record, audit_trail_for
from accounts.models import AuditEntry
from detachments.models import Detachment
from regions.models import Region
from regions.scoping import get_object_or_404, manages_regions, scoped_region_ids, staffed_office_ids
from volunteer_net.choices import choice_labels
from volunteer_net.dates import iso_local
from volunteers.models import ADULT_AGE, Volunteer, years_before
from volunteers.validators import format_phone

from .models import URGENT_FIRST, Assignment, Beneficiary, HelpRequest

# Scope -----------------------------------------------------------------------------------------


def intake_region_ids(user: Any) -> frozenset[int] | None:
    """Regions whose requests the user handles as staff; None means every region."""
    managed = scoped_region_ids(user)
    if managed is None:
        return None
    cache = "_care_office_regions"
    offices = getattr(user, cache, None)
    if offices is None:
        from front_offices.models import FrontOffice

        ids = staffed_office_ids(user)
        offices = (
            frozenset(FrontOffice.objects.filter(pk__in=ids).values_list("region_id", flat=True))
            if ids
            else frozenset()
        )
        if user is not None and user.is_authenticated:
            setattr(user, cache, offices)
    return managed | offices


def takes_requests_in(user: Any, region_id: int | None) -> bool:
    ids = intake_region_ids(user)
    return ids is None or (region_id is not None and region_id in ids)


def is_care_staff(user: Any) -> bool:
    ids = intake_region_ids(user)
    return ids is None or bool(ids)


def is_care_coordinator(user: Any) -> bool:
    """Matching (assigning, confirming offers) is the coordinators' work."""
    return manages_regions(user)


def _staff_q(user: Any, region_field: str = "region") -> Q | None:
    ids = intake_region_ids(user)
    if ids is None:
        return None
    return Q(**{f"{region_field}__in": ids}) if ids else Q(pk__in=[])


def intake_regions(user: Any) -> QuerySet[Region]:
    ids = intake_region_ids(user)
    qs = Region.objects.all()
    return qs if ids is None else qs.filter(id__in=ids)


def _linked_volunteer(user: Any) -> Volunteer | None:
    """The user's volunteer record, anonymised or not (one at most: the link is unique), read
    once per request: the scope of a request's page, its "my assignments" and the user's own
    assignments all ask for it."""
    if not hasattr(user, "_care_volunteer"):
        user._care_volunteer = Volunteer.objects.filter(user=user).select_related("region").first()
    linked: Volunteer | None = user._care_volunteer
    return linked


def volunteer_of(user: Any) -> Volunteer | None:
    if not (user and user.is_authenticated):
        return None
    volunteer = _linked_volunteer(user)
    return volunteer if volunteer is not None and volunteer.anonymized_at is None else None


def assignment_own_active(*, volunteer: Volunteer, request: HelpRequest) -> Assignment | None:
    """The person's offer for the request still counting (offered, confirmed or done): the one an
    offer refused as "already" found, which a client repeating a timed-out request made."""
    return (
        Assignment.objects.filter(request=request, volunteer=volunteer, status__in=Assignment.ACTIVE)
        .only("id", "status")
        .first()
    )


def is_volunteer(user: Any) -> bool:
    return volunteer_of(user) is not None


def _window_start(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.CARE_CONTACT_DAYS_AFTER_DONE)


def _still_goes_q() -> Q:
    """Of assignments: those whose people may still go. A volunteer paused, archived or moved to
    another region takes part in nothing there (services.volunteer_refusal refuses them), and
    a detachment moved to another region is no longer the region's: the address is not theirs
    to read, whatever path changed the profile and before anyone has withdrawn the assignment."""
    volunteer = Q(volunteer__isnull=True) | Q(
        volunteer__status=Volunteer.Status.ACTIVE,
        volunteer__anonymized_at__isnull=True,
        volunteer__region_id=F("request__region_id"),
    )
    detachment = Q(detachment__isnull=True) | Q(detachment__region_id=F("request__region_id"))
    return volunteer & detachment


def _live_q(now: datetime.datetime, prefix: str = "") -> Q:
    """Requests whose contact those going may read: done within the window, or open and not
    past their own window's end by more than it. The consent read to the person promises the
    address for CARE_CONTACT_DAYS_AFTER_DONE days after the help at most; a request nobody
    closed, its window long over, would otherwise show it to those once sent for good."""
    start = _window_start(now)
    return Q(**{f"{prefix}status__in": HelpRequest.OPEN, f"{prefix}due_until__gte": start}) | Q(
        **{f"{prefix}status": HelpRequest.Status.DONE, f"{prefix}done_at__gte": start}
    )


def _assigned_exists(user: Any, now: datetime.datetime) -> Exists:
    """The user goes to the request (OuterRef "pk"): as the volunteer, or as the curator of a
    detachment assigned."""
    taking = [Assignment.Status.CONFIRMED, Assignment.Status.DONE]
    return Exists(
        Assignment.objects.filter(request=OuterRef("pk"), status__in=taking)
        .filter(Q(volunteer__user=user) | Q(detachment__curator=user))
        .filter(_still_goes_q())
    )


def _annotate_seen(qs: QuerySet[HelpRequest], user: Any, now: datetime.datetime) -> QuerySet[HelpRequest]:
    """`is_assigned`: the user goes to this request and is within the contact window."""
    if not (user and user.is_authenticated):
        return qs.annotate(is_assigned=Value(False))
    return qs.annotate(
        is_assigned=Case(
            When(_live_q(now) & Q(_assigned_exists(user, now)), then=Value(True)), default=Value(False)
        )
    )


# Lists -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    region: int | None = None
    kind: str = ""
    status: str = "open"  # "open", "closed", "all" or one status


def _overdue_q(now: datetime.datetime) -> Q:
    return Q(status__in=HelpRequest.OPEN, due_until__lt=now)


def _order_overdue_first(qs: QuerySet[HelpRequest], now: datetime.datetime) -> QuerySet[HelpRequest]:
    return qs.annotate(
        overdue=Case(When(_overdue_q(now), then=Value(0)), default=Value(1), output_field=IntegerField()),
        urgent=URGENT_FIRST,
    ).order_by("overdue", "urgent", "due_until", "id")


class OverdueFirst:
    """A list of requests ordered overdue first, then urgent, then by the window's end, read one
    page at a time without sorting the whole list.

    "Overdue" depends on the time of the request, so no index holds that order; but the overdue
    rows (open, window ended) and the others are each in the order (urgent, window's end, id) of
    the indexes care_open_order, care_open_region_order (open requests, of every region or one)
    and care_region_order (all of a region's requests).
    A page is read from the overdue half, then, when it runs out, from the other half: each an
    index scan that stops at the page's end, instead of sorting tens of thousands of rows for
    thirty. The page's rows are then read whole by their ids, with their region, offers and
    locality. Iterating or `queryset` gives the whole list as one ordered query.
    """

    def __init__(
        self, rows: QuerySet[HelpRequest], *, now: datetime.datetime, statuses: tuple[str, ...]
    ) -> None:
        self._rows = rows  # filtered only: no ordering, no annotations
        self._now = now
        # Which statuses the list may hold: closed requests are never overdue, and for open ones
        # "not overdue" is a range of the window's end the index reads directly.
        self._may_be_overdue = bool(set(statuses) & set(HelpRequest.OPEN))
        self._open_only = set(statuses) <= set(HelpRequest.OPEN)

    @property
    def queryset(self) -> QuerySet[HelpRequest]:
        return _page_rows(_order_overdue_first(self._rows, self._now))

    def count(self) -> int:
        return self._rows.order_by().count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[HelpRequest]:
        return iter(self.queryset)

    @overload
    def __getitem__(self, index: int) -> HelpRequest: ...
    @overload
    def __getitem__(self, index: slice) -> list[HelpRequest]: ...
    def __getitem__(self, index: int | slice) -> HelpRequest | list[HelpRequest]:
        if isinstance(index, int):
            return self.queryset[index]
        start, stop = index.start or 0, index.stop
        if index.step not in (None, 1) or start < 0 or stop is None or stop < 0:
            return list(self.queryset[index])
        return self._page(start, stop)

    def _ids(self, qs: QuerySet[HelpRequest], start: int, stop: int) -> list[int]:
        ordered = qs.alias(urgent=URGENT_FIRST).order_by("urgent", "due_until", "id")
        return list(ordered.values_list("pk", flat=True)[start:stop])

    def _page(self, start: int, stop: int) -> list[HelpRequest]:
        if stop <= start:
            return []
        overdue = _overdue_q(self._now)
        ids: list[int] = []
        late = 0
        if self._may_be_overdue:
            late_rows = self._rows.filter(overdue)
            # Past the first page, the overdue half's length (counted in the index) says which
            # halves the page holds: reading an overdue half that ended before the page would
            # walk all of it for nothing.
            late = late_rows.order_by().count() if start else stop
            if start < late:
                ids = self._ids(late_rows, start, stop)
                if len(ids) == stop - start:
                    return self._read(ids)
                late = start + len(ids)
        if not self._may_be_overdue:
            rest = self._rows
        elif self._open_only:
            rest = self._rows.filter(due_until__gte=self._now)
        else:
            rest = self._rows.exclude(overdue)
        ids += self._ids(rest, max(start - late, 0), stop - late)
        return self._read(ids)

    def _read(self, ids: list[int]) -> list[HelpRequest]:
        if not ids:
            return []
        # A page's thirty rows looked up by key: joining their region and beneficiary costs
        # nothing here (it is the whole list, before the LIMIT, that must not be joined), and
        # saves the prefetch's query. The order is the ids'; `overdue` and `urgent` are what
        # _order_overdue_first would annotate.
        qs = (
            HelpRequest.objects.filter(_pk_among(HelpRequest, set(ids)))
            .order_by()
            .select_related("region", "beneficiary")
            .defer(*_BENEFICIARY_UNSHOWN)
            .annotate(offers=_offers_waiting())
        )
        rows = {r.pk: r for r in qs}
        now = self._now
        page: list[HelpRequest] = []
        for pk in ids:
            row = rows[pk]
            row.overdue = 0 if row.status in HelpRequest.OPEN and row.due_until < now else 1  # type: ignore[attr-defined]
            row.urgent = 0 if row.urgency == HelpRequest.Urgency.URGENT else 1  # type: ignore[attr-defined]
            page.append(row)
        return page


# What a card reads of the beneficiary (as _with_locality): the rest stays unread.
_BENEFICIARY_CARD = ("id", "region", "locality", "erased_at")
_BENEFICIARY_UNSHOWN = tuple(
    f"beneficiary__{f.name}" for f in Beneficiary._meta.concrete_fields if f.name not in _BENEFICIARY_CARD
)


def _offers_waiting() -> Coalesce:
    """A request's offers waiting for a coordinator. A correlated count rather than a GROUP BY
    over every row: PostgreSQL evaluates it after the sort and the LIMIT, for the page's rows
    only."""
    offers = (
        Assignment.objects.filter(request=OuterRef("pk"), status=Assignment.Status.OFFERED)
        .order_by()
        .values("request")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(offers, output_field=IntegerField()), Value(0))


def _page_rows(qs: QuerySet[HelpRequest]) -> QuerySet[HelpRequest]:
    """What a card shows beside the request: its region, its offers waiting and the locality."""
    return _with_locality(qs.select_related("region")).annotate(offers=_offers_waiting())


def request_list_for_staff(*, user: Any, filters: RequestFilters | None = None) -> OverdueFirst:
    """The coordinator's (or office's) list: overdue first, then urgent, then by the window's end."""
    filters = filters or RequestFilters()
    qs = HelpRequest.objects.all()
    condition = _staff_q(user)
    if condition is not None:
        qs = qs.filter(condition)
    if filters.region:
        qs = qs.filter(region_id=filters.region)
    if filters.kind in HelpRequest.Kind.values:
        qs = qs.filter(kind=filters.kind)
    statuses: tuple[str, ...] = tuple(HelpRequest.Status.values)
    if filters.status == "open":
        statuses = HelpRequest.OPEN
        qs = qs.filter(status__in=statuses)
    elif filters.status == "closed":
        statuses = HelpRequest.CLOSED
        qs = qs.filter(status__in=statuses)
    elif filters.status in HelpRequest.Status.values:
        statuses = (filters.status,)
        qs = qs.filter(status=filters.status)
    return OverdueFirst(qs, now=timezone.now(), statuses=statuses)


def _with_locality(qs: QuerySet[HelpRequest]) -> QuerySet[HelpRequest]:
    """The beneficiary's locality and erasure mark for the page's rows only (a second small
    query): joining the beneficiaries before the sort and the LIMIT would read them all."""
    return qs.prefetch_related(Prefetch("beneficiary", queryset=Beneficiary.objects.only(*_BENEFICIARY_CARD)))


def requests_open_for_volunteer(*, volunteer: Volunteer, kind: str = "") -> OverdueFirst:
    """Open, checked requests of the volunteer's region with hands still needed (no contact)."""
    now = timezone.now()
    qs = HelpRequest.objects.filter(
        region_id=volunteer.region_id,
        status__in=(HelpRequest.Status.NEW, HelpRequest.Status.ASSIGNED),
        needs_check=False,
        taken_hands__lt=F("needed_hands"),
    )
    if kind:
        qs = qs.filter(kind=kind)
    # Their window has not ended: none is overdue (the list is the second half alone).
    qs = qs.filter(due_until__gt=now)
    return OverdueFirst(qs, now=now, statuses=())


def assignments_of_volunteer(*, volunteer: Volunteer) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(volunteer=volunteer)
        .exclude(status=Assignment.Status.WITHDRAWN)
        .select_related("request__region", "request__beneficiary")
        .order_by("-request__due_from", "-id")
    )


def assignments_of_curator(*, user: Any) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(detachment__curator=user)
        .exclude(status=Assignment.Status.WITHDRAWN)
        .select_related("request__region", "request__beneficiary", "detachment")
        .order_by("-request__due_from", "-id")
    )


def request_visible_q(user: Any) -> Q | None:
    """Requests a user may open: staff's regions; a volunteer's region's open checked ones;
    those they are (or were) assigned to."""
    staff = _staff_q(user)
    if staff is None:
        return None
    condition = staff
    volunteer = volunteer_of(user)
    if volunteer is not None:
        condition |= Q(region_id=volunteer.region_id, needs_check=False, status__in=HelpRequest.OPEN)
    if user and user.is_authenticated:
        # A small subquery (the user's own assignments) instead of a join that would repeat rows.
        condition |= Q(pk__in=_own_assignments(user).values("request_id"))
    return condition


def _own_assignments(user: Any) -> QuerySet[Assignment]:
    """The user's assignments as a volunteer or as a curator, by ids read once per request: a
    condition through the joins would scan every assignment."""
    cached = getattr(user, "_care_own_ids", None)
    if cached is None:
        linked = _linked_volunteer(user)
        volunteer_ids = [] if linked is None else [linked.pk]
        detachment_ids = list(Detachment.objects.filter(curator=user).values_list("pk", flat=True))
        cached = (volunteer_ids, detachment_ids)
        user._care_own_ids = cached
    volunteer_ids, detachment_ids = cached
    return Assignment.objects.filter(Q(volunteer_id__in=volunteer_ids) | Q(detachment_id__in=detachment_ids))


def request_get_for(*, user: Any, pk: Any) -> HelpRequest:
    """One request the user may see (see `request_visible_q`), else 404."""
    condition = request_visible_q(user)
    qs = HelpRequest.objects.select_related("region", "beneficiary__region", "created_by")
    if condition is not None:
        qs = qs.filter(condition)
    if is_care_staff(user):
        # Staff see the contact of their regions' requests without being assigned, and those
        # are nearly all the requests they open: `is_assigned` is asked (one query, by
        # is_assigned) only for a request of another region. In the query, its EXISTS over
        # assignments, people and detachments took PostgreSQL ten times longer to plan than
        # the rest of the page's read.
        return get_object_or_404(qs, pk=pk)
    return get_object_or_404(_annotate_seen(qs, user, timezone.now()), pk=pk)


def request_get_for_staff(*, user: Any, pk: Any) -> HelpRequest:
    condition = _staff_q(user)
    qs = HelpRequest.objects.select_related("region", "beneficiary__region")
    if condition is not None:
        qs = qs.filter(condition)
    return get_object_or_404(qs, pk=pk)


def assignment_get_for_staff(*, user: Any, pk: Any) -> Assignment:
    condition = _staff_q(user, "request__region")
    qs = Assignment.objects.select_related("request", "volunteer")
    if condition is not None:
        qs = qs.filter(condition)
    return get_object_or_404(qs, pk=pk)


def assignment_get_own(*, user: Any, pk: Any) -> Assignment:
    """An assignment of the user's (as the volunteer or the detachment's curator), or staff's."""
    condition = Q(volunteer__user=user) | Q(detachment__curator=user)
    staff = _staff_q(user, "request__region")
    condition = Q() if staff is None else condition | staff
    return get_object_or_404(
        Assignment.objects.filter(condition).select_related("request__region", "volunteer", "detachment"),
        pk=pk,
    )


def beneficiary_get_for_staff(*, user: Any, pk: Any) -> Beneficiary:
    condition = _staff_q(user)
    qs = Beneficiary.objects.select_related("region")
    if condition is not None:
        qs = qs.filter(condition)
    return get_object_or_404(qs, pk=pk)


def request_assignments(*, request: HelpRequest) -> list[Assignment]:
    return list(
        request.assignments.exclude(status=Assignment.Status.WITHDRAWN)
        .select_related("volunteer", "detachment__curator")
        .order_by("status", "created_at", "id")
    )


# Contact: who sees it, and the audit of every view ----------------------------------------------


def may_see_contact(user: Any, request: HelpRequest, now: datetime.datetime | None = None) -> bool:
    """Staff of the region, or someone assigned within the window."""
    if request.beneficiary.is_erased or not (user and user.is_authenticated):
        return False
    if takes_requests_in(user, request.region_id):
        return True
    return is_assigned(user, request, now)


def is_assigned(user: Any, request: HelpRequest, now: datetime.datetime | None = None) -> bool:
    cached = getattr(request, "is_assigned", None)
    if cached is not None:
        return bool(cached)
    now = now or timezone.now()
    if not (user and user.is_authenticated):
        return False
    return HelpRequest.objects.filter(_live_q(now), _assigned_exists(user, now), pk=request.pk).exists()


@dataclass(frozen=True)
class Contact:
    full_name: str
    phone: str
    address: str
    how_to_reach: str
    latitude: Decimal | None
    longitude: Decimal | None

    @property
    def phone_display(self) -> str:
        """The number grouped as it is read aloud (+7 727 255 11 22), as every page of the site
        shows phones; the link keeps `phone` as stored, for dialling."""
        return format_phone(self.phone)


def contact_for(*, user: Any, request: HelpRequest, where: str) -> Contact | None:
    """The beneficiary's contact when the user may see it, recording the view; else None."""
    if not may_see_contact(user, request):
        return None
    beneficiary = request.beneficiary
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEWED,
        subject=beneficiary,
        region_code=request.region.code,
        detail={"fields": ["full_name", "phone", "address"], "where": where, "request": request.pk},
    )
    return Contact(
        full_name=beneficiary.full_name,
        phone=beneficiary.phone,
        address=beneficiary.address,
        how_to_reach=beneficiary.how_to_reach,
        latitude=beneficiary.latitude,
        longitude=beneficiary.longitude,
    )


def record_views(*, user: Any, beneficiaries: list[Beneficiary], where: str) -> None:
    """Possible duplicates shown to staff (name, phone, address) are views like any other."""
    for beneficiary in beneficiaries:
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEWED,
            subject=beneficiary,
            region_code=beneficiary.region.code,
            detail={"fields": ["full_name", "phone", "address"], "where": where},
        )


def snap(value: Decimal | float, step: float | None = None) -> float:
    """The centre of the grid cell holding `value` (degrees). The map layer has PostgreSQL find
    the cell with the same float arithmetic (`_cell`)."""
    step = step or settings.CARE_MAP_SNAP_DEGREES
    return round((math.floor(float(value) / step) + 0.5) * step, 6)


def _cell(path: str, step: float) -> Floor:
    """The index of the grid cell holding a beneficiary's coordinate (`path`, from the model
    being read), as `snap` finds it: the same double division and floor, done by the database
    for next to nothing; the few cells of a layer are then turned into their centres once each
    (`map_features`). Written with Django's functions, not PostgreSQL's `::float8`: `make run`
    serves the map from SQLite."""
    return Floor(Cast(path, FloatField()) / Cast(Value(float(step)), FloatField()))


def map_features(
    *,
    user: Any,
    region: int | None = None,
    kind: str = "",
    bbox: tuple[float, float, float, float] | None = None,
) -> dict[str, Any]:
    """The requests layer: open requests the user may see, as a GeoJSON FeatureCollection. The
    exact point goes only to those assigned (recorded in the audit trail); everybody else gets
    the grid cell's centre and no contact."""
    condition = request_visible_q(user)
    now = timezone.now()
    qs = HelpRequest.objects.filter(status__in=HelpRequest.OPEN)
    if condition is not None:
        qs = qs.filter(condition)
    if region:
        qs = qs.filter(region_id=region)
    if kind in HelpRequest.Kind.values:
        qs = qs.filter(kind=kind)
    step = settings.CARE_MAP_SNAP_DEGREES
    if bbox:
        qs = qs.filter(
            beneficiary__longitude__gte=bbox[0] - step,
            beneficiary__latitude__gte=bbox[1] - step,
            beneficiary__longitude__lte=bbox[2] + step,
            beneficiary__latitude__lte=bbox[3] + step,
        )
    # The user's own live assignments, once (only open requests are on the map).
    assigned = set(
        _own_assignments(user)
        .filter(
            _still_goes_q(),
            _live_q(now, prefix="request__"),
            status__in=(Assignment.Status.CONFIRMED, Assignment.Status.DONE),
            request__status__in=HelpRequest.OPEN,
        )
        .values_list("request_id", flat=True)
    )
    # Tuples, not model instances: the layer holds up to MAP_LIMIT rows.
    rows = _map_rows(qs, joined=bool(bbox), exact=assigned, step=step)
    features = []
    viewed: list[tuple[int, int, str]] = []
    kinds = choice_labels(HelpRequest._meta.get_field("kind"))
    zone = timezone.get_default_timezone()
    # A region's requests share a few hundred window ends: each is written once.
    due: dict[datetime.datetime, tuple[str, bool]] = {}
    centres: dict[float, float] = {}
    for (
        pk,
        kind,
        urgency,
        status,
        due_until,
        region_code,
        beneficiary_id,
        locality,
        address,
        lat,
        lon,
        cell_lat,
        cell_lon,
    ) in rows:
        if lat is None or lon is None:  # filtered out above; keeps the types honest
            continue
        exact = pk in assigned
        if exact:
            point = [lon, lat]
        else:
            # snap(), from the cell's index: a region's couple of thousand points lie in a few
            # dozen cells.
            x = centres.get(cell_lon)
            if x is None:
                x = centres[cell_lon] = round((cell_lon + 0.5) * step, 6)
            y = centres.get(cell_lat)
            if y is None:
                y = centres[cell_lat] = round((cell_lat + 0.5) * step, 6)
            point = [x, y]
        # The box is decided on the point shown, not the exact one: otherwise moving a box's edge
        # across the cell tells anyone where inside it the person lives (the SQL above only
        # narrows the rows, with a margin of one cell).
        if bbox and not (bbox[0] <= point[0] <= bbox[2] and bbox[1] <= point[1] <= bbox[3]):
            continue
        when = due.get(due_until)
        if when is None:
            when = due[due_until] = (due_until.astimezone(zone).isoformat(), due_until < now)
        props: dict[str, Any] = {
            "id": pk,
            "kind": kind,
            "kind_display": kinds[kind],
            "urgency": urgency,
            "status": status,
            "region": region_code,
            "locality": locality,
            "due_until": when[0],
            "overdue": when[1],
            "exact": exact,
            "url": f"/care/requests/{pk}/",
        }
        if exact:
            viewed.append((pk, beneficiary_id, region_code))
            props["address"] = address
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": point}, "properties": props}
        )
    for pk, beneficiary_id, region_code in viewed:
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEWED,
            subject_type=Beneficiary._meta.label_lower,
            subject_id=beneficiary_id,
            region_code=region_code,
            detail={"fields": ["address", "point"], "where": "map", "request": pk},
        )
    return {"type": "FeatureCollection", "features": features}


MAP_LIMIT = 2000

_MAP_COLUMNS = ("id", "kind", "urgency", "status", "due_until", "region__code", "beneficiary_id")


def _only_for(ids: set[int], field: str, value: F) -> Case | Value:
    """`value` on the rows whose `field` is among `ids`, "" on the others (none: no CASE at all)."""
    if not ids:
        return Value("")
    return Case(
        When(**{f"{field}__in": sorted(ids)}, then=value), default=Value(""), output_field=CharField()
    )


def _tuples(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list() query as the cursor gives them: on PostgreSQL none of its
    columns needs a converter, and the queryset's per-row machinery cost more than the layer's
    SQL. SQLite (`make run`) gives times without their zone and needs Django's converters."""
    if connection.vendor != "postgresql":
        return list(qs)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _map_rows(
    qs: QuerySet[HelpRequest], *, joined: bool, exact: set[int], step: float
) -> list[tuple[Any, ...]]:
    """The layer's rows, each the request's columns then its beneficiary's locality, address,
    point and the index of its grid cell (`_cell`), in the order of the window's end. The address
    is read only for the requests in `exact` (the viewer's own assignments, the only ones whose
    address the map shows); the others get "" in its place, in the same single query.

    Joined to the beneficiaries, PostgreSQL reads all of them (a region's requests are too many
    for it to look each one up) for a region's couple of thousand; so the requests are read
    first, along the open requests' index, then their beneficiaries by id. Those without a
    point are left out after the LIMIT: when one was and the LIMIT was reached, the next one
    with a point is missing, and the joined query answers instead (as it does for a box, whose
    bounds are the beneficiaries' points). The point comes as PostgreSQL's float8: the same
    double as float() of the Decimal (both round the decimal value to the nearest), without
    making thousands of Decimals first."""
    ordered = qs.order_by("due_until", "id")
    if joined:
        return _tuples(
            ordered.filter(beneficiary__latitude__isnull=False)
            .annotate(
                b_address=_only_for(exact, "id", F("beneficiary__address")),
                b_lat=Cast("beneficiary__latitude", FloatField()),
                b_lon=Cast("beneficiary__longitude", FloatField()),
                b_cell_lat=_cell("beneficiary__latitude", step),
                b_cell_lon=_cell("beneficiary__longitude", step),
            )
            .values_list(
                *_MAP_COLUMNS,
                "beneficiary__locality",
                "b_address",
                "b_lat",
                "b_lon",
                "b_cell_lat",
                "b_cell_lon",
            )[:MAP_LIMIT]
        )
    requests = _tuples(ordered.values_list(*_MAP_COLUMNS)[:MAP_LIMIT])
    # The beneficiaries of the viewer's own requests (a beneficiary's other requests on the map
    # carry the address in their tuple too, but are not shown with it).
    shown = {r[-1] for r in requests if r[0] in exact}
    points = {
        pk: rest
        for pk, *rest in _tuples(
            Beneficiary.objects.filter(
                _pk_among(Beneficiary, {r[-1] for r in requests}), latitude__isnull=False
            )
            .order_by()
            .annotate(
                shown_address=_only_for(shown, "pk", F("address")),
                lat=Cast("latitude", FloatField()),
                lon=Cast("longitude", FloatField()),
                cell_lat=_cell("latitude", step),
                cell_lon=_cell("longitude", step),
            )
            .values_list("id", "locality", "shown_address", "lat", "lon", "cell_lat", "cell_lon")
        )
    }
    rows = [(*r, *points[r[-1]]) for r in requests if r[-1] in points]
    if len(rows) < len(requests) == MAP_LIMIT:
        return _map_rows(qs, joined=True, exact=exact, step=step)
    return rows


def _pk_among(model: Any, ids: set[int]) -> Q | RawSQL:
    """pk IN ids. On PostgreSQL one array parameter (`= ANY`): Django resolves each value of an
    IN list as an expression of its own, a third of the map layer's time for its ~2 000 ids."""
    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    column = f'"{model._meta.db_table}"."{model._meta.pk.column}"'
    # The column is the model's own; the ids go as a parameter.
    return RawSQL(f"{column} = ANY(%s)", (sorted(ids),), output_field=BooleanField())  # noqa: S611


# Matching --------------------------------------------------------------------------------------

# Skills that fit a kind of help (codes of the skills catalogue); a fit ranks a volunteer higher.
KIND_SKILLS: dict[str, tuple[str, ...]] = {
    HelpRequest.Kind.MEDICINE: ("first-aid", "eldercare"),
    HelpRequest.Kind.CLINIC: ("driving", "first-aid"),
    HelpRequest.Kind.FUEL: ("driving",),
    HelpRequest.Kind.VISIT: ("eldercare", "sign-language"),
    HelpRequest.Kind.CLEANING: ("eldercare",),
    HelpRequest.Kind.GROCERIES: ("driving", "cooking"),
    HelpRequest.Kind.SNOW: ("rescue",),
    HelpRequest.Kind.OTHER: (),
}
SUGGESTIONS = 10


def _availability_q(request: HelpRequest) -> Q:
    """Volunteers whose declared availability covers the window's start (Almaty time)."""
    start = timezone.localtime(request.due_from)
    if start.weekday() >= 5:
        return Q(available_weekends=True)
    if start.hour >= 18:
        return Q(available_evenings=True)
    return Q(available_weekdays=True)


def suggested_volunteers(*, request: HelpRequest, limit: int = SUGGESTIONS) -> list[Volunteer]:
    """Adults of the request's region, not yet going: same locality first, then a fitting skill,
    then availability (volunteers have no point; the locality is the nearness we know)."""
    # Of age on the request's own Almaty day, as volunteer_refusal decides who may go (on 29
    # February too: replace(year=…) alone raised there, and the page answered 500).
    adult_born_before = years_before(timezone.localtime(request.due_from).date(), ADULT_AGE)
    codes = KIND_SKILLS.get(request.kind, ())
    locality = request.beneficiary.locality.strip()
    candidates = Volunteer.objects.filter(
        region_id=request.region_id,
        status=Volunteer.Status.ACTIVE,
        anonymized_at__isnull=True,
        birth_date__lte=adult_born_before,
    ).exclude(
        pk__in=Assignment.objects.filter(
            request=request, status__in=Assignment.ACTIVE, volunteer__isnull=False
        ).values("volunteer_id")
    )
    fits = Volunteer.skills.through.objects.filter(volunteer_id=OuterRef("pk"), skill__code__in=codes)
    available = _availability_q(request)
    ranked = candidates.annotate(
        same_place=Case(
            When(locality__iexact=locality, then=Value(0))
            if locality
            else When(pk__isnull=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        skill_fit=Exists(fits),
        available=Case(When(available, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("same_place", "-skill_fit", "available", "last_name", "id")
    # The best tier (same place, a fitting skill, available, as far as the request allows)
    # walked by name along volunteer_care_match, which holds every column it asks: it stops at
    # `limit` people instead of ranking a region's thousands. Those it finds are the first
    # `limit` of the ranking; when it finds fewer, the whole ranking answers.
    best = candidates.filter(available)
    best = best.filter(locality__iexact=locality) if locality else best
    best = best.filter(Exists(fits)) if codes else best
    top: list[Volunteer] = list(ranked.filter(pk__in=best.order_by("last_name", "id").values("pk")[:limit]))
    return top if len(top) == limit else list(ranked[:limit])


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


def suggested_detachments(*, request: HelpRequest, limit: int = 5) -> list[tuple[Detachment, float | None]]:
    """Detachments of the region with a curator, nearest first (they have a point), for requests
    a detachment may take (not adults only)."""
    if request.adults_only:
        return []
    detachments = list(
        Detachment.objects.filter(region_id=request.region_id, curator__isnull=False)
        .exclude(care_assignments__request=request, care_assignments__status__in=Assignment.ACTIVE)
        .select_related("curator")[:500]
    )
    b = request.beneficiary
    rows: list[tuple[Detachment, float | None]] = []
    for d in detachments:
        km = None
        if None not in (b.latitude, b.longitude, d.latitude, d.longitude):
            km = _distance_km(float(b.latitude), float(b.longitude), float(d.latitude), float(d.longitude))  # type: ignore[arg-type]
        rows.append((d, km))
    locality = b.locality.strip().casefold()
    rows.sort(key=lambda r: (r[1] is None, r[1] or 0, r[0].locality.casefold() != locality, r[0].pk))
    return rows[:limit]


# Hours and "my data" ---------------------------------------------------------------------------

_HOURS = Coalesce(
    Sum("hours"), Value(Decimal("0")), output_field=DecimalField(max_digits=9, decimal_places=2)
)


def volunteer_care_hours(volunteer: Volunteer) -> Decimal:
    """Hours of help requests the volunteer marked done (they count like shift hours)."""
    return Assignment.objects.filter(volunteer=volunteer, status=Assignment.Status.DONE).aggregate(h=_HOURS)[
        "h"
    ]


def personal_data_care(volunteer: Volunteer) -> dict[str, Any]:
    """The "care" section of "download my data": the volunteer's own assignments and hours,
    nothing of the beneficiaries'."""
    rows = (
        Assignment.objects.filter(volunteer=volunteer).select_related("request").order_by("created_at", "id")
    )
    return {
        "total_hours": f"{volunteer_care_hours(volunteer):.2f}",
        "assignments": [
            {
                "kind": a.request.kind,
                "due_from": iso_local(a.request.due_from),
                "status": a.status,
                "hours": str(a.hours) if a.hours is not None else None,
                "note": a.note,
            }
            for a in rows
        ],
    }


# Reports ---------------------------------------------------------------------------------------


def requests_summary(
    *, user: Any, since: datetime.datetime | None = None, until: datetime.datetime | None = None
) -> list[dict[str, Any]]:
    """Anonymous counts for the reports: per region and kind, the requests taken, done, not
    helped and cancelled, the hours given and the average time from intake to done. Erased
    beneficiaries' requests count like any other."""
    qs = HelpRequest.objects.all()
    condition = _staff_q(user)
    if condition is not None:
        qs = qs.filter(condition)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    time_to_help = ExpressionWrapper(F("done_at") - F("created_at"), output_field=DurationField())
    rows = (
        qs.values("region__code", "kind")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=HelpRequest.Status.DONE)),
            cannot_help=Count("id", filter=Q(status=HelpRequest.Status.CANNOT_HELP)),
            cancelled=Count("id", filter=Q(status=HelpRequest.Status.CANCELLED)),
            open=Count("id", filter=Q(status__in=HelpRequest.OPEN)),
            avg_time_to_help=Avg(time_to_help, filter=Q(status=HelpRequest.Status.DONE)),
        )
        .order_by("region__code", "kind")
    )
    hours = dict(
        ((r["request__region__code"], r["request__kind"]), r["h"])
        for r in Assignment.objects.filter(request__in=qs, status=Assignment.Status.DONE)
        .values("request__region__code", "request__kind")
        .annotate(h=_HOURS)
    )
    return [
        {
            "region": r["region__code"],
            "kind": r["kind"],
            "total": r["total"],
            "done": r["done"],
            "cannot_help": r["cannot_help"],
            "cancelled": r["cancelled"],
            "open": r["open"],
            "hours": hours.get((r["region__code"], r["kind"]), Decimal("0")),
            "avg_time_to_help": r["avg_time_to_help"],
        }
        for r in rows
    ]


def requests_for_period(
    *, user: Any, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[HelpRequest]:
    """Requests taken in [since, until) in the user's scope, for reports: anonymous columns only
    (kind, region, status, dates, hands) are meant to be read; the beneficiary stays unjoined
    except for the locality."""
    qs = HelpRequest.objects.filter(created_at__gte=since, created_at__lt=until)
    condition = _staff_q(user)
    return qs if condition is None else qs.filter(condition)


def done_assignments_for_period(
    *, user: Any, since: datetime.datetime, until: datetime.datetime
) -> QuerySet[Assignment]:
    """Assignments marked done in [since, until) in the user's scope (by the request's region):
    their `hours` are the help requests' hours, counted like shift hours in every report."""
    qs = Assignment.objects.filter(status=Assignment.Status.DONE, done_at__gte=since, done_at__lt=until)
    condition = _staff_q(user, region_field="request__region")
    return qs if condition is None else qs.filter(condition)


def beneficiary_trail(*, beneficiary: Beneficiary, limit: int = 50) -> list[AuditEntry]:
    """Who viewed or erased this person's data, newest first (the last `limit` entries)."""
    return audit_trail_for(subject_type=Beneficiary._meta.label_lower, subject_id=beneficiary.pk, limit=limit)

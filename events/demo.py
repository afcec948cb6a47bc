"""Demo campaigns, shifts, sign-ups, attendance and hours, inserted in bulk (50 000 shifts and
500 000 sign-ups in well under a minute on PostgreSQL) and deterministic for a seed.

The rows keep the rules the services enforce: no shift over capacity, one active sign-up per
person and shift, no overlapping confirmed shifts for one person, nobody under 18 on emergency
or adults-only shifts, minimum ages on the shift's date, and no child under 14 without the
guardian's written consent. Past shifts have attendance (mostly present, some absent, some with
other hours and a reason); upcoming full shifts have a waitlist.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from bisect import insort
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from regions.models import Region
from volunteers.models import ADULT_AGE, WRITTEN_CONSENT_AGE, Skill, Volunteer, age_on

from .models import Campaign, Shift, ShiftSeries, Signup

# Titles and places in the languages people write them in (Kazakh and Russian).
TITLES: dict[str, list[str]] = {
    "ecology": [
        "«Таза {city}» сенбілігі",
        "Посадка деревьев: {city}",
        "Өзен жағасын тазалау",
        "Раздельный сбор отходов",
    ],
    "elderly": ["Жалғыз қарттарға азық-түлік жеткізу", "Помощь одиноким пенсионерам", "Қарттар үйіне бару"],
    "education": ["Оқушыларға репетиторлық", "Цифровая грамотность для пожилых", "Кітапханада оқу клубы"],
    "health": ["Донорлар күні", "Волонтёры в поликлиниках", "Салауатты өмір салты апталығы"],
    "heritage": ["Тарихи ескерткіштерді күту", "Ночь музеев: {city}", "Өлкетану экспедициясы"],
    "creative": ["Балалар үйінде шығармашылық шеберхана", "Фестиваль уличного искусства", "Наурыз концерті"],
    "sport": ["{city} марафоны: еріктілер", "Спартакиада школьников", "Наурыз мерекесі: іс-шара еріктілері"],
    "emergency": [
        "Су тасқынына қарсы әрекет",
        "Помощь пострадавшим от паводка",
        "Дала өрттерінен кейінгі көмек",
    ],
    "other": ["Еріктілер фронт-офисіне көмек", "Сбор вещей для нуждающихся", "Қайырымдылық жәрмеңкесі"],
}
DIRECTIONS = {
    "ecology": "taza_alem",
    "elderly": "qamqor",
    "education": "bilim",
    "health": "saulyq",
    "heritage": "asyl_mura",
    "creative": "sabaqtastyq",
    "sport": "umit",
    "emergency": "qamqor",
    "other": "",
}
PLACES = [
    "Орталық саябақ",
    "№ {n} мектеп",
    "Мәдениет үйі",
    "Городская библиотека",
    "Жастар орталығы",
    "Набережная",
]
STREETS = ["ул. Абая", "пр. Назарбаева", "Төле би көшесі", "ул. Сейфуллина", "Достық даңғылы"]
# (start hour, length in hours); the evening and night windows matter for the filters.
WINDOWS = [(9, 3), (10, 3), (10, 4), (14, 3), (15, 2), (18, 2), (18, 3), (19, 2), (22, 4)]
PAST_DAYS, FUTURE_DAYS = 180, 180


@dataclass
class _Person:
    id: int
    birth: datetime.date | None
    consent: bool
    busy: list[tuple[datetime.datetime, datetime.datetime]]


def _overlaps(
    busy: list[tuple[datetime.datetime, datetime.datetime]], start: datetime.datetime, end: datetime.datetime
) -> bool:
    return any(s < end and start < e for s, e in busy)


def _may_take(person: _Person, shift: Shift, day: datetime.date, adults_only: bool) -> bool:
    if person.birth is None:
        return not (shift.min_age or adults_only)
    age = age_on(person.birth, day)
    if adults_only and age < ADULT_AGE:
        return False
    if shift.min_age and age < shift.min_age:
        return False
    return age >= WRITTEN_CONSENT_AGE or person.consent


@dataclass
class _ShiftPlan:
    shift: Shift
    start: datetime.datetime
    end: datetime.datetime
    day: datetime.date
    adults_only: bool
    hours: Decimal
    region_id: int | None
    waitlist: bool


_SIGNUP_COLUMNS = (
    "shift_id",
    "volunteer_id",
    "status",
    "created_at",
    "checked_in_at",
    "hours",
    "hours_reason",
    "cancelled_at",
)


def _insert_signups(rows: list[tuple[object, ...]], *, batch_size: int) -> None:
    """Half a million rows through the ORM spend most of their time building model instances;
    PostgreSQL takes them with COPY instead. Other databases (the embedded SQLite of `make
    run`, a few thousand rows) go through bulk_create."""
    if connection.vendor != "postgresql":
        Signup.objects.bulk_create(
            [Signup(**dict(zip(_SIGNUP_COLUMNS, row, strict=True))) for row in rows], batch_size=batch_size
        )
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, datetime.datetime) else v for v in row]
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        # An empty CSV field is NULL, except in hours_reason, which is never NULL (FORCE_NOT_NULL).
        cursor.copy_expert(
            f"COPY {Signup._meta.db_table} ({', '.join(_SIGNUP_COLUMNS)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (hours_reason))",
            buffer,
        )


@transaction.atomic
def seed_events(
    *, shifts: int, signups: int, campaign_count: int | None = None, seed: int = 2026, batch_size: int = 5000
) -> dict[str, int]:
    """Every kind of campaign in every region and a few national ones; then, up to `campaign_count`,
    more of them in random regions (the national benchmark's 2 000)."""
    rng = random.Random(seed)
    regions = list(Region.objects.order_by("code"))
    skills = list(Skill.objects.order_by("code"))
    organisers = {u.email: u for u in User.objects.filter(email__startswith="coordinator")}
    national = User.objects.filter(email="admin@volunteer.kz").first()
    today = timezone.localdate()
    now = timezone.now()

    # Campaigns: every kind in every region, and a few national ones.
    campaigns: list[Campaign] = []
    base = [
        (region, kind)
        for region in [*regions, None]
        for kind in Campaign.Kind.values
        if region is not None or kind in ("emergency", "health", "education")
    ]
    extra = [
        (regions[rng.randrange(len(regions))], rng.choice(Campaign.Kind.values))
        for _ in range(max(0, (campaign_count or 0) - len(base)))
    ]
    for region, kind in base + extra:
        first = today + datetime.timedelta(days=rng.randrange(-PAST_DAYS, 60))
        last = min(
            first + datetime.timedelta(days=rng.randrange(30, 300)),
            today + datetime.timedelta(days=FUTURE_DAYS),
        )
        city = region.center_kk if region else "Қазақстан"
        roll = rng.random()
        status = (
            Campaign.Status.DRAFT
            if roll < 0.04
            else Campaign.Status.CANCELLED
            if roll < 0.06
            else Campaign.Status.CLOSED
            if last < today or roll < 0.1
            else Campaign.Status.PUBLISHED
        )
        organiser = organisers.get(f"coordinator{region.code}@volunteer.kz") if region else national
        campaigns.append(
            Campaign(
                title=rng.choice(TITLES[kind]).format(city=city),
                cover_text="Еріктілер керек! Бізге қосылыңыз. / Нужны добровольцы — присоединяйтесь!",
                description="Толығырақ ұйымдастырушыдан. / Подробности у организатора.",
                kind=kind,
                direction=DIRECTIONS[kind],
                region=region,
                organiser=organiser,
                contact=f"+7 701 {rng.randrange(100, 999)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
                status=status,
                starts_on=first,
                ends_on=last,
            )
        )
    campaigns = Campaign.objects.bulk_create(campaigns, batch_size=batch_size)
    center = {r.pk: r for r in regions}

    # A weekly series (Tuesdays and Thursdays, 18:00–20:00) for each region's care campaign.
    series_plan: list[tuple[Campaign, ShiftSeries]] = []
    for campaign in campaigns:
        if campaign.kind == "elderly" and campaign.region_id and len(series_plan) * 2 * 8 < shifts // 4:
            first = max(campaign.starts_on, today - datetime.timedelta(days=28))
            series_plan.append(
                (
                    campaign,
                    ShiftSeries(
                        campaign=campaign,
                        weekdays=[2, 4],
                        start_time=datetime.time(18),
                        end_time=datetime.time(20),
                        first_date=first,
                        weeks=8,
                    ),
                )
            )
    ShiftSeries.objects.bulk_create([s for _c, s in series_plan], batch_size=batch_size)

    shift_rows: list[Shift] = []

    def place(campaign: Campaign) -> dict[str, object]:
        region = center.get(campaign.region_id) if campaign.region_id else rng.choice(regions)
        assert region is not None
        n = rng.randrange(1, 120)
        return {
            "place_name": rng.choice(PLACES).format(n=n),
            "address": f"{region.center_ru}, {rng.choice(STREETS)}, {n}",
            "latitude": (region.latitude + Decimal(rng.randrange(-500, 500)) / 10000).quantize(
                Decimal("0.00001")
            ),
            "longitude": (region.longitude + Decimal(rng.randrange(-500, 500)) / 10000).quantize(
                Decimal("0.00001")
            ),
        }

    for campaign, series in series_plan:
        where = place(campaign)
        for week in range(series.weeks):
            for weekday in series.weekdays:
                day = series.first_date + datetime.timedelta(
                    days=week * 7 + (weekday - series.first_date.isoweekday()) % 7
                )
                if day > campaign.ends_on:
                    continue
                start = timezone.make_aware(datetime.datetime.combine(day, series.start_time))
                shift_rows.append(
                    Shift(
                        campaign=campaign,
                        series=series,
                        starts_at=start,
                        ends_at=start + datetime.timedelta(hours=2),
                        capacity=6,
                        **where,
                    )
                )

    while len(shift_rows) < shifts:
        campaign = campaigns[rng.randrange(len(campaigns))]
        span = (campaign.ends_on - campaign.starts_on).days
        day = campaign.starts_on + datetime.timedelta(days=rng.randrange(span + 1))
        hour, length = rng.choice(WINDOWS)
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        adults_only = campaign.kind == "emergency" or rng.random() < 0.05
        shift_rows.append(
            Shift(
                campaign=campaign,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=length),
                capacity=rng.choice([4, 6, 8, 10, 12, 15, 20, 30]),
                min_age=18 if adults_only else rng.choice([None, None, None, 14, 16]),
                adults_only=adults_only and campaign.kind != "emergency",
                waitlist_enabled=rng.random() < 0.85,
                signup_deadline=start - datetime.timedelta(hours=12) if rng.random() < 0.2 else None,
                notes="Су мен бас киім алыңыз. / Возьмите воду и головной убор."
                if rng.random() < 0.3
                else "",
                cancelled_at=now - datetime.timedelta(days=1) if rng.random() < 0.01 else None,
                **place(campaign),
            )
        )
    shift_rows = Shift.objects.bulk_create(shift_rows[:shifts], batch_size=batch_size)
    through = Shift.required_skills.through
    through.objects.bulk_create(
        [
            through(shift_id=s.pk, skill_id=rng.choice(skills).pk)
            for s in shift_rows
            if skills and rng.random() < 0.15
        ],
        batch_size=batch_size,
    )

    # People by region; the demo volunteer gets a few shifts of their own below.
    people: dict[int, list[_Person]] = defaultdict(list)
    for pk, region_id, birth, consent in Volunteer.objects.filter(
        status=Volunteer.Status.ACTIVE, anonymized_at__isnull=True
    ).values_list("id", "region_id", "birth_date", "guardian_consent_at"):
        people[region_id].append(_Person(pk, birth, consent is not None, []))
    everyone = [p for group in people.values() for p in group]
    demo = Volunteer.objects.filter(user__email="volunteer@volunteer.kz").values_list("id", flat=True).first()
    by_campaign = {c.pk: c for c in campaigns}

    taken: dict[int, int] = defaultdict(int)
    active: set[tuple[int, int]] = set()
    # Plain values per shift: the loop below runs a million times at the benchmark's size.
    plans = [
        _ShiftPlan(
            shift=s,
            start=s.starts_at,
            end=s.ends_at,
            day=timezone.localtime(s.starts_at).date(),
            adults_only=s.requires_adult,
            hours=s.duration_hours,
            region_id=by_campaign[s.campaign_id].region_id,
            waitlist=s.waitlist_enabled and by_campaign[s.campaign_id].status == Campaign.Status.PUBLISHED,
        )
        for s in shift_rows
        if by_campaign[s.campaign_id].status != Campaign.Status.DRAFT and s.cancelled_at is None
    ]
    rows: list[tuple[object, ...]] = []
    attempts = 0
    while len(rows) < signups and attempts < signups * 4 and plans and everyone:
        attempts += 1
        plan = plans[rng.randrange(len(plans))]
        shift = plan.shift
        pool = people.get(plan.region_id or -1) or everyone
        person = pool[rng.randrange(len(pool))]
        if (shift.pk, person.id) in active or not _may_take(person, shift, plan.day, plan.adults_only):
            continue
        signed_at = plan.start - datetime.timedelta(hours=rng.randrange(13, 24 * 30))
        past = plan.end <= now
        checked_in_at, hours, reason = None, None, ""
        if taken[shift.pk] < shift.capacity:
            if _overlaps(person.busy, plan.start, plan.end):
                continue
            insort(person.busy, (plan.start, plan.end))
            taken[shift.pk] += 1
            state: str = Signup.Status.CONFIRMED
            if past:
                roll = rng.random()
                if roll < 0.85:
                    state, checked_in_at, hours = Signup.Status.ATTENDED, plan.start, plan.hours
                    if rng.random() < 0.08:
                        hours, reason = max(Decimal("0.5"), plan.hours - 1), "Кеш келді / Пришёл позже"
                elif roll < 0.95:
                    state = Signup.Status.NO_SHOW
        elif plan.waitlist and plan.start > now:
            state = Signup.Status.WAITLISTED
        else:
            continue
        active.add((shift.pk, person.id))
        rows.append((shift.pk, person.id, state, signed_at, checked_in_at, hours, reason, None))
        if rng.random() < 0.04 and not past and state == Signup.Status.CONFIRMED:
            # Someone who signed up and cancelled earlier: history, not a place.
            rows.append(
                (
                    shift.pk,
                    person.id,
                    Signup.Status.CANCELLED,
                    signed_at - datetime.timedelta(days=2),
                    None,
                    None,
                    "",
                    signed_at - datetime.timedelta(days=1),
                )
            )
    _insert_signups(rows[:signups], batch_size=batch_size)
    if demo is not None:
        _demo_volunteer_shifts(demo, shift_rows, by_campaign, active, taken, now)
    # The shifts' count of places taken, as the services keep it (one UPDATE for all).
    holding = (
        Signup.objects.filter(
            shift=OuterRef("pk"), status__in=(Signup.Status.CONFIRMED, Signup.Status.ATTENDED)
        )
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Shift.objects.filter(campaign__in=campaigns).update(
        taken_places=Coalesce(Subquery(holding, output_field=IntegerField()), 0)
    )
    return {
        "campaigns": Campaign.objects.count(),
        "shifts": Shift.objects.count(),
        "signups": Signup.objects.count(),
    }


def _demo_volunteer_shifts(
    volunteer_id: int,
    shift_rows: list[Shift],
    by_campaign: dict[int, Campaign],
    active: set[tuple[int, int]],
    taken: dict[int, int],
    now: datetime.datetime,
) -> None:
    """Two upcoming and two past (attended) shifts in Almaty for the demo login, so that "my
    shifts" has something to show."""
    almaty = Region.objects.filter(code="75").values_list("id", flat=True).first()
    busy: list[tuple[datetime.datetime, datetime.datetime]] = list(
        Signup.objects.filter(volunteer_id=volunteer_id, status__in=("confirmed", "attended")).values_list(
            "shift__starts_at", "shift__ends_at"
        )
    )
    candidates = sorted(
        (
            s
            for s in shift_rows
            if by_campaign[s.campaign_id].region_id == almaty
            and by_campaign[s.campaign_id].status == Campaign.Status.PUBLISHED
            and s.cancelled_at is None
            and taken[s.pk] < s.capacity
            and (s.pk, volunteer_id) not in active
            and not s.requires_adult
        ),
        key=lambda s: abs((s.starts_at - now).total_seconds()),
    )
    wanted = {"past": 2, "upcoming": 2}
    rows = []
    for shift in candidates:
        kind = "past" if shift.ends_at <= now else "upcoming" if shift.starts_at > now else ""
        if not kind or not wanted[kind] or _overlaps(busy, shift.starts_at, shift.ends_at):
            continue
        wanted[kind] -= 1
        busy.append((shift.starts_at, shift.ends_at))
        past = kind == "past"
        rows.append(
            Signup(
                shift=shift,
                volunteer_id=volunteer_id,
                status=Signup.Status.ATTENDED if past else Signup.Status.CONFIRMED,
                created_at=shift.starts_at - datetime.timedelta(days=3),
                checked_in_at=shift.starts_at if past else None,
                hours=shift.duration_hours if past else None,
            )
        )
        if not any(wanted.values()):
            break
    Signup.objects.bulk_create(rows)

"""Demo beneficiaries and a season of help requests in every region, inserted in bulk and
deterministic for a seed (a second or two at the default size, so `make run` stays quick).

The rows keep the services' rules: taken hands never exceed the hands needed, only adult
volunteers of the request's region are assigned, done requests have their hours, weekly
requests have one occurrence per week, and the names and addresses are invented.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from regions.models import Region
from volunteers.models import ADULT_AGE, Volunteer, years_before

from .models import Assignment, Beneficiary, HelpRequest, address_key

SURNAMES = [
    "Сейітова",
    "Жұмабаева",
    "Иванова",
    "Ахметов",
    "Петренко",
    "Омарова",
    "Қасымов",
    "Ким",
    "Байжанова",
]
GIVEN = ["Күләш", "Рахима", "Валентина", "Серік", "Галина", "Бибігүл", "Нина", "Мәрия", "Бақыт"]
STREETS = ["Абай көшесі", "ул. Ленина", "Төле би көшесі", "мкр. Самал", "ул. Гагарина", "Наурыз көшесі"]
NEEDS = [
    "Жалғыз тұрады, көзі нашар көреді.",
    "Одинокая пенсионерка, плохо ходит.",
    "Қыста көмір мен отын керек.",
    "После паводка нужна помощь по дому.",
]
DETAILS = {
    "groceries": "Нан, сүт, жарма / хлеб, молоко, крупа",
    "medicine": "Дәріханадан рецепт бойынша дәрі / лекарства по рецепту",
    "fuel": "Көмір 1 тонна, қораға түсіру / уголь 1 тонна, разгрузить",
    "snow": "Аула мен жолды тазалау / почистить двор и дорожку",
    "cleaning": "Пәтерді жинау / уборка квартиры",
    "visit": "Әңгімелесу, шай ішу / поговорить, попить чаю",
    "clinic": "Емханаға апарып-әкелу / отвезти в поликлинику и обратно",
    "other": "Телефон баптау / настроить телефон",
}
# Winter kinds weigh more: the season is the heating season.
KIND_WEIGHTS = {
    "groceries": 4,
    "medicine": 3,
    "fuel": 3,
    "snow": 3,
    "cleaning": 1,
    "visit": 2,
    "clinic": 2,
    "other": 1,
}
ADULT_KINDS = {"medicine", "cleaning", "visit", "clinic"}


def seed_care(*, per_region: int = 8, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    adult_born_before = years_before(today, ADULT_AGE)
    coordinators = {u.email: u for u in User.objects.filter(email__startswith="coordinator")}
    kinds = list(KIND_WEIGHTS)
    weights = [KIND_WEIGHTS[k] for k in kinds]
    counts = {"beneficiaries": 0, "help_requests": 0, "care_assignments": 0}
    with transaction.atomic():
        for region in Region.objects.order_by("code"):
            taker = coordinators.get(f"coordinator{region.code}@volunteer.kz")
            adults = list(
                Volunteer.objects.filter(
                    region=region,
                    status=Volunteer.Status.ACTIVE,
                    anonymized_at__isnull=True,
                    birth_date__lte=adult_born_before,
                ).values_list("pk", flat=True)[:60]
            )
            people = []
            for n in range(per_region):
                address = f"{rng.choice(STREETS)}, {rng.randrange(1, 120)}, {rng.randrange(1, 90)}"
                people.append(
                    Beneficiary(
                        region=region,
                        locality=region.center_kk,
                        full_name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                        phone=f"+7705{region.code}{n:05d}",
                        address=address,
                        address_key=address_key(address),
                        latitude=(region.latitude + Decimal(rng.uniform(-0.06, 0.06))).quantize(
                            Decimal("0.00001")
                        ),
                        longitude=(region.longitude + Decimal(rng.uniform(-0.08, 0.08))).quantize(
                            Decimal("0.00001")
                        ),
                        needs=rng.choice(NEEDS),
                        how_to_reach="Көршіге алдымен қоңырау шалыңыз / сначала позвонить соседке",
                        consent_help=True,
                        consent_data=True,
                        consent_recorded_by=taker,
                        consent_recorded_at=now - datetime.timedelta(days=100),
                        created_at=now - datetime.timedelta(days=100),
                    )
                )
            people = Beneficiary.objects.bulk_create(people)
            requests: list[HelpRequest] = []
            plans: list[tuple[HelpRequest, list[int], Decimal | None]] = []
            for person in people:
                for _ in range(rng.randrange(2, 6)):
                    kind = rng.choices(kinds, weights)[0]
                    # On the day drawn, at a daytime hour in Almaty (09:00–18:00), whatever the
                    # hour the demo is seeded at: help is not asked for at three in the morning.
                    day = timezone.localdate(now) + datetime.timedelta(days=rng.randrange(-90, 21))
                    start = timezone.make_aware(
                        datetime.datetime.combine(day, datetime.time(13 + rng.randrange(-4, 6)))
                    )
                    hands = 3 if kind in ("snow", "fuel") and rng.random() < 0.4 else 1
                    past = start < now
                    roll = rng.random()
                    if past:
                        status = "done" if roll < 0.8 else ("cannot_help" if roll < 0.9 else "cancelled")
                        if roll > 0.97:
                            status = "new"  # overdue, still open: the list shows these first
                    else:
                        status = "assigned" if roll < 0.5 and adults else "new"
                    going = (
                        rng.sample(adults, min(hands, len(adults))) if status in ("done", "assigned") else []
                    )
                    if status in ("done", "assigned") and not going:
                        status = "new"
                    request = HelpRequest(
                        beneficiary=person,
                        region=region,
                        kind=kind,
                        details=DETAILS[kind],
                        urgency="urgent" if rng.random() < 0.15 else "normal",
                        due_from=start,
                        due_until=start + datetime.timedelta(hours=rng.choice([2, 3, 4, 24])),
                        needed_hands=hands,
                        taken_hands=len(going) if status in ("done", "assigned") else 0,
                        adults_only=kind in ADULT_KINDS,
                        status=status,
                        created_by=taker,
                        created_at=start - datetime.timedelta(days=rng.randrange(1, 5)),
                        done_at=start + datetime.timedelta(hours=3) if status == "done" else None,
                        closed_at=start + datetime.timedelta(hours=3)
                        if status in HelpRequest.CLOSED
                        else None,
                        outcome_note="Орындалды / выполнено" if status == "done" else "",
                    )
                    requests.append(request)
                    hours = Decimal(rng.choice(["1", "1.5", "2", "2.5", "3"])) if status == "done" else None
                    plans.append((request, going, hours))
            HelpRequest.objects.bulk_create(requests)
            assignments = [
                Assignment(
                    request=request,
                    volunteer_id=volunteer_id,
                    status="done" if hours is not None else "confirmed",
                    hours=hours,
                    assigned_by=taker,
                    created_at=request.created_at,
                    confirmed_at=request.created_at,
                    done_at=request.done_at,
                )
                for request, going, hours in plans
                for volunteer_id in going
            ]
            Assignment.objects.bulk_create(assignments)
            counts["beneficiaries"] += len(people)
            counts["help_requests"] += len(requests)
            counts["care_assignments"] += len(assignments)
    return counts

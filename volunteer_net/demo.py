"""Deterministic demo data for volunteers, skills and detachments, inserted in bulk so that the
benchmark can reuse it at 100k scale."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from detachments.models import Detachment
from regions.models import CoordinatorAssignment, Region
from volunteers.models import GuardianConsent, Skill, Volunteer
from volunteers.validators import iin_check_digit

DEMO_PASSWORD = "volunteer2026"

SKILLS = [
    ("first-aid", "Алғашқы медициналық көмек", "Первая помощь", "First aid"),
    ("driving", "Жүргізуші куәлігі", "Водительские права", "Driving licence"),
    ("cooking", "Тамақ дайындау", "Приготовление еды", "Cooking"),
    ("it", "IT және цифрлық сауаттылық", "IT и цифровая грамотность", "IT and digital literacy"),
    ("teaching", "Оқыту, репетиторлық", "Обучение, репетиторство", "Teaching and tutoring"),
    ("eldercare", "Қарттарға күтім", "Уход за пожилыми", "Care for the elderly"),
    ("eco", "Экологиялық акциялар", "Экологические акции", "Eco actions"),
    ("sign-language", "Ым тілі", "Жестовый язык", "Sign language"),
    ("photo", "Фото және бейне", "Фото и видео", "Photo and video"),
    ("translation", "Аударма", "Перевод", "Translation"),
    ("rescue", "Құтқару жұмыстары", "Спасательные работы", "Rescue work"),
    ("events", "Іс-шараларды ұйымдастыру", "Организация мероприятий", "Event organising"),
]

KZ_MALE = [
    "Айдос",
    "Ерлан",
    "Нұрлан",
    "Асхат",
    "Дәурен",
    "Бауыржан",
    "Қайрат",
    "Ержан",
    "Талғат",
    "Мұрат",
    "Арман",
    "Әлихан",
    "Нұрсұлтан",
    "Ақжол",
    "Ермек",
    "Санжар",
    "Дамир",
    "Жандос",
    "Ғалым",
    "Өмірзақ",
]
KZ_FEMALE = [
    "Айгүл",
    "Гүлнара",
    "Әсел",
    "Дана",
    "Жанар",
    "Меруерт",
    "Айжан",
    "Сәуле",
    "Ақмарал",
    "Назерке",
    "Аружан",
    "Інкәр",
    "Балнұр",
    "Ұлжан",
    "Гүлжан",
    "Мадина",
    "Әйгерім",
    "Қарлығаш",
    "Томирис",
    "Жұлдыз",
]
KZ_SURNAMES = [
    "Жұмабаев",
    "Сейітов",
    "Нұрланов",
    "Қасымов",
    "Ахметов",
    "Оспанов",
    "Серікбаев",
    "Әбенов",
    "Төлеубаев",
    "Құрманов",
    "Бекмұханов",
    "Ибраев",
    "Смағұлов",
    "Өтегенов",
    "Исаев",
    "Ғабдуллин",
    "Қожахметов",
    "Мұқанов",
    "Есенов",
    "Шәріпов",
]
KZ_FATHERS = ["Ерлан", "Серік", "Бақыт", "Қанат", "Мұрат", "Асқар", "Болат", "Дархан", "Нұржан", "Ғани"]
RU_MALE = ["Иван", "Сергей", "Алексей", "Дмитрий", "Андрей", "Артём", "Пётр", "Фёдор", "Михаил", "Николай"]
RU_FEMALE = ["Ольга", "Елена", "Наталья", "Татьяна", "Алёна", "Юлия", "Анна", "Мария", "Светлана", "Ксения"]
RU_SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Соколов",
    "Попов",
    "Лебедев",
    "Королёв",
    "Ершов",
    "Федосеев",
    "Волков",
    "Новиков",
    "Морозов",
    "Семёнов",
    "Павлов",
    "Козлов",
]
RU_FATHERS = ["Иван", "Сергей", "Алексей", "Дмитрий", "Андрей", "Павел", "Виктор", "Олег", "Юрий", "Пётр"]
MOBILE_CODES = ["700", "701", "702", "705", "707", "708", "747", "751", "771", "775", "776", "777", "778"]
SCHOOLS = [
    "№ {n} мектеп-гимназия",
    "№ {n} жалпы білім беретін мектеп",
    "№ {n} мектеп-лицей",
    "Средняя школа № {n}",
    "Гимназия № {n}",
]


def _kz_patronymic(father: str, male: bool) -> str:
    return father + ("ұлы" if male else "қызы")


# Russian patronymics are irregular enough to be listed (Павел → Павлович, Дмитрий → Дмитриевич).
_RU_PATRONYMICS = {
    "Иван": ("Иванович", "Ивановна"),
    "Сергей": ("Сергеевич", "Сергеевна"),
    "Алексей": ("Алексеевич", "Алексеевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Андрей": ("Андреевич", "Андреевна"),
    "Павел": ("Павлович", "Павловна"),
    "Виктор": ("Викторович", "Викторовна"),
    "Олег": ("Олегович", "Олеговна"),
    "Юрий": ("Юрьевич", "Юрьевна"),
    "Пётр": ("Петрович", "Петровна"),
}


def _ru_patronymic(father: str, male: bool) -> str:
    return _RU_PATRONYMICS[father][0 if male else 1]


def _female(surname: str) -> str:
    return surname + "а" if surname.endswith(("ов", "ев", "ёв", "ин")) else surname


def curator_name(i: int) -> str:
    """The `i`-th demo curator's name, as a person is called: most are Kazakh, one in three
    Russian, and most of them women, as school teachers are."""
    male = i % 5 == 4
    if i % 3 == 2:
        firsts, surnames = (RU_MALE if male else RU_FEMALE), RU_SURNAMES
    else:
        firsts, surnames = (KZ_MALE if male else KZ_FEMALE), KZ_SURNAMES
    surname = surnames[(i * 7 + i // len(surnames)) % len(surnames)]
    return f"{firsts[i % len(firsts)]} {surname if male else _female(surname)}"


def make_iin(birth: datetime.date, male: bool, serial: int) -> str | None:
    century = {18: 1, 19: 3, 20: 5}[birth.year // 100] + (0 if male else 1)
    first11 = f"{birth:%y%m%d}{century}{serial % 10000:04d}"
    check = iin_check_digit(first11)
    return None if check is None else f"{first11}{check}"


def _phone(rng: random.Random) -> str:
    return "+7" + rng.choice(MOBILE_CODES) + f"{rng.randrange(10**7):07d}"


def seed_skills() -> list[Skill]:
    for code, kk, ru, en in SKILLS:
        Skill.objects.update_or_create(code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en})
    return list(Skill.objects.order_by("code"))


def seed_staff(regions: Sequence[Region], password: str) -> dict[str, User]:
    """National staff and one coordinator per region; `password` is already hashed."""
    users: dict[str, User] = {}
    admin, created = User.objects.get_or_create(
        email="admin@volunteer.kz",
        defaults={
            "full_name": "Ұлттық үйлестіруші",
            "is_staff": True,
            "is_superuser": True,
            "is_national_staff": True,
        },
    )
    if created:
        admin.password = password
        admin.save(update_fields=["password"])
    users["admin"] = admin
    for region in regions:
        user, created = User.objects.get_or_create(
            email=f"coordinator{region.code}@volunteer.kz",
            defaults={"full_name": f"Үйлестіруші {region.name_kk}", "is_staff": True},
        )
        if created:
            user.password = password
            user.save(update_fields=["password"])
        CoordinatorAssignment.objects.get_or_create(user=user, region=region)
        users[region.code] = user
    return users


@transaction.atomic
def seed_volunteers(
    *, count: int, detachments: int, seed: int = 2026, batch_size: int = 5000
) -> dict[str, int]:
    rng = random.Random(seed)
    regions = list(Region.objects.order_by("code"))
    skills = seed_skills()
    # Hash once: dozens of demo accounts share the password, and hashing is slow on purpose.
    password = make_password(DEMO_PASSWORD)
    seed_staff(regions, password)
    today = timezone.localdate()

    curators = []
    detachment_objs = []
    for i in range(detachments):
        region = regions[i % len(regions)]
        curator, created = User.objects.get_or_create(
            email=f"curator{i + 1}@volunteer.kz", defaults={"full_name": curator_name(i)}
        )
        if created:
            curator.password = password
            curator.save(update_fields=["password"])
        curators.append(curator)
        number = rng.randrange(1, 120)
        lat = float(region.latitude) + rng.uniform(-0.05, 0.05)
        lon = float(region.longitude) + rng.uniform(-0.05, 0.05)
        detachment_objs.append(
            Detachment(
                school_name=rng.choice(SCHOOLS).format(n=number),
                school_number=str(number),
                locality=region.center_kk if rng.random() < 0.5 else region.center_ru,
                region=region,
                latitude=round(lat, 5),
                longitude=round(lon, 5),
                curator=curator,
            )
        )
    Detachment.objects.bulk_create(detachment_objs, batch_size=batch_size)
    by_region: dict[int, list[Detachment]] = {}
    for d in Detachment.objects.all():
        by_region.setdefault(d.region_id, []).append(d)

    now = timezone.now()
    volunteers: list[Volunteer] = []
    skill_links: list[tuple[int, list[int]]] = []
    for i in range(count):
        region = regions[rng.randrange(len(regions))]
        male = rng.random() < 0.5
        if rng.random() < 0.65:
            first = rng.choice(KZ_MALE if male else KZ_FEMALE)
            surname = rng.choice(KZ_SURNAMES)
            middle = _kz_patronymic(rng.choice(KZ_FATHERS), male)
            lang = "kk"
        else:
            first = rng.choice(RU_MALE if male else RU_FEMALE)
            surname = rng.choice(RU_SURNAMES)
            middle = _ru_patronymic(rng.choice(RU_FATHERS), male)
            lang = "ru"
        last = surname if male else _female(surname)
        # One in five is a schoolchild (10–17), the rest adults up to 70.
        age_days = (
            rng.randrange(10 * 365, 18 * 365) if rng.random() < 0.2 else rng.randrange(18 * 366, 70 * 365)
        )
        birth = today - datetime.timedelta(days=age_days)
        minor = age_days < 18 * 365
        v = Volunteer(
            last_name=last,
            first_name=first,
            middle_name=middle,
            birth_date=birth,
            phone=_phone(rng),
            email=f"v{i + 1}@example.kz" if rng.random() < 0.8 else "",
            region=region,
            locality=region.center_kk if lang == "kk" else region.center_ru,
            languages=sorted({lang, rng.choice(["kk", "ru", "en"])}),
            available_weekdays=rng.random() < 0.4,
            available_evenings=rng.random() < 0.6,
            available_weekends=rng.random() < 0.7,
            preferred_language=lang,
            preferred_channel="email" if rng.random() < 0.7 else "sms",
            status="active" if rng.random() < 0.9 else "paused",
            iin=make_iin(birth, male, i) if rng.random() < 0.3 else None,
            consent_at=now,
            consent_version="2026-01",
        )
        if minor:
            as_female, given = rng.random() < 0.6, rng.choice(KZ_FEMALE)
            v.guardian_phone = _phone(rng)
            v.guardian_relation = rng.choice(["mother", "father", "guardian"])
            # A father has a man's name; the draws stay as they were, so the rest of the data too.
            if v.guardian_relation == "father":
                fathers = KZ_MALE if lang == "kk" else RU_MALE
                v.guardian_name = f"{surname} {fathers[KZ_FEMALE.index(given) % len(fathers)]}"
            else:
                v.guardian_name = (
                    f"{_female(surname) if as_female or v.guardian_relation == 'mother' else surname} {given}"
                )
            if rng.random() < 0.8:
                v.guardian_consent_at = now
            elif v.status == "active":
                v.status = Volunteer.Status.AWAITING_GUARDIAN
            local = by_region.get(region.id)
            if local and rng.random() < 0.7:
                v.detachment = rng.choice(local)
        v.refresh_search_fields()
        v.birth_year = birth.year
        volunteers.append(v)
        skill_links.append((i, rng.sample([s.id for s in skills], rng.randrange(0, 4))))
        if len(volunteers) >= batch_size:
            _flush(volunteers, skill_links, batch_size)
            volunteers, skill_links = [], []
    _flush(volunteers, skill_links, batch_size)

    # A volunteer account to log in with.
    demo_user, created = User.objects.get_or_create(
        email="volunteer@volunteer.kz", defaults={"full_name": "Әсел Нұрланова"}
    )
    if created:
        demo_user.password = make_password(DEMO_PASSWORD)
        demo_user.save(update_fields=["password"])
        almaty = next(r for r in regions if r.code == "75")
        demo = Volunteer(
            user=demo_user,
            last_name="Нұрланова",
            first_name="Әсел",
            middle_name="Ерланқызы",
            birth_date=datetime.date(1998, 3, 14),
            phone="+77011234567",
            email=demo_user.email,
            region=almaty,
            locality="Алматы",
            languages=["kk", "ru", "en"],
            available_evenings=True,
            available_weekends=True,
            preferred_language="kk",
            consent_at=now,
            consent_version="2026-01",
        )
        demo.save()
        demo.skills.set(skills[:2])
    return {"volunteers": Volunteer.objects.count(), "detachments": Detachment.objects.count()}


def _flush(volunteers: list[Volunteer], links: list[tuple[int, list[int]]], batch_size: int) -> None:
    if not volunteers:
        return
    created = Volunteer.objects.bulk_create(volunteers, batch_size=batch_size)
    through = Volunteer.skills.through
    rows = [
        through(volunteer_id=created[idx].pk, skill_id=skill_id)
        for idx, (_i, skill_ids) in enumerate(links)
        for skill_id in skill_ids
    ]
    through.objects.bulk_create(rows, batch_size=batch_size)
    # Each consent on file has its record: a signed paper form, numbered as the region files them.
    GuardianConsent.objects.bulk_create(
        [
            GuardianConsent(
                volunteer_id=v.pk,
                method=GuardianConsent.Method.PAPER,
                guardian_name=v.guardian_name,
                guardian_relation=v.guardian_relation,
                document_number=f"{v.region_id:02d}-{v.pk:06d}",
                document_date=v.guardian_consent_at.date(),
                given_at=v.guardian_consent_at,
            )
            for v in created
            if v.guardian_consent_at is not None
        ],
        batch_size=batch_size,
    )

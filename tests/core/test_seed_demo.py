import re

import pytest
from django.core.management import call_command

from care.models import HelpRequest
from detachments.models import Detachment
from events.models import Campaign
from front_offices.models import FrontOffice
from regions.models import CoordinatorAssignment
from volunteer_net import demo
from volunteers.models import Volunteer


def _snapshot() -> list[tuple[str, str, str, str]]:
    return list(
        Volunteer.objects.filter(user__isnull=True)
        .order_by("id")
        .values_list("last_name", "first_name", "phone", "region__code")
    )


@pytest.mark.django_db
def test_seed_demo_is_realistic_valid_and_deterministic() -> None:
    call_command("seed_demo", volunteers=300, detachments=20)
    volunteers = list(Volunteer.objects.select_related("region"))
    assert len(volunteers) == 301  # plus the demo volunteer with an account
    assert {v.region.code for v in volunteers} == set(
        CoordinatorAssignment.objects.values_list("region__code", flat=True)
    )
    assert CoordinatorAssignment.objects.values("region").distinct().count() == 20
    assert Detachment.objects.count() == 20 and FrontOffice.objects.count() == 20
    minors = [v for v in volunteers if v.is_minor()]
    assert minors, "some volunteers are schoolchildren"
    for v in volunteers:
        v.full_clean(exclude=["user", "skills"])  # every row passes the same rules as a form
    # A father is named as a man, a mother as a woman (a mother called "Әкесі" was the demo's).
    fathers = [v.guardian_name.split()[-1] for v in minors if v.guardian_relation == "father"]
    mothers = [v.guardian_name.split()[-1] for v in minors if v.guardian_relation == "mother"]
    assert fathers and mothers
    assert set(fathers) <= set(demo.KZ_MALE + demo.RU_MALE)
    assert set(mothers) <= set(demo.KZ_FEMALE + demo.RU_FEMALE)
    assert any(ch in "".join(v.last_name for v in volunteers) for ch in "ӘҒҚҢӨҰҮІ")
    assert any("ё" in v.first_name or "ё" in v.last_name for v in volunteers)

    first = _snapshot()
    # Sign-ups and help requests keep volunteers (hours must add up), so they go first.
    Campaign.objects.all().delete()
    HelpRequest.objects.all().delete()
    Volunteer.objects.filter(user__isnull=True).delete()
    Detachment.objects.all().delete()
    call_command("seed_demo", volunteers=300, detachments=20)
    assert _snapshot() == first

    call_command("seed_demo", "--if-empty", volunteers=300)
    assert Volunteer.objects.count() == 301


@pytest.mark.django_db
def test_demo_curators_have_real_kazakh_and_russian_names() -> None:
    from accounts.models import User

    call_command("seed_demo", volunteers=10, detachments=12)
    names = list(
        User.objects.filter(email__startswith="curator")
        .order_by("date_joined")
        .values_list("full_name", flat=True)
    )
    assert len(names) == 12
    for name in names:
        first, last = name.split()
        assert "Curator" not in name and re.fullmatch(r"[А-ЯЁӘҒҚҢӨҰҮҺІа-яёәғқңөұүһі]+", first + last), name
    # Kazakh names (with their own letters) and Russian ones, women's surnames in the feminine.
    assert any(set(name) & set("ӘҒҚҢӨҰҮҺІәғқңөұүһі") for name in names)
    assert "Наталья Козлова" in names
    assert len(set(names)) == len(names)


@pytest.mark.django_db
def test_seed_demo_loads_sign_ups_past_the_summary_trigger_and_leaves_it_exact_and_on() -> None:
    from django.db import connection

    from reports import summary
    from reports.models import SignupDaySummary

    def rows() -> list[tuple[object, ...]]:
        return list(SignupDaySummary.objects.order_by("campaign_id", "day").values_list())

    call_command("seed_demo", volunteers=200, detachments=20, shifts=150, signups=500, visits=0, care=1)
    seeded = rows()
    assert seeded
    summary.rebuild()
    assert [r[1:] for r in rows()] == [r[1:] for r in seeded]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE 'reports_%%'")
        triggers = dict(cursor.fetchall())
    # The summary's own triggers are back, and every other maintained table's stayed on.
    assert {"reports_signup_summary", "reports_signup_summary_update", "reports_shift_summary"} <= set(
        triggers
    )
    assert set(triggers.values()) == {"O"}, triggers


def test_russian_patronymics_are_the_ones_people_have() -> None:
    # "Павелович" and "Дмитрийовна" were made by gluing an ending to the father's name.
    assert {demo._ru_patronymic(father, male=True) for father in ("Павел", "Дмитрий", "Пётр")} == {
        "Павлович",
        "Дмитриевич",
        "Петрович",
    }
    for father in demo.RU_FATHERS:
        for male in (True, False):
            patronymic = demo._ru_patronymic(father, male)
            assert patronymic.endswith(("ович", "евич") if male else ("овна", "евна")), patronymic
            assert not re.search(r"(ел|й)(ович|овна)$", patronymic), patronymic

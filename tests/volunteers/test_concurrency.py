"""Parallel clients on PostgreSQL: the unique IIN holds, and the loser gets a field error."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from regions.models import Region
from tests.factories import UserFactory, VolunteerFactory
from volunteers import services
from volunteers.crypto import iin_digest
from volunteers.models import Volunteer

IIN = "061211600012"
BIRTH = datetime.date(2006, 12, 11)


@pytest.mark.django_db(transaction=True)
def test_same_iin_entered_twice_at_once_keeps_one(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    almaty = Region.objects.get(code="75")
    # National staff, who may know of every record: the loser is told the IIN is taken.
    coordinator = UserFactory(is_national_staff=True)
    twins = [VolunteerFactory(region=almaty, birth_date=BIRTH) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enter(volunteer: Volunteer) -> None:
        try:
            barrier.wait(timeout=10)
            services.volunteer_update(volunteer=volunteer, changed_by=coordinator, data={"iin": IIN})
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append("refused:" + ",".join(exc.message_dict))
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(v,)) for v in twins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["refused:iin", "saved"]
    assert Volunteer.objects.filter(iin_hash=iin_digest(IIN)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_entering_one_iin_on_their_profiles_at_once(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The unique index decides between two people's own edits; the loser is answered as the
    winner is (saved), their profile saved without the IIN and the two flagged for staff."""
    from volunteers.models import PossibleDuplicate

    almaty = Region.objects.get(code="75")
    twins = [VolunteerFactory(region=almaty, birth_date=BIRTH, with_account=True) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enter(volunteer: Volunteer) -> None:
        try:
            barrier.wait(timeout=10)
            services.volunteer_update(
                volunteer=volunteer, changed_by=volunteer.user, data={"iin": IIN, "locality": "Талғар"}
            )
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append("refused:" + ",".join(exc.message_dict))
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(v,)) for v in twins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert outcomes == ["saved", "saved"]
    assert Volunteer.objects.filter(iin_hash=iin_digest(IIN)).count() == 1
    assert Volunteer.objects.filter(locality="Талғар").count() == 2
    flag = PossibleDuplicate.objects.get()
    assert {flag.volunteer, flag.existing} == set(twins) and flag.reason == "iin"


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_with_one_email_at_once(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Both forms pass their check before either saves; one account results, both people see
    the same "check your e-mail" page (neither learns the address is taken), and no
    half-written profile is left."""
    from django.core import mail
    from django.test import Client

    from accounts.models import User

    almaty = Region.objects.get(code="75")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def sign_up(first_name: str) -> None:
        try:
            client = Client()
            data = {
                "account-email": "same@example.kz",
                "account-password1": "Tau-Samal-2026",
                "account-password2": "Tau-Samal-2026",
                "account-consent": "on",
                "profile-last_name": "Серікова",
                "profile-first_name": first_name,
                "profile-birth_date": "1995-05-05",
                "profile-phone": "8 701 555 44 33",
                "profile-region": str(almaty.pk),
                "profile-preferred_language": "kk",
                "profile-preferred_channel": "email",
            }
            barrier.wait(timeout=10)
            statuses.append(client.post("/accounts/register/", data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in ("Дана", "Әсел")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert statuses == [302, 302]
    assert User.objects.filter(email="same@example.kz").count() == 1
    assert Volunteer.objects.count() == 1
    assert Volunteer.objects.get().user.email == "same@example.kz"
    # The registration still pending, the loser's mail is its activation link again.
    assert [m.to for m in mail.outbox] == [["same@example.kz"], ["same@example.kz"]]


@pytest.mark.django_db(transaction=True)
def test_guardian_consent_posted_twenty_times_at_once_is_recorded_once(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """A double-clicked (or twenty times resent) form records the consent once: one history row,
    the first time kept, and the others told when it was recorded."""
    from django.contrib.messages import get_messages
    from django.test import Client

    from tests.factories import MinorFactory, years_ago
    from volunteers.models import GuardianConsent, VolunteerChange

    almaty = Region.objects.get(code="75")
    coordinator = UserFactory()
    from regions.models import CoordinatorAssignment

    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    child = MinorFactory(region=almaty, birth_date=years_ago(12))
    clients = []
    for _ in range(20):
        client = Client()
        client.force_login(coordinator)
        client.cookies["django_language"] = "en"
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, list[str]]] = []

    def post(client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            response = client.post(
                f"/roster/{child.pk}/guardian-consent/",
                {"action": "record", "document_number": "17", "document_date": "2026-11-20", "confirm": "on"},
            )
            results.append((response.status_code, [str(m) for m in get_messages(response.wsgi_request)]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert [status for status, _ in results] == [302] * 20
    assert GuardianConsent.objects.filter(volunteer=child).count() == 1
    messages = [m for _, ms in results for m in ms]
    assert messages.count("The guardian's written consent has been recorded.") == 1
    already = [m for m in messages if m.startswith("The guardian's written consent was already recorded on ")]
    assert len(already) == 19
    assert VolunteerChange.objects.filter(volunteer=child, action="consent").count() == 1
    child.refresh_from_db()
    # The time kept is the first recording's, written just before its history row.
    first = VolunteerChange.objects.filter(volunteer=child, action="consent").earliest("changed_at")
    assert child.guardian_consent_at is not None and child.guardian_consent_at <= first.changed_at
    assert child.guardian_consent_recorded_by == coordinator


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_with_one_iin_at_once(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Both pass the IIN check before either saves: the unique index decides, and the loser's
    profile is saved without the IIN and flagged, the registrant seeing nothing of it."""
    from django.test import Client

    from volunteers.models import PossibleDuplicate

    almaty = Region.objects.get(code="75")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def sign_up(email: str) -> None:
        try:
            data = {
                "account-email": email,
                "account-password1": "Tau-Samal-2026",
                "account-password2": "Tau-Samal-2026",
                "account-consent": "on",
                "profile-last_name": "Серікова",
                "profile-first_name": "Дана",
                "profile-birth_date": BIRTH.isoformat(),
                "profile-phone": "8 701 555 44 33",
                "profile-iin": IIN,
                "profile-region": str(almaty.pk),
                "profile-preferred_language": "kk",
                "profile-preferred_channel": "email",
            }
            barrier.wait(timeout=10)
            statuses.append(Client().post("/accounts/register/", data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(e,)) for e in ("one@example.kz", "two@example.kz")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert statuses == [302, 302]
    assert Volunteer.objects.count() == 2
    holder = Volunteer.objects.get(iin_hash=iin_digest(IIN))
    flag = PossibleDuplicate.objects.get()
    assert flag.existing == holder and flag.volunteer.iin is None and flag.volunteer != holder

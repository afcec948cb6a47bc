"""The log-in lockout (django-axes) records the e-mail typed at each failed attempt, in clear.
When the account goes — "delete my account", or staff erasing the person on request — those
records go too, whatever the case the address was typed in; other people's stay."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

from accounts.models import User
from tests.conftest import client_for
from tests.factories import UserFactory, VolunteerFactory
from volunteers import services

pytestmark = pytest.mark.django_db


def _fail_to_log_in(email: str, *, address: str = "10.0.0.1") -> None:
    response = Client(REMOTE_ADDR=address).post("/accounts/login/", {"username": email, "password": "wrong"})
    assert response.status_code == 200


def _recorded(email: str) -> bool:
    return (
        AccessAttempt.objects.filter(username__iexact=email).exists()
        or AccessFailureLog.objects.filter(username__iexact=email).exists()
    )


def test_delete_my_account_forgets_the_failed_log_ins_under_its_email(bob) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    email = bob.user.email
    other = UserFactory(email="someone.else@example.kz")
    _fail_to_log_in(email)
    _fail_to_log_in(f"  {email.upper()} ", address="10.0.0.2")
    _fail_to_log_in(other.email)
    # A row from before the address was lower-cased on the way in.
    AccessAttempt.objects.create(
        username=email.upper(), ip_address="10.0.0.3", user_agent="old", failures_since_start=1
    )
    assert _recorded(email)
    client = client_for(bob.user, password_confirmed=True)
    assert client.post("/me/delete/", {"confirm": "yes"}).status_code == 302
    assert not _recorded(email)
    assert _recorded(other.email)


def test_an_account_without_a_profile_is_forgotten_too(db) -> None:  # type: ignore[no-untyped-def]
    staff = UserFactory(email="former.clerk@example.kz")
    _fail_to_log_in(staff.email)
    AccessFailureLog.objects.create(username=staff.email, ip_address="10.0.0.4", user_agent="x")
    client = client_for(staff, password_confirmed=True)
    assert client.post("/me/delete/", {"confirm": "yes"}).status_code == 302
    assert not User.objects.filter(pk=staff.pk).exists()
    assert not _recorded(staff.email)


def test_staff_erasure_on_request_forgets_them(alice, bob) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    email = bob.user.email
    _fail_to_log_in(email)
    services.volunteer_erase_on_request(volunteer=bob, by=alice, basis="Application No. 7")
    assert not User.objects.filter(email=email).exists()
    assert not _recorded(email)


def test_a_person_without_an_account_loses_the_attempts_made_with_their_email(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """Someone may have tried to log in not knowing they had no account. A child's profile may
    carry a parent's e-mail, though: the parent's account keeps its lockout count."""
    walk_in = VolunteerFactory(region=almaty, email="walk.in@example.kz")
    parent = UserFactory(email="parent@example.kz")
    child = VolunteerFactory(region=almaty, email="PARENT@example.kz")
    _fail_to_log_in("walk.in@example.kz")
    _fail_to_log_in(parent.email)
    services.volunteer_erase_on_request(volunteer=walk_in, by=alice, basis="Application No. 8")
    services.volunteer_erase_on_request(volunteer=child, by=alice, basis="Application No. 9")
    assert not _recorded("walk.in@example.kz")
    assert _recorded(parent.email)

"""Two web instances (gunicorn, as in production) on loopback sharing one PostgreSQL and one Redis:
what one instance knows, the other does — sessions, rate limits, log-in lockouts — and the
capacity of a shift holds when sign-ups arrive through both at once.

The instances are real processes started with production settings (DEBUG off; static files
served by their plain names) against this test's database and Redis.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.services import api_token_issue
from bench import load
from events.models import Signup
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import PASSWORD, UserFactory, VolunteerFactory


@pytest.fixture
def instances(regions_in_transactional_db) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Two gunicorn instances (two workers each) with production settings on this suite's
    database and Redis, started as the load runs start theirs (bench/load.py), with limits low
    enough for the test to reach."""
    env = load.env_from_settings(RATE_LIMIT_REGISTER="3/h", LOGIN_FAILURE_LIMIT="3")
    with load.servers(env, instances=2, workers=2, start_timeout=60) as urls:
        yield urls


def _production_password(user) -> None:  # type: ignore[no-untyped-def]
    """The suite hashes passwords with MD5 for speed; the instances know production's hashers."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, url
    return match.group(1)


def _log_in(session: requests.Session, base: str, email: str, password: str) -> requests.Response:
    token = _csrf(session, f"{base}/accounts/login/")
    return session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )


@pytest.mark.django_db(transaction=True)
def test_a_session_made_on_one_instance_holds_on_the_other(instances: list[str]) -> None:
    a, b = instances
    person = VolunteerFactory(with_account=True)
    _production_password(person.user)
    session = requests.Session()
    assert _log_in(session, a, person.user.email, PASSWORD).status_code == 302
    mine = session.get(f"{b}/me/", allow_redirects=False, timeout=10)
    assert mine.status_code == 200 and person.last_name in mine.text
    assert (
        requests.get(f"{b}/me/", allow_redirects=False, timeout=10).status_code == 302
    )  # no cookie, no page


@pytest.mark.django_db(transaction=True)
def test_rate_limits_and_lockouts_count_across_instances(instances: list[str]) -> None:
    a, b = instances
    # Registration: 3 an hour per address, counted in Redis whichever instance answers.
    statuses = []
    for n, base in enumerate([a, b, a, b]):
        session = requests.Session()
        token = _csrf(session, f"{base}/accounts/register/")
        statuses.append(
            session.post(
                f"{base}/accounts/register/",
                data={"csrfmiddlewaretoken": token, "account-email": f"x{n}@example.kz"},
                headers={"Referer": f"{base}/accounts/register/"},
                timeout=10,
            ).status_code
        )
    assert statuses == [200, 200, 200, 429]  # the first three: the form with its errors
    # Log-in lockout: three failures for one account, over both instances, lock it on both.
    user = UserFactory(email="locked@example.kz")
    _production_password(user)
    tries = [
        _log_in(requests.Session(), base, user.email, "wrong-password").status_code for base in (a, b, a)
    ]
    assert tries == [200, 200, 429]  # the third failure, wherever it lands, locks the account
    locked = _log_in(requests.Session(), b, user.email, PASSWORD)
    assert locked.status_code == 429  # even the right password, on the other instance


@pytest.mark.django_db(transaction=True)
def test_a_shift_never_takes_more_than_its_places_through_both_instances(instances: list[str]) -> None:
    shift = ShiftFactory(campaign=CampaignFactory(), capacity=10)
    tokens = [api_token_issue(user=VolunteerFactory(with_account=True).user) for _ in range(30)]

    def sign_up(n: int) -> int:
        base = instances[n % 2]
        return requests.post(
            f"{base}/api/shifts/{shift.pk}/signup/",
            headers={"Authorization": f"Token {tokens[n]}"},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=15) as pool:
        statuses = list(pool.map(sign_up, range(30)))
    assert all(status == 201 for status in statuses), statuses
    assert Signup.objects.filter(shift=shift, status="confirmed").count() == 10
    assert Signup.objects.filter(shift=shift, status="waitlisted").count() == 20

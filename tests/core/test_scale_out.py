"""Two web instances (gunicorn, as in production) on loopback sharing one PostgreSQL and one Redis:
what one instance knows, the other does — sessions, rate limits, log-in lockouts — and the
capacity of a shift holds when sign-ups arrive through both at once.

The instances are real processes started with production settings (DEBUG off; static files
served by their plain names) against this test's database and Redis.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from rest_framework.authtoken.models import Token

from events.models import Signup
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import PASSWORD, UserFactory, VolunteerFactory

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}  # production settings
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        DEBUG="false",
        SECRET_KEY="scale-out-test-key-shared-by-both-instances-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        STATIC_MANIFEST="false",  # static files by plain names, no collectstatic needed
        RATE_LIMIT_REGISTER="3/h",
        LOGIN_FAILURE_LIMIT="3",
        WEB_CONCURRENCY="2",
        # The keys this test process writes IINs with, so that both instances read them.
        IIN_ENCRYPTION_KEYS=",".join(settings.IIN_ENCRYPTION_KEYS),
        IIN_HASH_KEY=settings.IIN_HASH_KEY,
    )
    return env


@pytest.fixture
def instances(regions_in_transactional_db) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    urls, procs = [], []
    env = _env()
    for _ in range(2):
        port = _free_port()
        procs.append(
            subprocess.Popen(
                [str(GUNICORN), "volunteer_net.wsgi:application", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass  # still starting
                assert time.monotonic() < deadline, f"{url} did not start"
                time.sleep(0.3)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


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
    tokens = [Token.objects.create(user=VolunteerFactory(with_account=True).user).key for _ in range(30)]

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

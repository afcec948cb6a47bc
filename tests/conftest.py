"""Shared fixtures: personas of two regions, set up the same way in every test.

alice coordinates Almaty (75); bob is a volunteer of Almaty; charlie coordinates Astana (71);
nora is national staff. The suite runs on PostgreSQL only (see volunteer_net/settings.py).
"""

from __future__ import annotations

import importlib
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.reauth import SESSION_KEY
from regions.models import CoordinatorAssignment, Region

from .factories import UserFactory, VolunteerFactory


@pytest.fixture(autouse=True, scope="session")
def _postgres_only(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", "The suite runs on PostgreSQL: run `make test`."


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rate-limit and throttle counts live in the cache (Redis under `make test`), keyed by the
    client's address, which is the same for every test: start each test with none."""
    from django.core.cache import cache

    cache.clear()


def load_regions() -> None:
    """Load the 20 regions with the data migration's own function."""
    from django.apps import apps

    importlib.import_module("regions.migrations.0002_load_regions").load(apps, None)


_flushed = {"regions": False}


@pytest.fixture
def regions_in_transactional_db(transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Transactional tests (live server, parallel clients) flush every table after each test,
    the regions of the data migration included; load them as a fresh database has them."""
    _flushed["regions"] = True
    load_regions()


@pytest.fixture(autouse=True)
def _release_dashboard_connections():  # type: ignore[no-untyped-def]
    """Outside a transaction (transactional and browser tests) the dashboard's sections run on
    threads with connections of their own (reports/sections.py): closed after each test, so
    that none is left open on the database the suite flushes and at the end drops."""
    yield
    from reports import sections

    sections.release_connections()


@pytest.fixture(autouse=True, scope="session")
def _restore_regions_after_session(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The last transactional test flushes the regions; put them back for a reused database.
    A run without transactional tests flushed nothing and has nothing to put back."""
    yield
    if _flushed["regions"]:
        with django_db_blocker.unblock():
            load_regions()


@pytest.fixture
def almaty(db) -> Region:  # type: ignore[no-untyped-def]
    return Region.objects.get(code="75")


@pytest.fixture
def astana(db) -> Region:  # type: ignore[no-untyped-def]
    return Region.objects.get(code="71")


@pytest.fixture
def alice(almaty):  # type: ignore[no-untyped-def]
    """Coordinator of Almaty."""
    user = UserFactory(email="alice@example.kz", full_name="Alice Coordinator")
    CoordinatorAssignment.objects.create(user=user, region=almaty)
    return user


@pytest.fixture
def charlie(astana):  # type: ignore[no-untyped-def]
    """Coordinator of Astana."""
    user = UserFactory(email="charlie@example.kz", full_name="Charlie Coordinator")
    CoordinatorAssignment.objects.create(user=user, region=astana)
    return user


@pytest.fixture
def nora(db):  # type: ignore[no-untyped-def]
    """National staff."""
    return UserFactory(email="nora@example.kz", is_national_staff=True, is_staff=True)


@pytest.fixture
def bob(almaty):  # type: ignore[no-untyped-def]
    """A volunteer of Almaty with an account."""
    return VolunteerFactory(region=almaty, with_account=True, last_name="Қасымов", first_name="Бауыржан")


@pytest.fixture
def astana_volunteer(astana):  # type: ignore[no-untyped-def]
    return VolunteerFactory(region=astana, last_name="Ершова", first_name="Алёна")


def reads_iin(captured: list[dict[str, Any]]) -> bool:
    """Whether any of these captured queries selects a volunteer's IIN (each one read is decrypted)."""
    return any('"volunteers_volunteer"."iin"' in query["sql"] for query in captured)


def mailed_link(message, marker: str) -> str:  # type: ignore[no-untyped-def]
    """The path of the link in a mail's text body whose line contains `marker`."""
    from urllib.parse import urlsplit

    line = next(line for line in message.body.splitlines() if marker in line)
    return urlsplit(line.split()[-1]).path


def api_for(user: Any) -> APIClient:
    """An API client authenticated as `user`."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def in_its_language(response, msgid: str) -> str:  # type: ignore[no-untyped-def]
    """`msgid` as the page that gave `response` says it: in the language that request was
    answered in (the person's own, or the site's default), as a user reads it."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(msgid)


def client_for(user, *, password_confirmed: bool = False) -> Client:  # type: ignore[no-untyped-def]
    """A client logged in as `user`; with `password_confirmed`, as if the password had just been
    typed (accounts/reauth.py: changing the e-mail, deleting the account, exporting IINs)."""
    client = Client()
    client.force_login(user)
    if password_confirmed:
        session = client.session
        session[SESSION_KEY] = int(time.time())
        session.save()
    return client


def staff_personas(*, alice, bob, charlie, nora, office) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Everyone a staff page is checked against: the two regions' coordinators (one with the admin
    flag too), a curator and a front-office clerk of `office`'s region, national staff, a
    superuser, a volunteer, and anonymous (None)."""
    from accounts.models import User

    from .factories import PASSWORD, DetachmentFactory, UserFactory

    curator = UserFactory(email="curator@example.kz")
    DetachmentFactory(region=office.region, curator=curator)
    clerk = UserFactory(email="clerk@example.kz", full_name="Клерк Офисов", is_staff=True)
    office.staff.add(clerk)
    alice_with_flag = UserFactory(email="alice2@example.kz", is_staff=True)
    alice_with_flag.coordinator_assignments.create(region=office.region)
    bob.refresh_from_db()
    return {
        "anonymous": None,
        "volunteer": bob.user,
        "curator": curator,
        "office_staff": clerk,
        "coordinator": alice,
        "coordinator_with_staff_flag": alice_with_flag,
        "other_coordinator": charlie,
        "national_staff": nora,
        "superuser": User.objects.create_superuser(email="root@example.kz", password=PASSWORD),
    }


def persona_client(personas: dict[str, Any], persona: str) -> Client:
    user = personas[persona]
    return Client() if user is None else client_for(user)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Playwright's `page` fixture makes a test a browser test, parametrized by browser; pytest
    then groups it with the others of that parameter, which takes the browser tests out of
    their place at the end (pytest-django runs transactional tests last, because they flush
    the database — the regions of the data migration included). A test outside tests/e2e that
    names an argument `page` did that once and failed the hundreds of tests after it."""
    stray = [
        item.nodeid
        for item in items
        if "page" in getattr(item, "fixturenames", ()) and not item.nodeid.startswith("tests/e2e/")
    ]
    if stray:
        raise pytest.UsageError(
            "only browser tests (tests/e2e) may take the `page` fixture; rename the argument in: "
            + ", ".join(stray)
        )

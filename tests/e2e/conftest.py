"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

How the pieces fit:

* Playwright's sync API keeps an event loop running in the main thread, and Django refuses
  ORM calls from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the
  tests themselves create and check data through the ORM, so it is set here at import time.
* The live server runs in another thread with its own database connection, so test data must
  be committed: every test is transactional (`live_server` implies `transactional_db`); each
  module says so with `pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]`.
* A transactional test ends with a flush of every table, which also deletes the 20 regions
  loaded by the data migration regions/0003. The autouse fixture `_regions` loads them again
  before each test with the migration's own `load` function; at the end of the session they
  are loaded once more, so that a test database kept with --reuse-db is not left without them.
  (`serialized_rollback=True` does not help here: once Playwright's event loop runs in the
  main thread, asgiref hands Django a different connection object, one that lacks the
  serialised content, so nothing would be restored.)
* `playwright install` cannot download browsers on this machine: the system Chromium is used.

Run with a database of your own, e.g.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vn_e2e REDIS_URL=redis://127.0.0.1:6379/14 \
    DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/e2e -p no:cacheprovider
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from volunteer_net.views import landing_url

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# What a user waits for at most; a page of this app answers in well under a second.
expect.set_options(timeout=10_000)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright 0.10 (through pytest-base-url) defines the session fixture `base_url`
    # as a method, which pytest 9 reports on every run; nothing to act on in this project.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: Any) -> dict[str, Any]:
    """Every page is opened on the live server, by a browser set up like a user's in Kazakhstan
    (Kazakh first in Accept-Language, Almaty time)."""
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "kk-KZ",
        "timezone_id": "Asia/Almaty",
    }


@pytest.fixture(autouse=True)
def _regions(regions_in_transactional_db: None) -> None:
    """The 20 regions of the data migration, as on a freshly migrated database."""


def log_in(page: Page, live_server: Any, user: Any, password: str = PASSWORD) -> None:
    """Log in through the login page, as a person would, and check that the person lands on
    the start page of their role (LOGIN_REDIRECT_URL → volunteer_net.views.start)."""
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(user.email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    # A fresh copy: the roles are cached on the user object that the test may have used already.
    expect(page).to_have_url(f"{live_server.url}{landing_url(type(user).objects.get(pk=user.pk))}")
    # A logged-in header has the log-out button (in the folded menu on a phone).
    expect(page.locator("header form[action='/accounts/logout/'] button")).to_be_attached()


@pytest.fixture
def login(page: Page, live_server: Any) -> Callable[..., None]:
    """Log a user in through the login page, as a person would."""

    def _login(user: Any, password: str = PASSWORD) -> None:
        log_in(page, live_server, user, password)

    return _login

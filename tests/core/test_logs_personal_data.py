"""Logs carry no personal data.

A representative run — registration and activation, a wrong and a right log-in, a profile edit
with a new e-mail, a sign-up for a shift, a front-office booking, roster searches by phone, name
and IIN, a care request's intake, a roster export with IINs, a password reset, a reminder by
e-mail and one by SMS through the development backends, refusals and bad input — with every
logger of the project and of Django at DEBUG. What was logged is then searched for the seeded
names, phones (in any layout), e-mails, IINs and the password: none may be there.

The development backends print mails and SMS to standard output (as Django's console e-mail
backend does), never to the log; logs are collected and kept, standard output of a development
server is not.
"""

from __future__ import annotations

import datetime
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.module_loading import import_string

from front_offices import services as front_office_services
from front_offices.models import FrontOffice, OpeningHours, VisitSlot
from notifications import services as notification_services
from tests.care.test_services import intake_data
from tests.conftest import client_for, mailed_link
from tests.core.test_access_matrix import _phone_pattern
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import PASSWORD, VolunteerFactory, iin_for, years_ago
from tests.notifications.conftest import clock, kz, schedule
from tests.reports.conftest import period_query
from volunteer_net.logs import JsonFormatter

NEW_PASSWORD = "Tau-Samal-2026-жаңа"


class _Everything(logging.Handler):
    """Every record, formatted the ways the project formats them (text and JSON), traceback
    included."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.text = logging.Formatter("%(levelname)s %(name)s %(message)s")
        self.json = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.text.format(record))
        self.lines.append(self.json.format(record))
        self.lines.append(repr(record.args))
        # Extra attributes a handler could print (status code, request id…). Not the request
        # object django.request attaches: no formatter of ours prints it (its repr holds the
        # query string, and the gunicorn access log strips that).
        self.lines.append(
            repr({k: v for k, v in vars(record).items() if k not in {"msg", "args", "request"}})
        )


@contextmanager
def all_logs_at_debug() -> Iterator[_Everything]:
    """A handler on the root logger and on every logger that does not pass records up, with
    every logger (axes, django.request, celery, ours) at DEBUG; restored afterwards."""
    handler = _Everything()
    manager = logging.root.manager
    loggers = [logging.root] + [lg for lg in manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    levels = {lg: lg.level for lg in loggers}
    disabled = {lg: lg.disabled for lg in loggers}
    attached = [lg for lg in loggers if lg is logging.root or not lg.propagate]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    for lg in attached:
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        for lg in attached:
            lg.removeHandler(handler)
        for lg in loggers:
            lg.setLevel(levels[lg])
            lg.disabled = disabled[lg]


def _found(text: str, secrets: dict[str, list[str]]) -> list[str]:
    found = [
        f"{kind}: {value}"
        for kind in ("name", "email", "iin", "password")
        for value in secrets[kind]
        if value in text
    ]
    found += [f"phone: {p}" for p in secrets["phone"] if _phone_pattern(p).search(text)]
    found += [f"iin: {iin}" for iin in secrets["iin"] if re.search(r"\s*".join(iin), text)]
    return found


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_a_full_run_logs_no_personal_data(  # type: ignore[no-untyped-def]
    almaty, alice, charlie, nora, django_capture_on_commit_callbacks, capsys
) -> None:
    bob = VolunteerFactory(
        region=almaty,
        with_account=True,
        last_name="Қасымов",
        first_name="Бауыржан",
        email="baurzhan.kasymov@example.kz",
        phone="+77015550101",
    )
    bob.iin = iin_for(bob.birth_date)
    bob.save()
    sms_person = VolunteerFactory(
        region=almaty, last_name="Омарова", first_name="Сәуле", phone="+77015550111", preferred_channel="sms"
    )
    campaign = CampaignFactory(region=almaty)
    shift = ShiftFactory(campaign=campaign, capacity=5)
    office = FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 10")
    for weekday in range(7):
        OpeningHours.objects.create(
            office=office, weekday=weekday, opens=datetime.time(9), closes=datetime.time(21)
        )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    front_office_services.slots_sync(office=office, first=tomorrow, last=tomorrow)
    slot = VisitSlot.objects.filter(office=office, local_date=tomorrow).order_by("starts_at")[3]
    secrets = {
        "name": ["Қасымов", "Бауыржан", "Серікова", "Омарова", "Жұмабаева"],
        "email": ["baurzhan.kasymov@example.kz", "dana.serikova@example.kz", "kasymov.new@example.kz"],
        "phone": ["+77015550101", "+77015554433", "+77015551234", "+77015550111"],
        "iin": [bob.iin],
        "password": [PASSWORD, "Tau-Samal-2026", NEW_PASSWORD],
    }

    with all_logs_at_debug() as logs:
        logging.getLogger("volunteers").debug("the capture is on")
        # Registration and activation by the mailed link.
        visitor = Client()
        with django_capture_on_commit_callbacks(execute=True):
            registered = visitor.post(
                "/accounts/register/",
                {
                    "account-email": "dana.serikova@example.kz",
                    "account-password1": "Tau-Samal-2026",
                    "account-password2": "Tau-Samal-2026",
                    "account-consent": "on",
                    "profile-last_name": "Серікова",
                    "profile-first_name": "Дана",
                    "profile-birth_date": years_ago(22).isoformat(),
                    "profile-phone": "8 701 555 44 33",
                    "profile-region": almaty.pk,
                    "profile-preferred_language": "kk",
                    "profile-preferred_channel": "email",
                },
            )
        assert registered.status_code == 302
        assert visitor.post(mailed_link(mail.outbox[-1], "/accounts/activate/")).status_code == 302

        # A wrong password, then the right one.
        volunteer = Client()
        wrong = volunteer.post("/accounts/login/", {"username": bob.email, "password": "wrong-password"})
        assert wrong.status_code == 200
        assert (
            volunteer.post("/accounts/login/", {"username": bob.email, "password": PASSWORD}).status_code
            == 302
        )

        # The profile with a new e-mail, a sign-up, a booking; a bad phone number.
        profile = {
            "last_name": bob.last_name,
            "first_name": bob.first_name,
            "birth_date": bob.birth_date.isoformat(),
            "phone": "+7 701 555 01 01",
            "email": "kasymov.new@example.kz",
            "region": almaty.pk,
            "preferred_language": "kk",
            "preferred_channel": "email",
            "iin": bob.iin,
        }
        assert volunteer.post("/me/edit/", profile).status_code == 302
        assert volunteer.post("/me/edit/", {**profile, "phone": "8 701 555 01"}).status_code == 200
        assert volunteer.post(f"/shifts/{shift.pk}/signup/").status_code == 302
        booked = volunteer.post(
            f"/front-offices/slots/{slot.pk}/book/", {"purpose": "consultation", "note": ""}
        )
        assert booked.status_code == 302

        # The coordinator: roster searches by phone, name and IIN, the person's page, a care
        # intake, an export; the other region's coordinator is refused.
        coordinator = client_for(alice)
        for query in ("+7 701 555 01 01", "87015550101", "Қасымов", bob.iin):
            assert coordinator.get("/roster/", {"q": query}).status_code == 200
            assert coordinator.get("/api/volunteers/", {"q": query}).status_code == 200
        assert coordinator.get(f"/roster/{bob.pk}/").status_code == 200
        assert client_for(charlie).get(f"/roster/{bob.pk}/", {"q": bob.phone}).status_code == 404
        intake = {
            k: (v.pk if hasattr(v, "pk") else ("on" if v is True else ("" if v is False else v)))
            for k, v in intake_data(almaty, phone="8 701 555 12 34").items()
        }
        intake["due_from"] = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT10:00")
        intake["due_until"] = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT13:00")
        assert coordinator.post("/care/requests/new/", intake).status_code == 302
        national = client_for(nora, password_confirmed=True)
        exported = national.post(
            "/reports/export/", period_query(report="roster", file_format="csv", include_iin="on")
        )
        assert exported.status_code == 200 and bob.iin.encode() in b"".join(exported.streaming_content)

        # A password reset, by the mailed link.
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                Client()
                .post("/accounts/password_reset/", {"email": "baurzhan.kasymov@example.kz"})
                .status_code
                == 302
            )
        reset = Client()
        form = reset.get(mailed_link(mail.outbox[-1], "/accounts/reset/"), follow=True)
        assert form.status_code == 200
        done = reset.post(
            form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert done.status_code == 302

        # A reminder by e-mail and one by SMS, through the development backends.
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
            SMS_BACKEND="notifications.sms.ConsoleSmsBackend",
        ):
            by_mail = schedule(bob, due_at=kz(2026, 5, 19, 12))
            schedule(sms_person, due_at=kz(2026, 5, 19, 12), subject_id=2)
            with clock(by_mail.due_at):
                report = notification_services.messages_send_due(max_seconds=30)
        assert report.sent == 2

    text = "\n".join(logs.lines)
    assert "the capture is on" in text
    assert "Not Found: /roster/" in text  # django.request's warnings were captured too
    assert "+77015550111" in capsys.readouterr().out  # the SMS went to standard output
    leaks = [
        f"{', '.join(found)} in: {line[:300]}" for line in logs.lines if (found := _found(line, secrets))
    ]
    assert not leaks, "personal data in the logs:\n" + "\n".join(leaks[:10])


def test_the_search_finds_personal_data_in_any_layout() -> None:
    """The check above can fail: a phone however it is spaced, an IIN in groups, a name."""
    secrets = {
        "name": ["Қасымов"],
        "email": ["bob@example.kz"],
        "phone": ["+77015550101"],
        "iin": ["900101300123"],
        "password": ["correct-horse"],
    }
    for line in (
        "SMS to +7 (701) 555-01-01",
        "phone 8 701 555 01 01",
        "called 7015550101",
        "IIN 900101 300123",
        "user Қасымов Бауыржан",
        "to=bob@example.kz",
        "password=correct-horse",
    ):
        assert _found(line, secrets), line
    assert not _found("message 7015 sent at 2026-05-19 12:00 to volunteer 42", secrets)


def _through_the_console_handler(record: logging.LogRecord) -> str:
    """The record as the configured console handler would write it (its filters, both formats)."""
    from django.conf import settings

    config = settings.LOGGING
    handler = logging.StreamHandler()
    for name in config["handlers"]["console"]["filters"]:
        spec = config["filters"][name]
        handler.addFilter(import_string(spec["()"])())
    assert handler.filter(record)
    return logging.Formatter("%(message)s").format(record) + "\n" + JsonFormatter().format(record)


def test_what_a_library_puts_in_a_message_or_traceback_is_masked() -> None:
    """A unique violation quotes the key; an SMTP refusal names the address: masked on the way out."""
    try:
        raise ValueError(
            "duplicate key value: Key (email)=(dana.serikova@example.kz) phone 8 (701) 555-44-33"
        )
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s (IIN %s, to %s)",
            ("/roster/", "900101 300123", "+77015554433"),
            sys.exc_info(),
        )
    written = _through_the_console_handler(record)
    for value in ("dana.serikova@example.kz", "555-44-33", "900101 300123", "+77015554433"):
        assert value not in written
    assert "Internal Server Error: /roster/" in written and "duplicate key value" in written
    assert written.count("[personal data]") >= 4


def test_ids_and_times_are_left_alone() -> None:
    record = logging.LogRecord(
        "notifications",
        logging.INFO,
        __file__,
        1,
        "message %s sent at %s, batch 1234567890123",
        (42, "2026-05-19 12:00:05"),
        None,
    )
    assert "message 42 sent at 2026-05-19 12:00:05, batch 1234567890123" in _through_the_console_handler(
        record
    )

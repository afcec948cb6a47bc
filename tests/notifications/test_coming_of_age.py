"""On their 18th birthday, someone still awaiting their guardian is told that their own consent
is what is needed now, once, in their language, with the link to where they give it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications import tasks
from notifications.coming_of_age import SUBJECT_TYPE, _birthday, coming_of_age_messages_schedule
from notifications.models import Message
from notifications.services import messages_send_due
from notifications.sms import sms_segments
from tests.factories import MinorFactory, VolunteerFactory
from tests.notifications.conftest import clock
from volunteers.models import Volunteer, age_on

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


def _awaiting(region, birth_date: datetime.date, **kwargs):  # type: ignore[no-untyped-def]
    return MinorFactory(
        region=region,
        with_account=True,
        birth_date=birth_date,
        status=Volunteer.Status.AWAITING_GUARDIAN,
        **kwargs,
    )


def test_one_message_on_the_birthday_morning_in_their_language(almaty, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://volunteer.example.kz"
    today_18 = _awaiting(
        almaty, datetime.date(2008, 11, 27), preferred_language="kk", preferred_channel="email"
    )
    three_days_ago = _awaiting(
        almaty, datetime.date(2008, 11, 24), preferred_language="ru", preferred_channel="sms"
    )
    # Not told: still 17; 18 for weeks (the profile and the shift pages tell them); their guardian
    # consented; paused by staff; no account to give a consent with; an adult registered as one.
    _awaiting(almaty, datetime.date(2008, 11, 29))
    _awaiting(almaty, datetime.date(2008, 10, 1))
    MinorFactory(region=almaty, with_account=True, birth_date=datetime.date(2008, 11, 27))
    paused = _awaiting(almaty, datetime.date(2008, 11, 27))
    Volunteer.objects.filter(pk=paused.pk).update(status=Volunteer.Status.PAUSED)
    MinorFactory(
        region=almaty, birth_date=datetime.date(2008, 11, 27), status=Volunteer.Status.AWAITING_GUARDIAN
    )
    VolunteerFactory(region=almaty, with_account=True, birth_date=datetime.date(2008, 11, 27))

    moment = datetime.datetime.combine(TODAY, datetime.time(7, 0), tzinfo=timezone.get_default_timezone())
    with clock(moment):
        assert coming_of_age_messages_schedule(today=TODAY) == 2
        # Run again (a second beat, the next day's run): nothing more.
        coming_of_age_messages_schedule(today=TODAY)
        coming_of_age_messages_schedule(today=TODAY + datetime.timedelta(days=1))
    messages = Message.objects.filter(subject_type=SUBJECT_TYPE).order_by("subject_id")
    assert sorted(m.recipient_id for m in messages) == sorted([today_18.pk, three_days_ago.pk])
    first = messages.get(recipient=today_18)
    assert timezone.localtime(first.due_at) == datetime.datetime(
        2026, 11, 27, 10, 0, tzinfo=timezone.get_default_timezone()
    )

    # At ten the e-mail goes, in Kazakh, with the way to the profile's section.
    with clock(first.due_at + datetime.timedelta(minutes=1)):
        messages_send_due(max_seconds=30)
    [email] = mail.outbox
    assert email.to == [today_18.email]
    assert email.subject.endswith("Сізге 18 толды: келісіміңіз керек")
    assert "https://volunteer.example.kz/me/#own-consent" in email.body
    assert "өз келісіміңізді беріңіз" in email.body
    # The one three days late went at once, by SMS, in Russian.
    sms = Message.objects.get(recipient=three_days_ago)
    assert (sms.status, sms.channel, sms.language) == (Message.Status.SENT, "sms", "ru")


def test_the_sms_fits_two_parts_in_kazakh_and_russian(almaty, settings, capsys) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://volunteer.example.kz"
    for language in ("kk", "ru"):
        _awaiting(almaty, datetime.date(2008, 11, 27), preferred_language=language, preferred_channel="sms")
    noon = datetime.datetime.combine(TODAY, datetime.time(12, 0), tzinfo=timezone.get_default_timezone())
    with clock(noon):
        assert tasks.tell_those_come_of_age() == 2
        capsys.readouterr()
        messages_send_due(max_seconds=30)
    printed = capsys.readouterr().out
    assert "Сізге 18 толды" in printed and "Вам исполнилось 18 лет" in printed
    for message in Message.objects.filter(subject_type=SUBJECT_TYPE):
        assert message.status == Message.Status.SENT
        body = message.context["text"] + " " + message.context["url"]
        assert sms_segments(body) <= 2, (message.language, body)


def test_born_on_29_february_the_birthday_is_the_day_age_on_counts_18() -> None:
    born = datetime.date(2008, 2, 29)
    birthday = _birthday(born, 18)
    assert birthday == datetime.date(2026, 3, 1)
    assert age_on(born, birthday) == 18 and age_on(born, birthday - datetime.timedelta(days=1)) == 17

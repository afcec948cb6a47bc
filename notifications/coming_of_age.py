"""Someone who registered at 17, and whose guardian never answered, is told on their 18th
birthday that their own consent is what is needed now (Volunteer.awaits_own_consent): until
they give it on their profile, every sign-up is refused, and nobody else would tell them why.

One message per person: its slot is the birthday's morning, so a second run of the day, or the
next day's run that still sees them, finds the message it scheduled instead of adding one.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from volunteers.models import ADULT_AGE, Volunteer, years_before

from .models import Message
from .services import message_schedule

SUBJECT_TYPE = "volunteers.coming_of_age"
# Not at midnight: the message may be an SMS, and it greets the person on the day.
SEND_AT = datetime.time(10, 0)
# A run the beat missed (a worker down for a few days) is caught up within this many days.
CATCH_UP_DAYS = 7


def _birthday(birth_date: datetime.date, age: int) -> datetime.date:
    """The day `age_on` first counts the person `age`: 1 March for one born on 29 February."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return datetime.date(birth_date.year + age, 3, 1)


def coming_of_age_messages_schedule(*, today: datetime.date | None = None) -> int:
    """Schedule the message for each person who turned 18 in the last `CATCH_UP_DAYS` days while
    awaiting their guardian, and has an account to give their consent with. Returns how many
    were scheduled or found scheduled."""
    today = today or timezone.localdate()
    latest = years_before(today, ADULT_AGE)
    people = Volunteer.objects.filter(
        status=Volunteer.Status.AWAITING_GUARDIAN,
        guardian_consent_at__isnull=True,
        anonymized_at__isnull=True,
        user__is_active=True,
        birth_date__lte=latest,
        birth_date__gt=latest - datetime.timedelta(days=CATCH_UP_DAYS),
    )
    zone = timezone.get_default_timezone()
    url = settings.SITE_URL + reverse("profile") + "#own-consent"
    count = 0
    for person in people.iterator():
        assert person.birth_date is not None  # filtered above
        birthday = _birthday(person.birth_date, ADULT_AGE)
        due = datetime.datetime.combine(birthday, SEND_AT, tzinfo=zone)
        with translation.override(person.preferred_language):
            context = {
                "subject": _("You are 18: your consent is needed"),
                # Short enough for two SMS parts with the link, in Kazakh and Russian.
                "text": _("You are 18 now: give your own consent on your profile to sign up for shifts."),
                "url": url,
            }
        message_schedule(
            recipient=person,
            kind=Message.Kind.GENERIC,
            subject_type=SUBJECT_TYPE,
            subject_id=person.pk,
            due_at=due,
            valid_until=due + datetime.timedelta(days=CATCH_UP_DAYS + 1),
            context=context,
            language=person.preferred_language,
        )
        count += 1
    return count

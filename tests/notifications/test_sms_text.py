"""What an SMS says, as the person's phone shows it: sent by the real sweep through the console
backend (which prints each SMS), from the services that schedule them. An SMS says what, when,
where and the link; with the title, place and office cut short ("…") it fits in two parts."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events import services as events
from front_offices import services as front_offices
from front_offices.models import Purpose
from notifications import rendering, services
from notifications.guardian import SmsGuardianLinkMessenger
from notifications.models import Broadcast, Message, Preference
from notifications.services import messages_send_due
from notifications.sms import sms_segments
from notifications.tokens import announcement_path, announcement_person_token
from tests.conftest import client_for
from tests.events.factories import CampaignFactory, ShiftFactory, in_days
from tests.factories import MinorFactory, VolunteerFactory, years_ago
from tests.front_offices.helpers import make_office, next_weekday, slot_at
from volunteers.guardian_links import guardian_link_url
from volunteers.models import Volunteer

from .conftest import clock, kz, schedule

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
LONG_TITLE = "Весенний субботник по уборке берегов реки Есентай и посадке деревьев вдоль набережной"
LONG_PLACE = "Есентай өзені, 3-учаске, Әл-Фараби даңғылы мен Байтұрсынұлы көшесінің қиылысы"


@pytest.fixture(autouse=True)
def _daytime() -> Iterator[None]:
    """SMS wait out the quiet hours (22:00–08:00 Almaty), so these tests, which send at once,
    run at a moment of the day: noon of the last day that has passed it, never a moment ahead of
    the database's own clock. Run at night as they were, they found nothing to send."""
    now = timezone.localtime()
    if 9 <= now.hour < 21:
        yield
        return
    day = now.date() if now.hour >= 21 else now.date() - datetime.timedelta(days=1)
    with clock(kz(day.year, day.month, day.day, 12, 0)):
        yield


def sent_sms(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Send what is due; the text of each SMS printed, by phone number."""
    capsys.readouterr()
    messages_send_due(max_seconds=30)
    printed = capsys.readouterr().out.split("-" * 79 + "\n")
    texts = {}
    for block in filter(None, printed):
        head, text = block.split("\n", 1)
        texts[head.rsplit(" ", 1)[-1]] = text.rstrip("\n")
    return texts


def sms_person(language: str, phone: str):  # type: ignore[no-untyped-def]
    return VolunteerFactory(preferred_language=language, preferred_channel="sms", phone=phone)


class TestSegments:
    def test_cyrillic_takes_70_in_one_part_and_67_in_each_of_more(self) -> None:
        assert [sms_segments("я" * n) for n in (70, 71, 134, 135)] == [1, 2, 2, 3]

    def test_latin_takes_160_in_one_part_and_153_in_each_of_more(self) -> None:
        assert [sms_segments("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
        # A character of the GSM extension table counts twice.
        assert sms_segments("{" * 81) == 2


class TestTimeInTheSms:
    @pytest.mark.parametrize(
        ("language", "changed"), [("kk", "Өзгерді"), ("ru", "Изменено"), ("en", "Changed")]
    )
    def test_a_changed_shift_sms_says_the_new_time(self, alice, language, changed, capsys) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(title="Таза Алматы"), starts_at=in_days(5, hour=10))
        person = sms_person(language, "+77015550101")
        events.signup_create(shift=shift, volunteer=person, by=None)
        sent_sms(capsys)
        new_start = in_days(6, hour=19)
        events.shift_update(
            shift=shift, data={"starts_at": new_start, "ends_at": new_start + 3 * H}, by=alice
        )
        text = sent_sms(capsys)["+77015550101"]
        when = new_start.strftime("%d.%m.%Y 19:00")
        assert text.startswith(f"{changed}: Таза Алматы, {when} — ")
        assert text.endswith(f" {settings.SITE_URL}/shifts/{shift.pk}/")

    @pytest.mark.parametrize(
        ("language", "tomorrow"), [("kk", "Ертең"), ("ru", "Завтра"), ("en", "Tomorrow")]
    )
    def test_a_reminder_sms_says_when(self, language, tomorrow, capsys) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(title="Таза Алматы"), starts_at=in_days(5, hour=10))
        events.signup_create(shift=shift, volunteer=sms_person(language, "+77015550102"), by=None)
        sent_sms(capsys)
        with clock(shift.starts_at - 24 * H + datetime.timedelta(seconds=5)):
            text = sent_sms(capsys)["+77015550102"]
        assert text.startswith(f"{tomorrow}: Таза Алматы, {shift.starts_at.strftime('%d.%m.%Y')} 10:00 — ")

    @pytest.mark.parametrize(("language", "moved"), [("kk", "Келу ауыстырылды"), ("ru", "Визит перенесён")])
    def test_a_moved_visit_sms_says_the_new_time(self, alice, language, moved, capsys) -> None:  # type: ignore[no-untyped-def]
        office = make_office(name="Алматы фронт-офисі")
        day = next_weekday(2, after=3)
        visit = front_offices.visit_book(
            slot=slot_at(office, day, 10),
            volunteer=sms_person(language, "+77015550103"),
            purpose=Purpose.values[0],
            by=None,
        )
        sent_sms(capsys)
        front_offices.visit_reschedule(visit=visit, to_slot=slot_at(office, day, 16), by=alice)
        text = sent_sms(capsys)["+77015550103"]
        assert text.startswith(f"{moved}: Алматы фронт-офисі, {day:%d.%m.%Y} 16:00 — Абай даңғылы, 1 ")


class TestShortlyBefore:
    @pytest.mark.parametrize(
        ("language", "told", "untrue"),
        [
            ("kk", "«Таза Алматы» {when} басталады.", "Екі сағаттан кейін"),
            ("ru", "«Таза Алматы» начинается {when}.", "Через два часа"),
            ("en", "“Таза Алматы” starts on {when}.", "In two hours"),
        ],
    )
    def test_a_reminder_held_by_the_night_says_the_start_not_in_two_hours(
        self, language, told, untrue, capsys
    ) -> None:  # type: ignore[no-untyped-def]
        # 09:00: the two-hours reminder is due at 07:00, in quiet hours, and goes at 08:00.
        shift = ShiftFactory(campaign=CampaignFactory(title="Таза Алматы"), starts_at=in_days(5, hour=9))
        events.signup_create(shift=shift, volunteer=sms_person(language, "+77015550107"), by=None)
        sent_sms(capsys)
        with clock(shift.starts_at - 2 * H + datetime.timedelta(seconds=5)):
            assert sent_sms(capsys) == {}
        with clock(shift.starts_at - H + datetime.timedelta(seconds=5)):
            text = sent_sms(capsys)["+77015550107"]
        assert text.startswith(told.format(when=f"{shift.starts_at:%d.%m.%Y} 09:00")), text
        assert untrue not in text and text.endswith(f"/shifts/{shift.pk}/")


class TestGuardian:
    @pytest.mark.parametrize(
        ("language", "asked"),
        [
            ("kk", "Volunteer Net: Серікқызы Аружан үшін келісім қажет http"),
            ("ru", "Volunteer Net: Нужно согласие для Серікқызы Аружан http"),
        ],
    )
    def test_the_consent_link_says_who_asks(self, almaty, language, asked, capsys) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(
            region=almaty,
            preferred_language=language,
            first_name="Аружан",
            last_name="Серікқызы",
            birth_date=years_ago(12),
            guardian_phone="+77017654321",
        )
        SmsGuardianLinkMessenger().send(
            volunteer=minor,
            url=guardian_link_url(minor),
            valid_until=timezone.now() + datetime.timedelta(days=7),
        )
        with clock(Message.objects.get(kind="guardian_consent_request").next_attempt_at):
            text = sent_sms(capsys)["+77017654321"]
        assert text.startswith(asked) and f"{settings.SITE_URL}/guardian/" in text, text


class TestLength:
    @pytest.mark.parametrize("language", ["kk", "ru", "en"])
    def test_a_long_title_and_place_are_cut_to_fit_two_parts(self, language, capsys) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(
            campaign=CampaignFactory(title=LONG_TITLE), place_name=LONG_PLACE, starts_at=in_days(5, hour=10)
        )
        events.signup_create(shift=shift, volunteer=sms_person(language, "+77015550104"), by=None)
        confirmation = sent_sms(capsys)["+77015550104"]
        with clock(shift.starts_at - 24 * H + datetime.timedelta(seconds=5)):
            reminder = sent_sms(capsys)["+77015550104"]
        for text in (confirmation, reminder):
            assert sms_segments(text) == 2, text
            # What is cut is the title and the place, never the time or the link.
            assert "Весенний субботник по" in text and "…" in text and LONG_TITLE not in text
            assert f"{shift.starts_at:%d.%m.%Y} 10:00" in text
            assert text.endswith(f" {settings.SITE_URL}/shifts/{shift.pk}/")

    def test_a_short_sms_is_left_whole(self, capsys) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(title="Таза Алматы"), place_name="Саябақ", address="")
        events.signup_create(shift=shift, volunteer=sms_person("kk", "+77015550105"), by=None)
        text = sent_sms(capsys)["+77015550105"]
        assert "…" not in text and "Таза Алматы" in text and "— Саябақ " in text

    def test_a_cancelled_sign_up_sms_says_its_text_once(self, alice, capsys) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=CampaignFactory(title="Таза Алматы"), starts_at=in_days(5, hour=10))
        signup = events.signup_create(shift=shift, volunteer=sms_person("ru", "+77015550106"), by=None)
        sent_sms(capsys)
        events.signup_cancel(signup=signup, by=alice)
        text = sent_sms(capsys)["+77015550106"]
        # The text names the shift and its time itself; its subject line before it said it twice.
        assert text.startswith("Ваша запись на «Таза Алматы»") and text.count("Таза Алматы") == 1


class TestGsmAlphabet:
    def test_an_english_sms_goes_in_gsm_7_with_plain_quotes_and_dashes(self, capsys) -> None:  # type: ignore[no-untyped-def]
        # 09:00: the two-hours reminder is due at 07:00, in quiet hours, and says "“…” starts on".
        shift = ShiftFactory(
            campaign=CampaignFactory(title="Clean Almaty…"),
            starts_at=in_days(5, hour=9),
            place_name="Central Park",
            address="Abay ave 1",
        )
        events.signup_create(shift=shift, volunteer=sms_person("en", "+77015550121"), by=None)
        sent_sms(capsys)
        with clock(shift.starts_at - H + datetime.timedelta(seconds=5)):
            text = sent_sms(capsys)["+77015550121"]
        assert text.startswith(f'"Clean Almaty..." starts on {shift.starts_at:%d.%m.%Y} 09:00.')
        assert " - Central Park, Abay ave 1 " in text
        # 160 characters a part, not 70: one part for what took two.
        assert all(ch not in text for ch in "“”—…") and sms_segments(text) == 1 < sms_segments(
            text.replace('"', "“", 1)
        )

    def test_a_kazakh_sms_keeps_its_own_quotes_and_dashes(self, capsys) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(
            campaign=CampaignFactory(title="Таза Алматы"),
            starts_at=in_days(5, hour=9),
            place_name="Central Park",
            address="Abay ave 1",
        )
        events.signup_create(shift=shift, volunteer=sms_person("kk", "+77015550122"), by=None)
        sent_sms(capsys)
        with clock(shift.starts_at - H + datetime.timedelta(seconds=5)):
            text = sent_sms(capsys)["+77015550122"]
        assert text.startswith("«Таза Алматы»") and " — Central Park, " in text


class TestAnnouncementSms:
    """An announcement may be 5 000 characters: sent whole, 75 paid parts to each person."""

    def _send(self, alice, almaty, language: str, phone: str, subject: str, body: str, capsys) -> str:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(
            region=almaty, preferred_language=language, preferred_channel="sms", phone=phone
        )
        services.broadcast_send(
            volunteers_qs=Volunteer.objects.filter(pk=person.pk), subject=subject, body=body, by=alice
        )
        return sent_sms(capsys)[phone]

    def test_a_long_announcement_is_cut_to_three_parts_with_a_link_to_the_whole(  # type: ignore[no-untyped-def]
        self, alice, almaty, client, capsys
    ) -> None:
        body = "Құрметті волонтерлер! Сенбі күні Есентай өзенінің жағасында үлкен сенбілік өтеді. " * 30
        text = self._send(alice, almaty, "kk", "+77015550131", "Сенбілік", body, capsys)
        assert sms_segments(text) == rendering.SMS_ANNOUNCEMENT_SEGMENTS
        assert text.startswith("Сенбілік: Құрметті волонтерлер! Сенбі күні")
        link = text.rsplit(" ", 1)[1]
        assert link.startswith(f"{settings.SITE_URL}/a/") and "… " in text
        # The recipient's own link opens the whole text, without logging in.
        token = announcement_person_token(
            broadcast_id=Broadcast.objects.get().pk, volunteer_id=Volunteer.objects.get().pk
        )
        assert link == f"{settings.SITE_URL}/a/{token}/"
        page = client.get(link.removeprefix(settings.SITE_URL))
        assert page.status_code == 200 and body.strip()[:400] in page.content.decode()
        assert client.get(link.removeprefix(settings.SITE_URL)[:-3] + "x/").status_code == 404

    def test_an_english_announcement_is_cut_in_gsm_7(self, alice, almaty, capsys) -> None:  # type: ignore[no-untyped-def]
        body = "Dear volunteers — the “Clean Almaty” day is on Saturday; bring gloves. " * 20
        text = self._send(alice, almaty, "en", "+77015550132", "Clean Almaty", body, capsys)
        assert all(ch not in text for ch in "“”—") and sms_segments(text) == 3 and len(text) > 400

    def test_a_short_announcement_goes_whole_with_the_link_to_stop_them(self, alice, almaty, capsys) -> None:  # type: ignore[no-untyped-def]
        text = self._send(alice, almaty, "en", "+77015550133", "Сенбілік", "Сенбі, 10:00, Есентай.", capsys)
        person = Volunteer.objects.get(phone="+77015550133")
        link = f"{settings.SITE_URL}/a/{announcement_person_token(broadcast_id=Broadcast.objects.get().pk, volunteer_id=person.pk)}/"
        assert text == f"Сенбілік: Сенбі, 10:00, Есентай. Full text and stop: {link}"
        assert sms_segments(text) == 2

    def test_staff_see_the_link_counted_in_the_parts(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550136")
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        page = client.post(
            reverse("notifications:broadcast_new"),
            {
                "region": almaty.pk,
                "subject": "Сенбілік",
                "body": "Сенбі, 10:00, Есентай.",
                "action": "preview",
            },
        ).content.decode()
        # 32 characters alone fit in one part; with the link and its words they take two.
        assert "Each SMS takes 2 parts: 2 paid parts in all." in page

    def test_staff_see_the_parts_an_announcement_takes_before_sending(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550134")
        VolunteerFactory(region=almaty, preferred_channel="sms", phone="+77015550135")
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        form = client.get(reverse("notifications:broadcast_new")).content.decode()
        assert "at most 3 parts" in form
        page = client.post(
            reverse("notifications:broadcast_new"),
            {"region": almaty.pk, "subject": "Сенбілік", "body": "Сенбі " * 300, "action": "preview"},
        ).content.decode()
        assert "Each SMS takes 3 parts: 6 paid parts in all." in page
        assert "Whole, the text would take 27 parts" in page  # 1 808 characters, 67 a part


class TestStoppingAnnouncementsFromTheSms:
    """Most of an imported list have a phone and no account: the link at the end of each
    announcement's SMS is their own, and the page it opens stops announcements (only those)."""

    @pytest.fixture
    def person(self, almaty):  # type: ignore[no-untyped-def]
        return VolunteerFactory(
            region=almaty,
            first_name="Айгерим",
            email="",
            phone="+77015550141",
            preferred_channel="sms",
            preferred_language="en",
        )

    def _announce(self, alice, person, subject: str, capsys) -> str | None:  # type: ignore[no-untyped-def]
        services.broadcast_send(
            volunteers_qs=Volunteer.objects.filter(pk=person.pk),
            subject=subject,
            body="Сенбі, 10:00.",
            by=alice,
        )
        return sent_sms(capsys).get(person.phone)

    def test_a_person_without_an_account_stops_announcements_from_the_link(  # type: ignore[no-untyped-def]
        self, alice, person, client, capsys
    ) -> None:
        assert person.user_id is None
        text = self._announce(alice, person, "Сенбілік", capsys)
        assert text is not None and "Full text and stop: " in text
        url = text.rsplit(" ", 1)[1].removeprefix(settings.SITE_URL)
        page = client.get(url).content.decode()
        assert "Сенбі, 10:00." in page and "Stop announcements" in page
        # Whoever holds the link (it may have been forwarded) learns nothing the SMS did not say.
        assert "Айгерим" not in page and person.last_name not in page and "5550141" not in page
        assert not Preference.objects.exists()  # opening the link stops nothing

        done = client.post(url)
        assert done.status_code == 200
        assert "will no longer send you announcements" in done.content.decode()
        preference = Preference.objects.get(volunteer=person)
        assert (preference.announcements_opt_out, preference.sms_opt_out) == (True, False)
        assert preference.updated_at is not None
        assert "Stop announcements" not in client.get(url).content.decode()

        listed = Volunteer.objects.filter(pk=person.pk)
        assert services.broadcast_preview(volunteers_qs=listed, by=alice).opted_out == 1
        assert self._announce(alice, person, "Тағы да", capsys) is None
        # The news of their own shifts keeps coming.
        starts = timezone.now() + datetime.timedelta(hours=24)
        reminder = schedule(person, due_at=timezone.now(), starts_at=starts)
        assert reminder.channel == "sms"
        assert person.phone in sent_sms(capsys)
        reminder.refresh_from_db()
        assert reminder.status == "sent"

    def test_a_link_sent_before_each_person_had_their_own_still_shows_the_text(  # type: ignore[no-untyped-def]
        self, alice, client
    ) -> None:
        broadcast = Broadcast.objects.create(subject="Сенбілік", body="Сенбі, 10:00.", created_by=alice)
        url = announcement_path(broadcast_id=broadcast.pk)
        page = client.get(url).content.decode()
        assert "Сенбі, 10:00." in page and "Stop announcements" not in page
        # Shared by everybody it went to, it stops nobody's.
        assert client.post(url).status_code == 404
        assert not Preference.objects.exists()

    def test_a_tampered_link_answers_not_found(self, alice, person, client) -> None:  # type: ignore[no-untyped-def]
        broadcast = Broadcast.objects.create(subject="Сенбілік", body="Сенбі, 10:00.", created_by=alice)
        token = announcement_person_token(broadcast_id=broadcast.pk, volunteer_id=person.pk)
        other = VolunteerFactory(region=person.region)
        signature = token.rsplit(".", 1)[1]
        for forged in (
            f"{broadcast.pk}.{other.pk}.{signature}",  # someone else's announcements
            token[:-1] + ("A" if token[-1] != "A" else "B"),
            f"{broadcast.pk}.{person.pk}",
            f"{broadcast.pk}-{signature}",
        ):
            assert client.get(f"/a/{forged}/").status_code == 404, forged
            assert client.post(f"/a/{forged}/").status_code == 404, forged
        assert not Preference.objects.exists()

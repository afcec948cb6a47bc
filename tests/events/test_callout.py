"""Emergency call-outs: who is called, the signed answer links, and confirming onto a shift."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client

from events import services_extra
from events.models import CallOut, CallOutAnswer, Campaign, Signup
from notifications.models import Message
from notifications.rendering import render_message
from notifications.services import messages_send_due
from notifications.sms import sms_segments
from notifications.timing import in_quiet_hours
from tests.conftest import client_for, mailed_link
from tests.factories import MinorFactory, SkillFactory, VolunteerFactory, years_ago

from .factories import CampaignFactory, ShiftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flood(almaty):  # type: ignore[no-untyped-def]
    return CampaignFactory(region=almaty, kind=Campaign.Kind.EMERGENCY, title="Су тасқыны")


def _call(flood, alice, **kwargs):  # type: ignore[no-untyped-def]
    return services_extra.callout_create(campaign=flood, text="Қапшық толтыру керек.", by=alice, **kwargs)


def _link(answer: CallOutAnswer) -> str:
    return f"/callout/{services_extra.callout_token(answer)}/"


class TestWhoIsCalled:
    def test_only_adult_active_people_of_the_region(
        self, flood, alice, bob, almaty, astana_volunteer
    ) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty)
        seventeen = MinorFactory(region=almaty, birth_date=years_ago(17))
        inactive = VolunteerFactory(region=almaty, status="paused")
        no_birth = VolunteerFactory(region=almaty)
        type(no_birth).objects.filter(pk=no_birth.pk).update(birth_date=None)
        callout = _call(flood, alice)
        called = set(callout.answers.values_list("volunteer_id", flat=True))
        assert called == {bob.pk}
        assert not {minor.pk, seventeen.pk, inactive.pk, no_birth.pk, astana_volunteer.pk} & called

    def test_skills_filter(self, flood, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        medic = SkillFactory(code="first-aid")
        driver = SkillFactory(code="driver")
        nurse = VolunteerFactory(region=almaty)
        nurse.skills.add(medic, driver)  # both skills: called once
        young_medic = MinorFactory(region=almaty)
        young_medic.skills.add(medic)
        callout = _call(flood, alice, skills=[medic, driver])
        assert list(callout.answers.values_list("volunteer_id", flat=True)) == [nurse.pk]

    def test_not_for_other_kinds_and_nobody_to_call(self, almaty, alice) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError):
            _call(CampaignFactory(region=almaty), alice)
        with pytest.raises(ValidationError):  # nobody adult in the region
            _call(CampaignFactory(region=almaty, kind=Campaign.Kind.EMERGENCY), alice)
        assert not CallOut.objects.exists()
        assert (
            client_for(alice)
            .get(f"/manage/campaigns/{CampaignFactory(region=almaty).pk}/callouts/new/")
            .status_code
            == 404
        )

    def test_page_names_the_region_as_it_stands_not_declined(self, flood, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        # "…волонтёр региона город Алматы": the region's name sits apart, in parentheses, so no
        # language has to decline it.
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        page = client.get(f"/manage/campaigns/{flood.pk}/callouts/new/").content.decode()
        assert f"Every adult, active volunteer of the campaign's region ({almaty.name_en}) gets" in page

    def test_page_creates_and_links_are_sent_as_urgent_sms(self, flood, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_channel="email")
        texter = VolunteerFactory(region=almaty, preferred_channel="sms")
        client = client_for(alice)
        assert client.get(f"/manage/campaigns/{flood.pk}/callouts/new/").status_code == 200
        response = client.post(
            f"/manage/campaigns/{flood.pk}/callouts/new/", {"text": "Жиналу: 9:00, әкімдік."}
        )
        callout = CallOut.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/manage/callouts/{callout.pk}/"
        sms = Message.objects.get(kind="callout", recipient=texter)
        assert sms.channel == "sms" and sms.next_attempt_at == sms.due_at  # never held for quiet hours
        messages_send_due(max_seconds=30)
        assert [m.to for m in mail.outbox] == [[person.email]]
        answer = CallOutAnswer.objects.get(callout=callout, volunteer=person)
        link = mailed_link(mail.outbox[0], "/callout/")
        assert services_extra.callout_answer_from_token(link.split("/")[2]) == answer
        assert client_for(alice).get(link).status_code == 200
        assert Message.objects.get(kind="callout", recipient=texter).status == "sent"

    def test_sms_at_night_is_not_held(self, flood, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty, preferred_channel="sms")
        night = datetime.datetime(2026, 11, 25, 22, 30, tzinfo=datetime.UTC)  # 03:30 in Almaty
        assert in_quiet_hours(night)
        with mock.patch("django.utils.timezone.now", return_value=night):
            callout = _call(flood, alice)
        sms = Message.objects.get(kind="callout", subject_id=callout.answers.get().pk)
        assert sms.next_attempt_at == night


class TestLinks:
    def test_answer_without_login_and_change_it(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        answer = _call(flood, alice).answers.get()
        client = client_for(bob.user)
        client.logout()
        page = client.get(_link(answer))
        assert page.status_code == 200 and "Қапшық толтыру" in page.content.decode()
        client.post(_link(answer), {"answer": "yes"})
        answer.refresh_from_db()
        assert answer.answer == "yes" and answer.answered_at is not None
        reused = client.get(_link(answer)).content.decode()
        assert 'id="recorded-answer"' in reused and 'id="callout-answer-form"' in reused
        client.post(_link(answer), {"answer": "no"})
        answer.refresh_from_db()
        assert answer.answer == "no"

    def test_the_answer_page_reads_in_the_language_of_the_message(self, flood, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty, preferred_language="ru")
        answer = _call(flood, alice).answers.get(volunteer=person)
        # Opened on a phone set to English, nobody logged in.
        page = Client().get(_link(answer), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="ru"' in page
        posted = Client().post(_link(answer), {"answer": "yes"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
        assert "Спасибо" in posted.content.decode()

    def test_forged_and_tampered_links_are_404(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        answer = _call(flood, alice).answers.get()
        client = client_for(bob.user)
        client.logout()
        assert client.get("/callout/forged/").status_code == 404
        other_salt = signing.dumps({"a": answer.pk, "t": answer.token}, salt="something.else")
        assert client.get(f"/callout/{other_salt}/").status_code == 404
        wrong_secret = signing.dumps({"a": answer.pk, "t": "0" * 16}, salt=services_extra.CALLOUT_SALT)
        assert client.post(f"/callout/{wrong_secret}/", {"answer": "yes"}).status_code == 404
        answer.refresh_from_db()
        assert answer.answer == "none"

    def test_links_sent_before_links_were_short_still_open(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        answer = _call(flood, alice).answers.get()
        before = signing.dumps(
            {"a": answer.pk, "t": answer.token}, salt=services_extra.CALLOUT_SALT, compress=True
        )
        assert client_for(bob.user).get(f"/callout/{before}/").status_code == 200
        assert services_extra.callout_answer_from_token(before) == answer

    def test_a_link_made_with_another_answers_secret_is_404(self, flood, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty)
        first, second = _call(flood, alice).answers.order_by("pk")
        CallOutAnswer.objects.filter(pk=second.pk).update(token=first.token + "x")
        # Signed for the first answer's row: the second's secret differs, so the link is refused.
        swapped = services_extra.short_dumps(
            "IQ",
            (second.pk, int(time.time() * 1000)),
            salt=services_extra.CALLOUT_SALT,
            key_extra=first.token,
        )
        assert Client().get(f"/callout/{swapped}/").status_code == 404

    def test_the_sms_with_its_link_fits_two_parts(self, flood, alice, almaty, settings) -> None:  # type: ignore[no-untyped-def]
        """A call-out goes to thousands of phones, each part of each SMS paid for: the link was
        106 characters and, with the Kazakh or Russian text, made three parts of a short call."""
        settings.SITE_URL = "https://volunteers.example.kz"
        for language in ("kk", "ru"):
            VolunteerFactory(region=almaty, preferred_channel="sms", preferred_language=language)
        _call(flood, alice)
        texts = [render_message(m)[1] for m in Message.objects.filter(kind="callout", channel="sms")]
        assert len(texts) == 2
        for text in texts:
            assert "https://volunteers.example.kz/callout/" in text and "Қапшық толтыру керек." in text
            assert sms_segments(text) <= 2, text

    def test_expired_link_says_so(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        answer = _call(flood, alice).answers.get()
        link = _link(answer)
        later = time.time() + services_extra.CALLOUT_LINK_MAX_AGE.total_seconds() + 60
        with mock.patch("time.time", return_value=later):
            page = client_for(alice).get(link)
            posted = client_for(alice).post(link, {"answer": "yes"})
        assert page.status_code == 410 and posted.status_code == 410
        answer.refresh_from_db()
        assert answer.answer == "none"

    def test_closed_call_out_keeps_the_answer(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        callout = _call(flood, alice)
        answer = callout.answers.get()
        services_extra.callout_answer_set(answer=answer, value="yes")
        assert client_for(alice).post(f"/manage/callouts/{callout.pk}/close/").status_code == 302
        client_for(bob.user).post(_link(answer), {"answer": "no"})
        answer.refresh_from_db()
        assert answer.answer == "yes"
        page = client_for(bob.user).get(_link(answer)).content.decode()
        assert 'id="callout-answer-form"' not in page and 'id="recorded-answer"' in page

    def test_bad_answer_value_changes_nothing(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        answer = _call(flood, alice).answers.get()
        response = client_for(alice).post(_link(answer), {"answer": "maybe"})
        assert response.status_code == 302
        answer.refresh_from_db()
        assert answer.answer == "none"


class TestCoordinatorPage:
    def test_counts_json_and_confirm_onto_shift(self, flood, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory(campaign=flood, capacity=1)
        busy = VolunteerFactory(region=almaty, last_name="Бос емес")
        callout = _call(flood, alice)
        no = VolunteerFactory(region=almaty)  # joined later: not called out
        answers = {a.volunteer_id: a for a in callout.answers.all()}
        assert no.pk not in answers
        services_extra.callout_answer_set(answer=answers[bob.pk], value="yes")
        services_extra.callout_answer_set(answer=answers[busy.pk], value="yes")
        client = client_for(alice)
        page = client.get(f"/manage/callouts/{callout.pk}/").content.decode()
        assert 'src="/static/js/callout.js"' in page and 'id="callout-refresh"' in page
        assert "<script>" not in page
        data = client.get(f"/manage/callouts/{callout.pk}/status.json").json()
        assert data["counts"] == {"yes": 2, "no": 0, "none": 0, "total": 2}
        response = client.post(f"/manage/callouts/{callout.pk}/confirm/", {"shift": shift.pk}, follow=True)
        text = response.content.decode()
        confirmed = Signup.objects.get(shift=shift)
        assert confirmed.status == Signup.Status.CONFIRMED
        refused = bob if confirmed.volunteer_id == busy.pk else busy
        assert refused.full_name in text  # the refusal (shift full), by name
        assert not Signup.objects.filter(volunteer=refused, shift=shift).exists()

    def test_shift_of_another_campaign_is_refused(self, flood, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        callout = _call(flood, alice)
        services_extra.callout_answer_set(answer=callout.answers.get(), value="yes")
        other = ShiftFactory(campaign=CampaignFactory(region=almaty))
        client_for(alice).post(f"/manage/callouts/{callout.pk}/confirm/", {"shift": other.pk})
        client_for(alice).post(f"/manage/callouts/{callout.pk}/confirm/", {"shift": "x"})
        assert not Signup.objects.exists()

    def test_charlie_gets_404_everywhere(self, flood, alice, charlie, bob) -> None:  # type: ignore[no-untyped-def]
        callout = _call(flood, alice)
        shift = ShiftFactory(campaign=flood)
        services_extra.callout_answer_set(answer=callout.answers.get(), value="yes")
        client = client_for(charlie)
        assert client.get(f"/manage/campaigns/{flood.pk}/callouts/new/").status_code == 404
        assert client.post(f"/manage/campaigns/{flood.pk}/callouts/new/", {"text": "x"}).status_code == 404
        assert client.get(f"/manage/callouts/{callout.pk}/").status_code == 404
        assert client.get(f"/manage/callouts/{callout.pk}/status.json").status_code == 404
        assert client.post(f"/manage/callouts/{callout.pk}/confirm/", {"shift": shift.pk}).status_code == 404
        assert client.post(f"/manage/callouts/{callout.pk}/close/").status_code == 404
        assert CallOut.objects.count() == 1 and not Signup.objects.exists()
        callout.refresh_from_db()
        assert callout.is_open

    def test_get_on_post_only_routes_is_405(self, flood, alice, bob) -> None:  # type: ignore[no-untyped-def]
        callout = _call(flood, alice)
        assert client_for(alice).get(f"/manage/callouts/{callout.pk}/confirm/").status_code == 405
        assert client_for(alice).get(f"/manage/callouts/{callout.pk}/close/").status_code == 405


def test_call_out_page_queries_do_not_grow_with_answers(flood, alice, almaty) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ShiftFactory(campaign=flood)
    client = client_for(alice)
    counts = []
    for people in (1, 6):
        for _ in range(people):
            VolunteerFactory(region=almaty)
        callout = _call(flood, alice)
        for url in (f"/manage/callouts/{callout.pk}/", f"/manage/callouts/{callout.pk}/status.json"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]


class TestWithinDistance:
    """Volunteers' areas (two decimals, about a kilometre) against a call-out's circle.
    Medeu district's flood point in Almaty; Kaskelen lies ~25 km west, Talgar ~25 km east."""

    POINT = {"latitude": "43.2380", "longitude": "76.9450"}

    def _person(self, almaty, lat, lon):  # type: ignore[no-untyped-def]
        return VolunteerFactory(region=almaty, latitude=Decimal(lat), longitude=Decimal(lon))

    def test_only_those_inside_the_circle_and_with_an_area(self, flood, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        near = self._person(almaty, "43.25", "76.95")  # ~1.5 km
        edge = self._person(almaty, "43.32", "76.95")  # ~9.1 km north
        kaskelen = self._person(almaty, "43.20", "76.62")  # ~26 km west
        callout = _call(
            flood, alice, near=services_extra.Near(Decimal("43.2380"), Decimal("76.9450"), radius_km=10)
        )
        called = set(callout.answers.values_list("volunteer_id", flat=True))
        assert called == {near.pk, edge.pk}  # bob gave no area; Kaskelen is too far
        assert kaskelen.pk not in called and bob.pk not in called
        callout.refresh_from_db()
        assert (callout.radius_km, str(callout.latitude)) == (10, "43.23800")

    def test_distance_is_great_circle(self) -> None:
        # Almaty → Astana is about 970 km by air.
        assert 950 < services_extra.distance_km(43.2380, 76.9450, 51.1694, 71.4491) < 990

    def test_nobody_inside_says_why(self, flood, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        self._person(almaty, "43.20", "76.62")
        with pytest.raises(ValidationError) as raised:
            _call(flood, alice, near=services_extra.Near(Decimal("43.2380"), Decimal("76.9450"), radius_km=5))
        assert "5 км радиуста" in str(raised.value)  # in Kazakh, the default language
        assert not CallOut.objects.exists()

    def test_page_asks_for_point_and_distance_together(self, flood, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        inside = self._person(almaty, "43.24", "76.94")
        client = client_for(alice)
        url = f"/manage/campaigns/{flood.pk}/callouts/new/"
        text = {"text": "Жиналу: 9:00."}
        half = client.post(url, {**text, **self.POINT}, HTTP_ACCEPT_LANGUAGE="kk")
        assert half.status_code == 200 and not CallOut.objects.exists()
        assert "Нүкте мен қашықтықты бірге" in half.content.decode()
        abroad = client.post(url, {**text, "latitude": "55.75", "longitude": "37.62", "radius_km": "10"})
        assert abroad.status_code == 200 and "Қазақстан аумағында" in abroad.content.decode()
        too_far = client.post(url, {**text, **self.POINT, "radius_km": "5000"})
        assert too_far.status_code == 200 and not CallOut.objects.exists()
        done = client.post(url, {**text, **self.POINT, "radius_km": "3"})
        callout = CallOut.objects.get()
        assert done.status_code == 302
        assert list(callout.answers.values_list("volunteer_id", flat=True)) == [inside.pk]
        assert "3 км радиуста" in client.get(f"/manage/callouts/{callout.pk}/").content.decode()

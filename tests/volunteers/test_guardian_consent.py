"""Minors and their guardian's consent (law 42-VI art. 12; personal-data law 94-V): a minor who
registers alone waits for the guardian; the guardian confirms through a signed, expiring link,
sent by SMS to the guardian's phone and never shown to the minor, or staff record a signed form
with its number and date; consent can be withdrawn, with history."""

import datetime
import json

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from notifications.models import Message
from notifications.rendering import render_message
from notifications.services import messages_send_due
from notifications.sms import sms_segments
from tests.conftest import client_for
from tests.factories import MinorFactory, VolunteerFactory, years_ago
from tests.notifications.conftest import clock
from volunteers import services
from volunteers.guardian_links import _guardian_key, guardian_link_token
from volunteers.models import GuardianConsent, Volunteer

from .test_selfservice_views import _register, _registration

GUARDIAN_PHONE = "+77017654321"


def guardian_messages(volunteer: Volunteer) -> list[Message]:
    """The links queued for the person's guardian, oldest first (the outbox, as staff follow it)."""
    return list(
        Message.objects.filter(subject_type="volunteers.guardian", subject_id=volunteer.pk).order_by("due_at")
    )


def send_and_read_sms(message: Message, capsys) -> str:  # type: ignore[no-untyped-def]
    """Send what is due at the message's first chance (SMS wait out the night) and return what
    the SMS backend printed: what reached the phone."""
    capsys.readouterr()
    with clock(message.next_attempt_at):
        messages_send_due(max_seconds=30)
    return capsys.readouterr().out


def token_of(message: Message) -> str:
    return message.context["url"].rstrip("/").rsplit("/", 1)[1]


RECORD = {"action": "record", "document_number": "75-118", "document_date": "2026-11-20", "confirm": "on"}


@pytest.fixture
def child(almaty):  # type: ignore[no-untyped-def]
    """A 12-year-old of Almaty whose guardian has not consented yet."""
    return MinorFactory(
        region=almaty,
        birth_date=years_ago(12),
        first_name="Аружан",
        status=Volunteer.Status.AWAITING_GUARDIAN,
    )


@pytest.mark.django_db
class TestMinorRegisteringAlone:
    def test_is_kept_awaiting_and_the_link_goes_to_the_guardians_phone_only(  # type: ignore[no-untyped-def]
        self, almaty, django_capture_on_commit_callbacks, capsys
    ) -> None:
        data = _registration(
            almaty,
            **{
                "profile-birth_date": years_ago(12).isoformat(),
                "profile-guardian_name": "Серікова Гүлнар",
                "profile-guardian_phone": "8 701 765 43 21",
                "profile-guardian_relation": "mother",
            },
        )
        _register(Client(), data, django_capture_on_commit_callbacks)
        minor = Volunteer.objects.get(user__email="dana@example.kz")
        assert minor.status == Volunteer.Status.AWAITING_GUARDIAN
        assert not minor.may_take_part()

        # Exactly one SMS, to the guardian's number, in the minor's language, with the link.
        [message] = guardian_messages(minor)
        assert (message.kind, message.channel) == ("guardian_consent_request", "sms")
        assert (message.recipient_id, message.recipient_phone) == (minor.pk, GUARDIAN_PHONE)
        assert message.language == "kk"
        token = token_of(message)
        sms = send_and_read_sms(message, capsys)
        assert f"to {GUARDIAN_PHONE}" in sms and f"/guardian/{token}/" in sms
        assert minor.phone not in sms
        message.refresh_from_db()
        assert message.status == Message.Status.SENT

        # The minor's own pages say where it went, and never hold the link.
        minor.user.is_active = True
        minor.user.save()
        client = client_for(minor.user)
        client.cookies["django_language"] = "en"
        html = client.get("/me/").content.decode()
        assert 'id="guardian-next-step"' in html
        assert "We sent your parent or guardian a personal link by SMS to +7 701 *** ** 21" in html
        assert 'action="/me/guardian-link/"' in html and "Send the link again" in html
        assert "765 43" not in html.split('id="guardian-next-step"')[1].split("</section>")[0]
        for url in ("/me/", "/me/messages/", "/me/data.json", "/api/me/", "/me/edit/"):
            body = client.get(url).content.decode()
            assert token not in body and "/guardian/" not in body, url
        assert json.loads(client.get("/api/me/").content)["volunteer"]["is_minor"] is True

    def test_guardians_phone_cannot_be_the_minors_own(  # type: ignore[no-untyped-def]
        self, almaty, django_capture_on_commit_callbacks
    ) -> None:
        data = _registration(
            almaty,
            **{
                "profile-birth_date": years_ago(14).isoformat(),
                "profile-phone": "8 701 765 43 21",
                "profile-guardian_name": "Серікова Гүлнар",
                "profile-guardian_phone": "+7 (701) 765-43-21",
                "profile-guardian_relation": "mother",
            },
        )
        response = _register(Client(), data, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert response.context["profile_form"].errors["guardian_phone"] == [
            "The guardian's phone must differ from the volunteer's own phone."
        ]
        assert not Volunteer.objects.exists() and not Message.objects.exists()

    def test_coordinator_cannot_just_switch_the_minor_to_active(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.volunteer_update(volunteer=child, changed_by=alice, data={"status": "active"})
        assert "status" in exc.value.error_dict
        child.refresh_from_db()
        assert child.status == Volunteer.Status.AWAITING_GUARDIAN

    def test_filter_lists_minors_without_consent(self, alice, almaty, child) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty)  # an adult
        MinorFactory(region=almaty, guardian_consent_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC))
        response = client_for(alice).get("/roster/", {"consent": "missing"})
        assert [v.pk for v in response.context["page"].object_list] == [child.pk]


@pytest.mark.django_db
class TestGuardianLink:
    def test_guardian_confirms_once_and_the_child_becomes_active(self, child) -> None:  # type: ignore[no-untyped-def]
        url = f"/guardian/{guardian_link_token(child)}/"
        page = Client().get(url, HTTP_ACCEPT_LANGUAGE="ru")
        assert page.status_code == 200
        assert "Аружан" in page.content.decode()
        assert child.last_name not in page.content.decode()  # the page names the child, no more
        response = Client().post(url, {"guardian_name": "Ахметова Гүлнара", "agree": "on"})
        assert response.status_code == 302
        child.refresh_from_db()
        assert child.status == Volunteer.Status.ACTIVE and child.may_take_part()
        consent = child.guardian_consents.get()
        assert consent.method == GuardianConsent.Method.LINK and consent.guardian_name == "Ахметова Гүлнара"
        assert consent.recorded_by is None
        # The link used again records nothing more and says it is done.
        again = Client().post(url, {"guardian_name": "Кто-то", "agree": "on"})
        assert again.status_code == 200 and again.context["done"]
        assert child.guardian_consents.count() == 1
        assert child.changes.filter(action="consent").count() == 1

    def test_without_ticking_the_box_nothing_is_recorded(self, child) -> None:  # type: ignore[no-untyped-def]
        response = Client().post(f"/guardian/{guardian_link_token(child)}/", {"guardian_name": "Ахметова"})
        assert response.status_code == 200 and "agree" in response.context["form"].errors
        assert not child.guardian_consents.exists()

    def test_forged_link_is_refused(self, child) -> None:  # type: ignore[no-untyped-def]
        forged = signing.dumps({"v": child.pk, "g": "0" * 16}, salt="someone-else")
        for token in (forged, guardian_link_token(child)[:-3] + "abc", "%00"):
            response = Client().post(f"/guardian/{token}/", {"guardian_name": "X", "agree": "on"})
            assert response.status_code in (400, 404), token
        assert not child.guardian_consents.exists()

    @override_settings(GUARDIAN_LINK_DAYS=0)
    def test_expired_link_is_refused(self, child) -> None:  # type: ignore[no-untyped-def]
        response = Client().get(f"/guardian/{guardian_link_token(child)}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert "expired" in response.context["error"]

    def test_link_stops_working_when_the_guardian_changes(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        token = guardian_link_token(child)
        services.volunteer_update(
            volunteer=child,
            changed_by=alice,
            data={"guardian_name": "Ахметов Ерлан", "guardian_relation": "father"},
        )
        response = Client().post(f"/guardian/{token}/", {"guardian_name": "Ахметова", "agree": "on"})
        assert response.status_code == 404
        assert not child.guardian_consents.exists()

    def test_a_link_for_a_record_merged_since_gives_the_consent_to_the_record_kept(  # type: ignore[no-untyped-def]
        self, alice, almaty, child
    ) -> None:
        # The curator added the pupil too: the same child with the same mother, twice on file.
        twin = MinorFactory(
            region=almaty,
            birth_date=child.birth_date,
            first_name="Аружан",
            phone=child.phone,
            status=Volunteer.Status.AWAITING_GUARDIAN,
        )
        sent = guardian_link_token(twin)
        services.volunteer_merge(keep=child, drop=twin, by=alice)
        url = f"/guardian/{sent}/"
        page = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200 and "Аружан" in page.content.decode()
        assert Client().post(url, {"guardian_name": "Ахметова Гүлнара", "agree": "on"}).status_code == 302
        child.refresh_from_db()
        assert child.status == Volunteer.Status.ACTIVE
        assert child.guardian_consents.get().method == GuardianConsent.Method.LINK

    def test_a_link_for_a_merged_record_of_another_guardian_stays_dead(self, alice, almaty, child) -> None:  # type: ignore[no-untyped-def]
        twin = MinorFactory(
            region=almaty,
            birth_date=child.birth_date,
            phone=child.phone,
            guardian_name="Ахметов Ерлан",
            guardian_phone="+77017000000",
            guardian_relation="father",
            status=Volunteer.Status.AWAITING_GUARDIAN,
        )
        sent = guardian_link_token(twin)
        services.volunteer_merge(keep=child, drop=twin, by=alice)
        response = Client().post(f"/guardian/{sent}/", {"guardian_name": "Ахметов Ерлан", "agree": "on"})
        assert response.status_code == 404
        assert not child.guardian_consents.exists()

    def test_a_link_sent_before_a_withdrawal_does_not_give_consent_back(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        # The consent was withdrawn (the guardian changed their mind, or it was the wrong person):
        # a link sent before that must not quietly restore it; a link made afterwards does.
        old = guardian_link_token(child)
        client = client_for(alice)
        client.post(f"/roster/{child.pk}/guardian-consent/", RECORD)
        client.post(f"/roster/{child.pk}/guardian-consent/", {"action": "withdraw", "reason": "Не тот номер"})
        page = Client().get(f"/guardian/{old}/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 404 and "no longer valid" in page.context["error"]
        refused = Client().post(f"/guardian/{old}/", {"guardian_name": "Ахметова", "agree": "on"})
        assert refused.status_code == 404
        child.refresh_from_db()
        assert child.status == Volunteer.Status.AWAITING_GUARDIAN and child.guardian_consent_at is None
        assert child.guardian_consents.filter(withdrawn_at__isnull=True).count() == 0
        new = Client().post(
            f"/guardian/{guardian_link_token(child)}/", {"guardian_name": "Ахметова", "agree": "on"}
        )
        assert new.status_code == 302
        child.refresh_from_db()
        assert child.status == Volunteer.Status.ACTIVE
        assert (
            child.guardian_consents.filter(withdrawn_at__isnull=True).get().method
            == GuardianConsent.Method.LINK
        )

    def test_a_link_from_before_links_carried_their_time_stops_at_a_withdrawal(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        made_earlier = signing.dumps(
            {"v": child.pk, "g": _guardian_key(child), "n": 2},
            salt="volunteers.guardian-consent",
            compress=True,
        )
        assert Client().get(f"/guardian/{made_earlier}/").status_code == 200
        client = client_for(alice)
        client.post(f"/roster/{child.pk}/guardian-consent/", RECORD)
        client.post(
            f"/roster/{child.pk}/guardian-consent/", {"action": "withdraw", "reason": "Мама позвонила"}
        )
        assert Client().get(f"/guardian/{made_earlier}/").status_code == 404


@pytest.mark.django_db
class TestStaffRecordAndWithdraw:
    def test_coordinator_records_a_signed_form_with_its_document(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(f"/roster/{child.pk}/guardian-consent/", RECORD)
        assert response.status_code == 302
        consent = child.guardian_consents.get()
        assert (consent.document_number, consent.document_date) == ("75-118", datetime.date(2026, 11, 20))
        assert consent.recorded_by == alice and consent.method == GuardianConsent.Method.PAPER
        child.refresh_from_db()
        assert child.status == Volunteer.Status.ACTIVE

    def test_future_document_date_is_a_field_error(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            f"/roster/{child.pk}/guardian-consent/", {**RECORD, "document_date": "2099-01-01"}
        )
        assert response.status_code == 200 and "document_date" in response.context["record_form"].errors
        assert not child.guardian_consents.exists()

    def test_withdrawal_keeps_the_record_and_the_child_waits_again(self, alice, child) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        client.post(f"/roster/{child.pk}/guardian-consent/", RECORD)
        response = client.post(
            f"/roster/{child.pk}/guardian-consent/", {"action": "withdraw", "reason": "Мама позвонила"}
        )
        assert response.status_code == 302
        child.refresh_from_db()
        assert child.guardian_consent_at is None and child.status == Volunteer.Status.AWAITING_GUARDIAN
        consent = child.guardian_consents.get()
        assert consent.withdrawn_at is not None and consent.withdrawn_by == alice
        assert consent.withdrawal_reason == "Мама позвонила"
        assert list(child.changes.values_list("action", flat=True)[:2]) == ["consent_withdrawn", "consent"]
        # A new consent can be given after a withdrawal; the old record stays.
        client.post(f"/roster/{child.pk}/guardian-consent/", {**RECORD, "document_number": "75-119"})
        assert child.guardian_consents.count() == 2
        assert child.guardian_consents.filter(withdrawn_at__isnull=True).get().document_number == "75-119"

    def test_a_second_click_on_withdraw_says_it_is_done_instead_of_a_page_without_a_word(  # type: ignore[no-untyped-def]
        self, alice, child
    ) -> None:
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        client.post(f"/roster/{child.pk}/guardian-consent/", RECORD)
        withdraw = {"action": "withdraw", "reason": "Мама позвонила"}
        assert client.post(f"/roster/{child.pk}/guardian-consent/", withdraw).status_code == 302
        # The second request of a double click: its error was set on a form the page no longer
        # shows (the consent is gone), so the coordinator saw the page and no word of what happened.
        again = client.post(f"/roster/{child.pk}/guardian-consent/", withdraw, follow=True)
        assert again.redirect_chain == [(f"/roster/{child.pk}/", 302)]
        assert "There is no guardian consent in force to withdraw." in [
            str(m) for m in again.context["messages"]
        ]
        consent = child.guardian_consents.get()
        assert consent.withdrawn_at is not None and consent.withdrawal_reason == "Мама позвонила"

    def test_other_region_gets_404(self, charlie, child) -> None:  # type: ignore[no-untyped-def]
        client = client_for(charlie)
        assert client.get(f"/roster/{child.pk}/guardian-consent/").status_code == 404
        assert client.post(f"/roster/{child.pk}/guardian-consent/", RECORD).status_code == 404
        assert not child.guardian_consents.exists()

    def test_walk_in_records_how_the_persons_own_consent_was_given(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        data = {
            "last_name": "Омаров",
            "first_name": "Ерлан",
            "birth_date": years_ago(30).isoformat(),
            "phone": "+7 747 123 45 67",
            "region": almaty.pk,
            "preferred_language": "kk",
            "preferred_channel": "sms",
            "status": "active",
        }
        missing = client_for(alice).post("/roster/new/", data)
        assert missing.status_code == 200 and "own_document_number" in missing.context["form"].errors
        response = client_for(alice).post("/roster/new/", {**data, "own_document_number": "А-105"})
        assert response.status_code == 302
        person = Volunteer.objects.get(last_name="Омаров")
        assert person.consent_method == "paper" and person.consent_document == "А-105"
        assert person.consent_at is not None


@pytest.mark.django_db
class TestErasedPeopleStayErased:
    def test_anonymised_record_is_read_only_everywhere(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        minor = MinorFactory(region=almaty)
        services.volunteer_anonymize(volunteer=minor, requested_by=None)
        minor.refresh_from_db()
        with pytest.raises(ValidationError):
            services.volunteer_update(volunteer=minor, changed_by=alice, data={"status": "active"})
        client = client_for(alice)
        edit = client.post(f"/roster/{minor.pk}/edit/", {"last_name": "Revived", "status": "active"})
        assert edit.status_code == 404
        assert client.get(f"/roster/{minor.pk}/guardian-consent/").status_code == 404
        detail = client.get(f"/roster/{minor.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
        assert f'href="/roster/{minor.pk}/edit/"' not in detail.content.decode()
        minor.refresh_from_db()
        assert minor.status == Volunteer.Status.ARCHIVED and minor.last_name == ""
        assert minor.birth_date is None and minor.birth_year is not None
        assert not minor.skills.exists() and minor.detachment_id is None


@pytest.fixture
def minor(almaty):  # type: ignore[no-untyped-def]
    """A 14-year-old of Almaty with an account, waiting for the guardian's consent."""
    return MinorFactory(
        region=almaty,
        birth_date=years_ago(14),
        first_name="Аружан",
        with_account=True,
        status=Volunteer.Status.AWAITING_GUARDIAN,
    )


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def _said(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.django_db
class TestSendTheLinkAgain:
    def test_minor_sends_it_again_then_waits_then_hits_the_days_limit(  # type: ignore[no-untyped-def]
        self, minor, django_capture_on_commit_callbacks
    ) -> None:
        client = _english(client_for(minor.user))
        start = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post("/me/guardian-link/", follow=True)
        assert first.redirect_chain == [("/me/#guardian-next-step", 302)]
        assert "The link is on its way to +7 701 *** ** 21 by SMS." in _said(first)
        assert [m.recipient_phone for m in guardian_messages(minor)] == [GUARDIAN_PHONE]
        # The page now says when it went; the link itself is not on it.
        html = first.content.decode()
        assert "We sent your parent or guardian a personal link by SMS to +7 701 *** ** 21" in html
        assert token_of(guardian_messages(minor)[0]) not in html

        # Pressed again at once: refused, said why, nothing queued, no error page.
        again = client.post("/me/guardian-link/", follow=True)
        assert again.status_code == 200
        assert "It can be sent again in 10 minutes." in _said(again)
        assert len(guardian_messages(minor)) == 1

        # Ten minutes later it goes; the one still waiting (if any) is replaced, never doubled.
        for n in range(1, 5):
            with clock(start + datetime.timedelta(minutes=11 * n)):
                assert client.post("/me/guardian-link/").status_code == 302
        assert len(guardian_messages(minor)) == 5
        with clock(start + datetime.timedelta(minutes=70)):
            limited = client.post("/me/guardian-link/", follow=True)
        assert "already been sent 5 times in the last 24 hours" in _said(limited)
        assert len(guardian_messages(minor)) == 5
        assert sum(m.status == Message.Status.PENDING for m in guardian_messages(minor)) <= 1
        # A day after the first, one may go again.
        with clock(start + datetime.timedelta(hours=24, minutes=1)):
            assert "on its way" in _said(client.post("/me/guardian-link/", follow=True))
        assert len(guardian_messages(minor)) == 6

    def test_nothing_to_send_once_the_consent_is_on_file(self, alice, minor) -> None:  # type: ignore[no-untyped-def]
        services.guardian_consent_record(
            volunteer=minor,
            recorded_by=alice,
            paper=services.PaperConsent(document_number="75-1", document_date=timezone.localdate()),
        )
        response = _english(client_for(minor.user)).post("/me/guardian-link/", follow=True)
        assert response.status_code == 200
        assert "already recorded" in _said(response)
        assert not guardian_messages(minor)

    def test_an_adult_has_no_guardian_to_send_to(self, bob) -> None:  # type: ignore[no-untyped-def]
        response = _english(client_for(bob.user)).post("/me/guardian-link/", follow=True)
        assert response.status_code == 200
        assert "only recorded for volunteers under 18" in _said(response)
        assert not Message.objects.exists()

    def test_only_post(self, minor) -> None:  # type: ignore[no-untyped-def]
        assert client_for(minor.user).get("/me/guardian-link/").status_code == 405
        assert not guardian_messages(minor)

    def test_staff_send_it_from_the_consent_page_and_still_see_the_link(  # type: ignore[no-untyped-def]
        self, alice, minor
    ) -> None:
        client = _english(client_for(alice))
        page = client.get(f"/roster/{minor.pk}/guardian-consent/")
        assert "/guardian/" in page.context["link"].url
        assert 'id="guardian-link"' in page.content.decode()
        response = client.post(f"/roster/{minor.pk}/guardian-consent/", {"action": "send"}, follow=True)
        assert "on its way to the guardian's phone +7 701 765 43 21 by SMS" in _said(response)
        [message] = guardian_messages(minor)
        assert message.recipient_phone == GUARDIAN_PHONE and message.channel == "sms"
        # The same limits as the minor's button.
        again = client.post(f"/roster/{minor.pk}/guardian-consent/", {"action": "send"}, follow=True)
        assert "It can be sent again in 10 minutes." in _said(again)
        assert len(guardian_messages(minor)) == 1
        assert not minor.guardian_consents.exists()

    def test_a_landline_is_said_at_once_not_sent_to(self, alice, minor) -> None:  # type: ignore[no-untyped-def]
        # An Almaty landline: fine to call, but the SMS would only fail at the gateway while the
        # page said the link was on its way.
        Volunteer.objects.filter(pk=minor.pk).update(guardian_phone="+77272501234")
        client = _english(client_for(alice))
        response = client.post(f"/roster/{minor.pk}/guardian-consent/", {"action": "send"}, follow=True)
        assert "The guardian's phone is a landline, and an SMS cannot reach it" in _said(response)
        assert "on its way" not in _said(response)
        assert not guardian_messages(minor)
        assert 'id="guardian-link"' in response.content.decode()  # staff still hand it over

    def test_other_regions_staff_cannot_send_it(self, charlie, minor) -> None:  # type: ignore[no-untyped-def]
        response = client_for(charlie).post(f"/roster/{minor.pk}/guardian-consent/", {"action": "send"})
        assert response.status_code == 404
        assert not guardian_messages(minor)


@pytest.mark.django_db
class TestTheMinorCannotConsentForThemselves:
    def test_own_session_is_refused_and_nothing_changes(self, minor) -> None:  # type: ignore[no-untyped-def]
        url = f"/guardian/{guardian_link_token(minor)}/"
        client = _english(client_for(minor.user))
        page = client.get(url)
        assert page.status_code == 403
        assert "This link is for your parent or legal representative" in page.content.decode()
        assert "<form" not in page.content.decode().split("<main")[1]
        posted = client.post(url, {"guardian_name": "Ахметова Гүлнара", "agree": "on"})
        assert posted.status_code == 403
        minor.refresh_from_db()
        assert minor.status == Volunteer.Status.AWAITING_GUARDIAN and minor.guardian_consent_at is None
        assert not minor.guardian_consents.exists()
        with pytest.raises(ValidationError) as refused:
            services.guardian_consent_confirm(
                token=guardian_link_token(minor), guardian_name="Ахметова", opened_by=minor.user
            )
        assert refused.value.code == "own_account"

    def test_the_guardian_with_the_sent_link_consents(  # type: ignore[no-untyped-def]
        self, minor, django_capture_on_commit_callbacks, capsys
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            client_for(minor.user).post("/me/guardian-link/")
        [message] = guardian_messages(minor)
        sms = send_and_read_sms(message, capsys)
        url = message.context["url"]
        assert url in sms
        guardian = Client()  # the parent's own phone: no account
        response = guardian.post(url, {"guardian_name": "Ахметова Гүлнара", "agree": "on"})
        assert response.status_code == 302
        minor.refresh_from_db()
        assert minor.status == Volunteer.Status.ACTIVE and minor.may_take_part()
        assert minor.guardian_consents.get().method == GuardianConsent.Method.LINK
        me = json.loads(client_for(minor.user).get("/api/me/").content)["volunteer"]
        assert (me["status"], me["is_minor"]) == ("active", True)

    def test_links_shown_on_minors_profiles_before_no_longer_work(self, minor) -> None:  # type: ignore[no-untyped-def]
        # A link of the first kind, as the minor's profile page used to show it.
        old = signing.dumps(
            {"v": minor.pk, "g": _guardian_key(minor)}, salt="volunteers.guardian-consent", compress=True
        )
        response = Client().post(
            f"/guardian/{old}/", {"guardian_name": "Ахметова", "agree": "on"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 404 and "expired" in response.context["error"]
        minor.refresh_from_db()
        assert minor.guardian_consent_at is None


@pytest.mark.django_db
class TestGuardianPhoneOnTheProfile:
    def _edit(self, minor: Volunteer, **changes: str):  # type: ignore[no-untyped-def]
        data = {
            "last_name": minor.last_name,
            "first_name": minor.first_name,
            "birth_date": minor.birth_date.isoformat() if minor.birth_date else "",
            "phone": minor.phone,
            "region": minor.region_id,
            "preferred_language": "kk",
            "preferred_channel": "email",
            "guardian_name": minor.guardian_name,
            "guardian_phone": minor.guardian_phone,
            "guardian_relation": minor.guardian_relation,
            **changes,
        }
        return _english(client_for(minor.user)).post("/me/edit/", data)

    def test_own_phone_as_the_guardians_is_a_field_error(self, minor) -> None:  # type: ignore[no-untyped-def]
        response = self._edit(minor, guardian_phone=minor.phone)
        assert response.status_code == 200
        assert response.context["form"].errors["guardian_phone"] == [
            "The guardian's phone must differ from the volunteer's own phone."
        ]
        before = minor.guardian_phone
        minor.refresh_from_db()
        assert minor.guardian_phone == before and not guardian_messages(minor)
        # Nor the other way round: the guardian's number typed as the minor's own.
        response = self._edit(minor, phone="8 701 765 43 21")
        assert "guardian_phone" in response.context["form"].errors

    def test_a_new_guardians_phone_gets_a_new_link_and_the_old_one_stops(  # type: ignore[no-untyped-def]
        self, minor, django_capture_on_commit_callbacks, capsys
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            client_for(minor.user).post("/me/guardian-link/")
        [old] = guardian_messages(minor)
        with django_capture_on_commit_callbacks(execute=True):
            response = self._edit(minor, guardian_phone="8 702 111 22 33")
        assert response.status_code == 302
        old.refresh_from_db()
        new = guardian_messages(minor)[-1]
        assert new.recipient_phone == "+77021112233" and new.pk != old.pk
        assert "+77021112233" in send_and_read_sms(new, capsys)
        # The link sent to the old number no longer works.
        assert Client().get(old.context["url"]).status_code == 404
        assert Client().get(new.context["url"]).status_code == 200
        html = _english(client_for(minor.user)).get("/me/").content.decode()
        assert "+7 702 *** ** 33" in html

    def test_an_old_record_with_one_number_twice_gets_no_link(self, minor) -> None:  # type: ignore[no-untyped-def]
        # Saved before the rule: the number the link would go to is the minor's own.
        Volunteer.objects.filter(pk=minor.pk).update(guardian_phone=minor.phone)
        response = _english(client_for(minor.user)).post("/me/guardian-link/", follow=True)
        assert "The guardian's phone must differ from the volunteer's own phone." in _said(response)
        assert not guardian_messages(minor)
        # Editing something else is not blocked by it.
        minor.refresh_from_db()
        assert self._edit(minor, locality="Қаскелең").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_guardians_sms_with_its_link_fits_two_parts(almaty, settings, language: str) -> None:  # type: ignore[no-untyped-def]
    """Each part of an SMS is paid for: the link alone was 160 characters, and the SMS, with the
    Kazakh or Russian words around it (67 characters a part), came in four."""
    settings.SITE_URL = "https://volunteers.example.kz"
    child = MinorFactory(
        region=almaty,
        birth_date=years_ago(12),
        first_name="Аружан",
        last_name="Серікқызы",
        preferred_language=language,
        status=Volunteer.Status.AWAITING_GUARDIAN,
    )
    services.guardian_link_send(volunteer=child)
    [message] = guardian_messages(child)
    text = render_message(message)[1]
    assert f"https://volunteers.example.kz/guardian/{token_of(message)}/" in text
    assert sms_segments(text) <= 2, text

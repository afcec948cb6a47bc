"""Every page a user meets reads wholly in Kazakh and Russian: no English left behind.

The page is rendered in English and in the target language; any visible text (or placeholder,
title, aria-label) with Latin words that comes out the same in both is an untranslated string.
Data (names, e-mails) is the same in every language and contains no Latin words here, except
the brand and a few international terms listed below.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from detachments.invitation_links import invitation_token
from detachments.models import CuratorInvitation
from front_offices.models import FrontOffice
from reports.scope import ReportScope
from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, UserFactory, VolunteerFactory
from volunteers.models import PossibleDuplicate

BRAND = "Volunteer Net"
# Names of formats, and the names of uploaded files (data: the import pages list them as they
# were uploaded).
ALLOWED = {"JSON", "SMS", "KK", "RU", "EN", "CSV", "XLSX (Excel)", "тізім.csv", "а.csv"}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: set[str] = set()
        self._skip = 0
        self._untranslated: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif ("translate", "no") in attrs:
            # Content marked not to be translated (a personal link to copy): data, not words.
            self._untranslated.append(tag)
            self._skip += 1
        for name, value in attrs:
            if name in {"placeholder", "title", "aria-label"} and value:
                self.texts.add(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1
        elif self._untranslated and self._untranslated[-1] == tag:
            self._untranslated.pop()
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.add(" ".join(data.split()))


def _texts(html: str) -> set[str]:
    parser = _Texts()
    # A line-break opportunity (an e-mail's <wbr> after the @ and before a dot) splits no text.
    parser.feed(html.replace("<wbr>", ""))
    # The brand stays in Latin letters in every language; what else is Latin must be translated.
    return {
        t
        for t in parser.texts
        if LATIN_WORD.search(t.replace(BRAND, "")) and t not in ALLOWED and "@" not in t
    }


def _render(client: Client, method: str, url: str, data: dict[str, str] | None, lang: str) -> str:
    client.cookies["django_language"] = lang
    response = getattr(client, method)(url, data or {})
    assert response.status_code in {200, 403, 404, 405, 410}, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def pages(alice, bob, almaty):  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    # Her name shows in the trails of who viewed a person's data: data, not text to translate.
    alice.full_name = "Әлия Серікова"
    alice.save(update_fields=["full_name"])
    curator = UserFactory(email="teacher@example.kz")
    detachment = DetachmentFactory(region=almaty, curator=curator)
    member = MinorFactory(
        region=almaty, detachment=detachment, birth_date=bob.birth_date.replace(year=bob.birth_date.year + 18)
    )
    office = FrontOffice.objects.create(
        name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 1", phone="+77272501234"
    )
    office.staff.add(curator)
    # Curator invitations: one to a new address, one to bob's account, one withdrawn.
    invite_new = CuratorInvitation.objects.create(
        detachment=detachment, email="new.teacher@example.kz", invited_by=alice, expires_at=_in_a_week()
    )
    invite_bob = CuratorInvitation.objects.create(
        detachment=detachment, email=bob.user.email, invited_by=alice, expires_at=_in_a_week()
    )
    withdrawn = CuratorInvitation.objects.create(
        detachment=detachment,
        email="x@example.kz",
        invited_by=alice,
        expires_at=_in_a_week(),
        revoked_at=_in_a_week(),
    )
    # Possible duplicates of bob: one without an account (mergeable), one with (refused).
    twin = VolunteerFactory(region=almaty, phone=bob.phone, last_name="Қасымов", first_name="Бауыржан")
    twin_with_account = VolunteerFactory(region=almaty, phone=bob.phone, with_account=True)
    pair = PossibleDuplicate.objects.create(volunteer=twin, existing=bob, reason="phone")
    both_accounts = PossibleDuplicate.objects.create(
        volunteer=twin_with_account, existing=bob, reason="phone"
    )
    # Transport and call-outs: bob asks for a lift to a shift (one answered, one waiting), and an
    # emergency campaign calls him out.
    from events import services as event_services
    from events import services_extra
    from tests.events.factories import CampaignFactory, ShiftFactory

    flood = CampaignFactory(region=almaty, kind="emergency", title="Су тасқыны")
    shift = ShiftFactory(campaign=flood, capacity=5)
    later = ShiftFactory(campaign=flood, capacity=5, starts_at=_in_a_week())
    signup = event_services.signup_create(shift=shift, volunteer=bob, by=None)
    waiting = event_services.signup_create(shift=later, volunteer=bob, by=None)
    lift = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=2)
    services_extra.transport_arrange(
        request=lift,
        by=alice,
        driver_name="Серік",
        driver_phone="+77015550000",
        departure_at=_in_a_week(),
        departure_place="Сайран",
        group="1",
    )
    services_extra.transport_request_save(signup=waiting, pickup="Сайран", seats=1)
    callout = services_extra.callout_create(campaign=flood, text="Қапшық толтыру.", by=alice)
    answer = callout.answers.get(volunteer=bob)
    services_extra.callout_answer_set(answer=answer, value="yes")
    callout_link = f"/callout/{services_extra.callout_token(answer)}/"
    # Targeted help: a request bob goes to, one a detachment takes, one reported and unchecked.
    from care import services as care_services
    from tests.care.factories import HelpRequestFactory

    help_request = HelpRequestFactory(needed_hands=2, urgency="urgent", recurrence="weekly", weekday=1)
    care_assignment = care_services.assignment_volunteer(request=help_request, volunteer=bob, by=alice)
    care_services.assignment_offer(
        request=HelpRequestFactory(needed_hands=3),
        volunteer=VolunteerFactory(region=almaty, with_account=True),
        by=alice,
    )
    snow = HelpRequestFactory(kind="snow", adults_only=False, needed_hands=5)
    care_services.assignment_detachment(
        request=snow, detachment=detachment, hands=3, curator_going=True, by=alice
    )
    HelpRequestFactory(needs_check=True)
    from reports import services as report_services
    from reports.models import ExportJob

    national = UserFactory(email="nora@example.kz", is_national_staff=True)
    job = ExportJob.objects.create(
        requested_by=alice, kind="signups", file_format="xlsx", file_name="signups.xlsx"
    )
    past = ShiftFactory(
        campaign=flood,
        starts_at=timezone.now() - datetime.timedelta(days=10),
        ends_at=timezone.now() - datetime.timedelta(days=10, hours=-3),
    )
    past.signups.create(volunteer=bob, status="attended", hours=3)
    today = timezone.localdate()
    certificate = report_services.certificate_issue(
        volunteer=bob, start=today - datetime.timedelta(days=400), end=today, language="kk", by=alice
    )
    report_services.export_audit(
        by=alice,
        export=report_services.export_get("signups"),
        scope=ReportScope(user=alice, start=today, end=today),
        file_format="csv",
        rows=3,
    )
    anonymous = Client()
    # Front offices: hours, a booked visit of bob's, the staff's day.
    import datetime as dt

    from django.utils import timezone as tz

    from front_offices import services as office_services
    from front_offices.models import OpeningHours

    for weekday in range(7):
        OpeningHours.objects.create(office=office, weekday=weekday, opens=dt.time(9), closes=dt.time(21))
    day = tz.localdate() + dt.timedelta(days=2)
    office_services.slots_sync(office=office, first=day, last=day)
    slots = list(office.slots.order_by("starts_at"))
    visit = office_services.visit_book(slot=slots[0], volunteer=bob, purpose="consultation", by=None)
    office_pages = [
        (anonymous, "get", "/front-offices/?evenings=1", None),
        (anonymous, "get", "/front-offices/next/", None),
        (anonymous, "get", f"/front-offices/{office.pk}/?date={day.isoformat()}", None),
        (client_for(bob.user), "get", f"/front-offices/slots/{slots[1].pk}/book/", None),
        (client_for(bob.user), "post", f"/front-offices/slots/{slots[1].pk}/book/", {"purpose": "x"}),
        (client_for(bob.user), "get", f"/front-offices/slots/{slots[0].pk}/book/", None),
        (client_for(bob.user), "get", "/front-offices/visits/", None),
        (client_for(bob.user), "get", f"/front-offices/visits/{visit.pk}/", None),
        (client_for(bob.user), "get", f"/front-offices/visits/{visit.pk}/reschedule/", None),
        (client_for(alice), "get", f"/front-offices/{office.pk}/day/?date={day.isoformat()}", None),
        (client_for(alice), "post", f"/front-offices/{office.pk}/walk-in/", {"walkin-phone": "+77019990000"}),
        (client_for(alice), "get", f"/front-offices/{office.pk}/hours/", None),
        (client_for(alice), "get", f"/front-offices/{office.pk}/walk-in/", None),
        (client_for(alice), "get", f"/front-offices/{office.pk}/block/?date={day.isoformat()}", None),
        (
            client_for(alice),
            "post",
            f"/front-offices/{office.pk}/hours/",
            {"action": "add_hours", "hours-weekday": "1", "hours-opens": "12:00", "hours-closes": "11:00"},
        ),
    ]
    return [
        *office_pages,
        (client_for(alice), "get", "/care/requests/", None),
        (client_for(alice), "get", "/care/requests/?status=all&kind=fuel", None),
        (client_for(alice), "get", "/care/requests/new/", None),
        (
            client_for(alice),
            "post",
            "/care/requests/new/",
            {"phone": "1", "latitude": "10", "due_until": "x"},
        ),
        (client_for(alice), "get", f"/care/requests/{help_request.pk}/", None),
        (client_for(alice), "get", f"/care/requests/{snow.pk}/", None),
        (client_for(alice), "get", f"/care/beneficiaries/{help_request.beneficiary_id}/erase/", None),
        (client_for(alice), "get", f"/care/assignments/{care_assignment.pk}/confirm/", None),
        (client_for(bob.user), "get", "/care/", None),
        (client_for(bob.user), "get", "/care/report/", None),
        (client_for(bob.user), "post", "/care/report/", {"phone": "1"}),
        (client_for(bob.user), "get", f"/care/requests/{help_request.pk}/", None),
        (client_for(bob.user), "get", f"/care/assignments/{care_assignment.pk}/done/", None),
        (client_for(bob.user), "post", f"/care/assignments/{care_assignment.pk}/done/", {"hours": "99"}),
        (client_for(curator), "get", "/care/", None),
        (client_for(curator), "get", f"/care/requests/{snow.pk}/", None),
        (client_for(bob.user), "get", "/my-shifts/", None),
        (client_for(bob.user), "get", f"/my-shifts/{signup.pk}/transport/", None),
        (client_for(bob.user), "get", f"/my-shifts/{waiting.pk}/transport/", None),
        (client_for(bob.user), "post", f"/my-shifts/{waiting.pk}/transport/", {"pickup": "", "seats": "9"}),
        (client_for(alice), "get", f"/manage/shifts/{shift.pk}/transport/", None),
        (client_for(alice), "get", f"/manage/campaigns/{flood.pk}/transport/", None),
        (client_for(alice), "get", f"/manage/campaigns/{flood.pk}/", None),
        (client_for(alice), "get", f"/manage/campaigns/{flood.pk}/callouts/new/", None),
        (client_for(alice), "post", f"/manage/campaigns/{flood.pk}/callouts/new/", {"text": ""}),
        (client_for(alice), "get", f"/manage/callouts/{callout.pk}/", None),
        (anonymous, "get", callout_link, None),
        (anonymous, "get", "/callout/forged/", None),
        (anonymous, "get", "/", None),
        (anonymous, "get", "/map/", None),
        (anonymous, "get", "/campaigns/", None),
        (anonymous, "get", "/front-offices/", None),
        (anonymous, "get", "/accounts/login/", None),
        (anonymous, "post", "/accounts/login/", {"username": "x@example.kz", "password": "bad"}),
        (anonymous, "get", "/accounts/register/", None),
        (
            anonymous,
            "post",
            "/accounts/register/",
            {"account-email": "bad", "profile-phone": "1", "profile-iin": "1"},
        ),
        (anonymous, "get", "/accounts/register/done/", None),
        (anonymous, "get", "/accounts/activate/xx/yy/", None),
        (anonymous, "get", "/accounts/consent/", None),
        (anonymous, "get", "/accounts/password_reset/", None),
        (anonymous, "post", "/accounts/password_reset/", {"email": "bad"}),
        (anonymous, "get", "/accounts/password_reset/done/", None),
        (anonymous, "get", "/accounts/reset/xx/set-password/", None),
        (anonymous, "get", "/no-such-page/", None),
        (client_for(bob.user), "get", "/me/", None),
        (client_for(bob.user), "get", "/me/edit/", None),
        (client_for(bob.user), "post", "/me/edit/", {"phone": "1", "birth_date": "2999-01-01"}),
        (client_for(bob.user, password_confirmed=True), "get", "/me/delete/", None),
        (client_for(bob.user), "get", "/accounts/confirm-password/?next=/me/delete/", None),
        (client_for(bob.user), "post", "/accounts/confirm-password/", {"password": "wrong"}),
        (client_for(bob.user), "get", "/accounts/password_change/", None),
        (
            client_for(bob.user),
            "post",
            "/accounts/password_change/",
            {"old_password": "x", "new_password1": "1"},
        ),
        (client_for(alice), "get", "/overview/", None),
        (client_for(alice), "get", f"/roster/{member.pk}/guardian-consent/", None),
        (Client(enforce_csrf_checks=True), "post", "/accounts/login/", {"username": "x@example.kz"}),
        (client_for(alice), "get", "/roster/", None),
        (client_for(alice), "get", "/roster/?q=zzz&skill=999", None),
        (client_for(alice), "get", f"/roster/{bob.pk}/", None),
        (client_for(alice), "get", f"/roster/{bob.pk}/edit/", None),
        (client_for(alice), "get", "/roster/new/", None),
        (client_for(alice), "post", "/roster/new/", {"birth_date": "2020-01-01", "iin": "123"}),
        (client_for(alice), "get", f"/roster/{member.pk}/", None),
        (client_for(alice), "get", "/detachments/", None),
        (client_for(alice), "get", "/detachments/new/", None),
        (client_for(alice), "post", "/detachments/new/", {"curator_email": "nobody@example.kz"}),
        (client_for(curator), "get", f"/detachments/{detachment.pk}/", None),
        (client_for(curator), "get", f"/detachments/{detachment.pk}/members/new/", None),
        # Skills: no rows, whose codes and English names are Latin in every language.
        (client_for(alice), "get", "/skills/", None),
        (client_for(alice), "get", "/skills/new/", None),
        (client_for(alice), "post", "/skills/new/", {"code": "a b", "name_kk": ""}),
        (client_for(alice), "get", "/front-offices/manage/", None),
        (client_for(alice), "get", f"/front-offices/manage/{office.pk}/edit/", None),
        (
            client_for(alice),
            "post",
            f"/front-offices/manage/{office.pk}/edit/",
            {"name": "", "latitude": "10", "phone": "1", "email": "x"},
        ),
        (client_for(alice), "post", f"/front-offices/manage/{office.pk}/edit/", {"latitude": "43.2"}),
        (client_for(curator), "get", "/front-offices/manage/", None),
        (client_for(alice), "get", "/roster/duplicates/", None),
        (client_for(alice), "get", "/roster/duplicates/?region=bad", None),
        (client_for(alice), "get", f"/roster/duplicates/{pair.pk}/merge/", None),
        (client_for(alice), "post", f"/roster/duplicates/{pair.pk}/merge/", {"keep": "x"}),
        (client_for(alice), "get", f"/roster/duplicates/{both_accounts.pk}/merge/", None),
        (client_for(alice), "get", f"/roster/duplicates/{pair.pk}/dismiss/", None),
        (client_for(alice), "get", f"/detachments/{detachment.pk}/", None),
        (
            client_for(alice),
            "post",
            f"/detachments/{detachment.pk}/edit/",
            {"school_name": "X", "locality": "Y", "region": almaty.pk, "curator_email": "teacher@"},
        ),
        (anonymous, "get", f"/detachments/invitations/{invitation_token(invite_new)}/", None),
        (
            anonymous,
            "post",
            f"/detachments/invitations/{invitation_token(invite_new)}/",
            {"full_name": "", "password1": "1"},
        ),
        (anonymous, "get", f"/detachments/invitations/{invitation_token(invite_bob)}/", None),
        (client_for(bob.user), "get", f"/detachments/invitations/{invitation_token(invite_bob)}/", None),
        (client_for(alice), "get", f"/detachments/invitations/{invitation_token(invite_bob)}/", None),
        (anonymous, "get", f"/detachments/invitations/{invitation_token(withdrawn)}/", None),
        (anonymous, "get", "/detachments/invitations/forged/", None),
        # Reports: dashboard, exports (a job and the audit), certificates and their check.
        (client_for(alice), "get", "/reports/", None),
        (client_for(alice), "get", "/reports/?start=2026-05-01&end=2026-01-01&region=999", None),
        (client_for(national), "get", "/reports/", None),
        (client_for(alice), "get", "/reports/export/", None),
        (client_for(alice), "post", "/reports/export/", {"start": "x", "report": "nope"}),
        (client_for(alice), "get", f"/reports/exports/{job.pk}/", None),
        (client_for(national), "get", "/reports/audit/", None),
        (client_for(alice), "get", "/reports/certificates/", None),
        (client_for(alice), "get", f"/reports/certificates/new/{bob.pk}/", None),
        (
            client_for(alice),
            "post",
            f"/reports/certificates/new/{bob.pk}/",
            {"start": "2020-01-01", "end": "2020-01-02", "language": "kk"},
        ),
        (client_for(bob.user), "get", "/me/certificates/", None),
        (client_for(bob.user), "post", "/me/certificates/", {"start": "2030-01-01", "end": "2020-01-01"}),
        (anonymous, "get", "/verify/", None),
        (anonymous, "get", f"/verify/{certificate.code}/", None),
        (anonymous, "get", "/verify/FORGED-CODE/", None),
        (anonymous, "get", "/year-of-volunteers/", None),
        *_import_pages(alice, almaty),
    ]


def _import_pages(alice, almaty):  # type: ignore[no-untyped-def]
    """The roster import's pages: upload, mapping, a checked preview with errors and duplicates,
    and the report of an imported file."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tests.volunteers.imports.files import checked_batch
    from volunteers.imports import services as imports

    def batch(rows: str, *, imported: bool = False):  # type: ignore[no-untyped-def]
        made = checked_batch(
            by=alice, region=almaty, rows=("ФИО;Дата рождения;Телефон;Регион\n" + rows).encode()
        )
        if imported:
            made = imports.batch_start_import(
                batch=made, by=alice, consent_confirmed=True, consent_date=timezone.localdate()
            )
        return made

    rows = "Ким Анна;31.02.1990;123;\nКим Анна;01.01.1990;87011112233;Астана\nЛи Ян;01.01.1990;87011112233;\nЛи Ян;01.01.1990;87011112233;\n"
    checked, done, fresh = batch(rows), batch(rows, imported=True), batch(rows)
    fresh_upload = imports.batch_upload(
        by=alice, region=almaty, upload=SimpleUploadedFile("а.csv", "Бағана;Басқа\nа;б\n".encode())
    )
    client = client_for(alice)
    return [
        (client, "get", "/roster/import/", None),
        (client, "post", "/roster/import/", {"region": almaty.pk}),
        (client, "get", f"/roster/import/{fresh_upload.pk}/columns/", None),
        (client, "post", f"/roster/import/{fresh_upload.pk}/columns/", {"col_0": "locality"}),
        (client, "get", f"/roster/import/{checked.pk}/", None),
        (client, "get", f"/roster/import/{checked.pk}/?show=errors", None),
        (client, "get", f"/roster/import/{done.pk}/", None),
        (client, "get", f"/roster/import/{fresh.pk}/run/", None),
    ]


def _in_a_week():  # type: ignore[no-untyped-def]
    import datetime

    from django.utils import timezone

    return timezone.now() + datetime.timedelta(days=7)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_english_left_on_pages(pages, lang: str) -> None:  # type: ignore[no-untyped-def]
    leftovers: dict[str, set[str]] = {}
    for client, method, url, data in pages:
        english = _texts(_render(client, method, url, data, "en"))
        translated = _texts(_render(client, method, url, data, lang))
        same = english & translated
        if same:
            leftovers[f"{method.upper()} {url}"] = same
    assert not leftovers, leftovers

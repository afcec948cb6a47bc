"""Every page of the project on a 360 px phone, as each person who uses it: nothing scrolls
sideways, and axe-core finds no serious or critical accessibility violation — in Kazakh, and in
Russian for the main pages. On a 1366 px office screen the header stays on one line and no table
cell clips its text. The phone menu works with the keyboard alone, and without JavaScript.

The pages come from the URL resolver, not from a hand-kept list: `test_every_page_is_visited`
fails for a new URL until it is added to PAGES (who visits it) or to NOT_PAGES (why not).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.tokens import activation_token, activation_uid
from care import services as care_services
from detachments.invitation_links import invitation_token
from detachments.models import CuratorInvitation
from events.services import calendar_feed_renew, shift_series_create, signup_create
from events.services_extra import callout_create, callout_token, transport_request_save
from front_offices import services as front_office_services
from front_offices.models import FrontOffice, OpeningHours, VisitSlot
from notifications.models import Broadcast
from notifications.services import message_schedule
from notifications.tokens import announcement_person_token, unsubscribe_token
from regions.models import CoordinatorAssignment
from tests.care.factories import BeneficiaryFactory, HelpRequestFactory
from tests.e2e.conftest import log_in
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import (
    DetachmentFactory,
    MinorFactory,
    SkillFactory,
    UserFactory,
    VolunteerFactory,
    years_ago,
)
from tests.reports.factories import finished_export, issued_certificate
from tests.routes import project_routes
from tests.volunteers.imports.files import checked_batch
from volunteers.guardian_links import guardian_link_token
from volunteers.models import PossibleDuplicate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}

# Routes under these prefixes are not pages of ours: the admin has its own look, the API
# answers JSON, i18n/ is the language switcher's POST target.
EXCLUDED_PREFIXES = ("admin/", "api/", "i18n/")

# Routes that are not pages to look at, and why.
NOT_PAGES = {
    "me/data.json": "a file download (JSON)",
    "me/guardian-link/": "POST only (the 'Send the link again' button on a minor's profile)",
    "me/consent/": "POST only (the 'Give my consent' button on the profile of someone come of age)",
    "healthz": "JSON for load balancers (liveness)",
    "readyz": "JSON for load balancers (readiness)",
    "accounts/logout/": "POST only (the header's log-out button)",
    "roster/bulk/": "POST only (the roster's bulk bar)",
    "shifts/<int:pk>/calendar.ics": "a file download (iCalendar)",
    "manage/campaigns/<int:pk>/status/": "POST only (publish, close, cancel buttons)",
    "manage/shifts/<int:pk>/cancel/": "POST only (the cancel form on the shift's page)",
    "manage/shifts/<int:pk>/add/": "POST only (adding people from the shift's page)",
    "manage/signups/<int:pk>/attendance/": "POST only (check-in, no-show and hours buttons)",
    "my-shifts/<str:token>.ics": "a file download (the personal iCalendar feed, read by calendar apps)",
    "my-shifts/calendar-feed/": "POST only (the calendar address buttons on 'my shifts')",
    "manage/shifts/<int:pk>/series/cancel/": "POST only (the cancel form on the series page)",
    "messages/<int:pk>/retry/": "POST only (the retry button on a failed message)",
    "manage/transport/<int:pk>/answer/": "POST only (the arrange and decline forms on the transport board)",
    "manage/callouts/<int:pk>/status.json": "JSON polled by the call-out page's script",
    "manage/callouts/<int:pk>/confirm/": "POST only (the confirm form on the call-out page)",
    "manage/callouts/<int:pk>/close/": "POST only (the close button on the call-out page)",
    "accounts/logout-everywhere/": "POST only (a button on the profile page); its GET is the 405 page, visited below",
    "detachments/<int:pk>/invitations/<int:invitation_pk>/revoke/": (
        "POST only (the revoke button on the detachment page, which is visited)"
    ),
    "front-offices/visits/<int:pk>/visit.ics": "a file download (iCalendar)",
    "front-offices/staff/visits/<int:pk>/mark/": "POST only (arrived, no-show and outcome buttons on the staff's day)",
    "roster/import/template-<str:language>.xlsx": "a file download (the XLSX template)",
    "roster/import/<int:pk>/report.xlsx": "a file download (the XLSX report)",
    "roster/import/<int:pk>/status.json": "JSON polled by the import's progress bar",
    "roster/import/<int:pk>/choices/": "POST only (the duplicates' choices on the import preview)",
    "roster/import/<int:pk>/run/": "POST only (the import button on the preview)",
    "roster/import/<int:pk>/discard/": "POST only (the discard button on the mapping and preview pages)",
    "roster/import/<int:pk>/restart/": "POST only (Start again on a stopped check or import)",
    "roster/duplicates/<int:pk>/dismiss/": (
        "POST only (the 'Not the same person' button of the duplicates list); its GET is the 405 page, visited below"
    ),
    "care/requests/<int:pk>/offer/": "POST only (the 'I can do it' button on the request's page)",
    "care/requests/<int:pk>/check/": "POST only (the check button on the request's page)",
    "care/requests/<int:pk>/assign/": "POST only (the suggested volunteers' form on the request's page)",
    "care/requests/<int:pk>/assign-detachment/": "POST only (the detachment form on the request's page)",
    "care/requests/<int:pk>/start/": "POST only (kept for clients; the page marks work done directly)",
    "care/requests/<int:pk>/close/": "POST only (the close form on the request's page)",
    "care/requests/<int:pk>/stop-repeating/": "POST only (a button on a weekly request's page)",
    "care/assignments/<int:pk>/confirm/": "POST only (the confirm button of an offer on the request's page)",
    "care/assignments/<int:pk>/withdraw/": "POST only (the withdraw button on the request's page)",
    "reports/export/roster/": "POST only (the roster's export buttons)",
    "reports/exports/<int:pk>/status.json": "JSON polled by the export page's progress bar",
    "reports/exports/<int:pk>/download/": "a file download (CSV or XLSX)",
    "reports/certificates/<int:pk>/revoke/": "POST only (the revoke form in the list of certificates)",
    "certificates/<int:pk>.pdf": "a file download (the PDF certificate)",
}

ANONYMOUS, VOLUNTEER, CURATOR, COORDINATOR, NATIONAL = (
    "anonymous",
    "volunteer",
    "curator",
    "coordinator",
    "national",
)
EVERYONE = (ANONYMOUS, VOLUNTEER, CURATOR, COORDINATOR, NATIONAL)
MANAGERS = (COORDINATOR, NATIONAL)

# Route → who visits it. The first persona of each tuple also sees it in Russian when the
# route is in MAIN_PAGES.
PAGES: dict[str, tuple[str, ...]] = {
    "": EVERYONE,
    "start/": (VOLUNTEER, CURATOR, COORDINATOR),
    "overview/": MANAGERS,
    "map/": (ANONYMOUS,),
    "campaigns/": (ANONYMOUS,),
    "front-offices/": (ANONYMOUS,),
    "accounts/register/": (ANONYMOUS,),
    "accounts/register/done/": (ANONYMOUS,),
    "accounts/activate/<uidb64>/<token>/": (ANONYMOUS,),
    "accounts/consent/": (ANONYMOUS,),
    "me/": (VOLUNTEER, CURATOR),
    "me/edit/": (VOLUNTEER,),
    "me/delete/": (VOLUNTEER,),
    "accounts/confirm-password/": (VOLUNTEER,),
    "accounts/login/": (ANONYMOUS,),
    "accounts/password_reset/": (ANONYMOUS,),
    "accounts/password_reset/done/": (ANONYMOUS,),
    "accounts/reset/<uidb64>/<token>/": (ANONYMOUS,),
    "accounts/reset/done/": (ANONYMOUS,),
    "accounts/password_change/": (VOLUNTEER,),
    "accounts/password_change/done/": (VOLUNTEER,),
    "roster/": MANAGERS,
    "roster/new/": (COORDINATOR,),
    "roster/<int:pk>/": MANAGERS,
    "roster/<int:pk>/edit/": (COORDINATOR,),
    "roster/<int:pk>/erase/": (COORDINATOR,),
    "roster/<int:pk>/guardian-consent/": (COORDINATOR,),
    "roster/duplicates/": MANAGERS,
    "roster/duplicates/<int:pk>/merge/": MANAGERS,
    "roster/import/": MANAGERS,
    "roster/import/<int:pk>/": (COORDINATOR, NATIONAL),
    "roster/import/<int:pk>/columns/": (COORDINATOR,),
    "detachments/<int:pk>/members/<int:member_pk>/guardian-consent/": (CURATOR,),
    "guardian/<str:token>/": (ANONYMOUS,),
    "detachments/": (CURATOR, COORDINATOR, NATIONAL),
    "detachments/new/": (COORDINATOR,),
    "detachments/<int:pk>/": (CURATOR, COORDINATOR),
    "detachments/<int:pk>/edit/": (COORDINATOR,),
    "detachments/<int:pk>/members/new/": (CURATOR,),
    "detachments/<int:pk>/members/<int:member_pk>/edit/": (CURATOR, COORDINATOR),
    "detachments/invitations/<str:token>/": (ANONYMOUS, VOLUNTEER),
    "skills/": MANAGERS,
    "skills/new/": (COORDINATOR,),
    "skills/<int:pk>/edit/": (COORDINATOR,),
    "front-offices/manage/": MANAGERS,
    "front-offices/manage/<int:pk>/edit/": (COORDINATOR,),
    "front-offices/next/": (ANONYMOUS, VOLUNTEER),
    "front-offices/<int:pk>/": (ANONYMOUS, VOLUNTEER),
    "front-offices/slots/<int:slot_pk>/book/": (VOLUNTEER,),
    "front-offices/visits/": (VOLUNTEER,),
    "front-offices/visits/<int:pk>/": (VOLUNTEER,),
    "front-offices/visits/<int:pk>/reschedule/": (VOLUNTEER,),
    "front-offices/visits/<int:pk>/cancel/": (VOLUNTEER,),
    "front-offices/<int:pk>/day/": MANAGERS,
    "front-offices/<int:pk>/hours/": (COORDINATOR,),
    "front-offices/<int:pk>/walk-in/": (COORDINATOR,),
    "front-offices/<int:pk>/block/": (COORDINATOR,),
    "front-offices/staff/visits/<int:pk>/move/": (COORDINATOR,),
    "campaigns/<int:pk>/": (ANONYMOUS, VOLUNTEER, CURATOR),
    "shifts/<int:pk>/": (ANONYMOUS, VOLUNTEER),
    "shifts/<int:pk>/signup/": (VOLUNTEER,),
    "shifts/<int:pk>/detachment/": (CURATOR,),
    "my-shifts/": (VOLUNTEER,),
    "my-shifts/<int:pk>/cancel/": (VOLUNTEER,),
    "my-shifts/<int:pk>/transport/": (VOLUNTEER,),
    "manage/shifts/<int:pk>/transport/": (COORDINATOR,),
    "manage/campaigns/<int:pk>/transport/": MANAGERS,
    "manage/campaigns/<int:pk>/callouts/new/": (COORDINATOR,),
    "manage/callouts/<int:pk>/": (COORDINATOR, NATIONAL),
    "callout/<str:token>/": (ANONYMOUS,),
    "manage/campaigns/": MANAGERS,
    "manage/campaigns/new/": (COORDINATOR,),
    "manage/campaigns/<int:pk>/": (COORDINATOR, NATIONAL),
    "manage/campaigns/<int:pk>/edit/": (COORDINATOR,),
    "manage/campaigns/<int:pk>/shifts/new/": (COORDINATOR,),
    "manage/campaigns/<int:pk>/series/new/": (COORDINATOR,),
    "manage/shifts/<int:pk>/": (COORDINATOR,),
    "manage/shifts/<int:pk>/edit/": (COORDINATOR,),
    "manage/shifts/<int:pk>/series/": (COORDINATOR,),
    "manage/signups/<int:pk>/move/": (COORDINATOR,),
    "manage/signups/<int:pk>/cancel/": (COORDINATOR,),
    "messages/": MANAGERS,
    "messages/broadcast/": (COORDINATOR,),
    "messages/<int:pk>/": (COORDINATOR,),
    "me/messages/": (VOLUNTEER,),
    "unsubscribe/<str:token>/": (ANONYMOUS,),
    "a/<str:token>/": (ANONYMOUS,),
    "care/": (VOLUNTEER, CURATOR),
    "care/report/": (VOLUNTEER,),
    "care/requests/": MANAGERS,
    "care/requests/new/": (COORDINATOR,),
    "care/requests/<int:pk>/": (VOLUNTEER, COORDINATOR, NATIONAL),
    "care/assignments/<int:pk>/done/": (VOLUNTEER,),
    "care/beneficiaries/<int:pk>/erase/": (COORDINATOR,),
    "reports/": MANAGERS,
    "reports/export/": MANAGERS,
    "reports/exports/<int:pk>/": (COORDINATOR,),
    "reports/audit/": (NATIONAL,),
    "reports/certificates/": MANAGERS,
    "reports/certificates/new/<int:volunteer_pk>/": (COORDINATOR,),
    "me/certificates/": (VOLUNTEER,),
    "verify/": (ANONYMOUS,),
    "verify/<str:code>/": (ANONYMOUS,),
    "year-of-volunteers/": (ANONYMOUS,),
}

# Seen in Russian too: the pages each role works on every day.
MAIN_PAGES = {
    "",
    "overview/",
    "accounts/login/",
    "accounts/register/",
    "me/",
    "me/edit/",
    "roster/",
    "roster/<int:pk>/",
    "detachments/",
    "detachments/<int:pk>/",
    "detachments/<int:pk>/members/new/",
    "campaigns/",
    "shifts/<int:pk>/",
    "my-shifts/",
    "manage/shifts/<int:pk>/",
}

# Error pages are pages too: (persona, url, status).
ERROR_PAGES: list[tuple[str, str, int]] = [
    (ANONYMOUS, "/no-such-page/", 404),
    (VOLUNTEER, "/accounts/logout-everywhere/", 405),
    (ANONYMOUS, "/detachments/invitations/not-a-real-link/", 404),
    (COORDINATOR, "/roster/duplicates/{pair}/dismiss/", 405),
    (ANONYMOUS, "/callout/forged/", 404),
    (COORDINATOR, "/manage/callouts/{callout}/close/", 405),
]


def page_routes() -> set[str]:
    return {route for route in project_routes() if not route.startswith(EXCLUDED_PREFIXES)}


@dataclass
class Site:
    """Real objects for every URL parameter, and one user per persona."""

    users: dict[str, Any]
    urls: dict[str, str]
    ids: dict[str, int]


@pytest.fixture
def site(almaty: Any, astana: Any) -> Site:
    coordinator = UserFactory(email="alice@example.kz", full_name="Әлия Серікова")
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    national = UserFactory(email="nora@example.kz", full_name="Нұргүл Әбенова", is_national_staff=True)
    curator = UserFactory(email="teacher@example.kz", full_name="Айжан Мұғалімова")
    volunteer = VolunteerFactory(
        region=almaty, with_account=True, last_name="Қасымов", first_name="Бауыржан", email="bob@example.kz"
    )
    detachment = DetachmentFactory(region=almaty, curator=curator, school_name="№ 25 мектеп-гимназия")
    # An under-14 member without the written consent: the badges and the consent button show.
    minor = MinorFactory(
        region=almaty,
        detachment=detachment,
        birth_date=years_ago(12),
        last_name="Бекова",
        first_name="Аружан",
        guardian_name="Бекова Гүлжан",
    )
    nurlan = MinorFactory(region=almaty, detachment=detachment, last_name="Омаров", first_name="Нұрлан")
    # The same boy added again by hand, spelt the Russian way: a possible duplicate.
    twin = MinorFactory(
        region=almaty,
        last_name="Омаров",
        first_name="Нурлан",
        phone=nurlan.phone,
        birth_date=nurlan.birth_date,
    )
    pair = PossibleDuplicate.objects.create(volunteer=twin, existing=nurlan, reason="phone")
    VolunteerFactory(region=astana, last_name="Ершова", first_name="Алёна")
    for n in range(3):
        VolunteerFactory(region=almaty, last_name=f"Сейітов{n}", email=f"a.very.long.address.{n}@example.kz")
    skill = SkillFactory(
        code="first-aid", name_kk="Алғашқы көмек", name_ru="Первая помощь", name_en="First aid"
    )
    office = FrontOffice.objects.create(
        name="Алматы қалалық волонтерлік фронт-офисі",
        region=almaty,
        address="Абай даңғылы, 10",
        phone="+77272000000",
    )
    newcomer = UserFactory(email="new@example.kz", is_active=False)
    # A curator's invitation to a new address, awaiting an answer: the detachment page lists it
    # with its revoke button; the invitation page asks for a name and a password (anonymous) or
    # says it is for another address (the logged-in volunteer).
    invitation = CuratorInvitation.objects.create(
        detachment=detachment,
        email="a.very.long.address.of.a.new.teacher@example.kz",
        invited_by=coordinator,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    # A campaign with a shift the volunteer is signed up for: the campaign, shift, sign-up,
    # "my shifts" and management pages all have something to show.
    campaign = CampaignFactory(region=almaty, title="Таза Алматы: Есентай өзенінің жағасын тазалау")
    shift = ShiftFactory(campaign=campaign, capacity=12)
    signup = signup_create(shift=shift, volunteer=volunteer, by=volunteer.user)
    # A weekly series (its "this and the following" page), another shift to move someone to,
    # and the volunteer's calendar address (shown on "my shifts").
    series = shift_series_create(
        campaign=campaign,
        first_date=timezone.localdate() + datetime.timedelta(days=3),
        weekdays=[(timezone.localdate() + datetime.timedelta(days=3)).isoweekday()],
        start_time=datetime.time(10),
        end_time=datetime.time(13),
        weeks=2,
        data={"place_name": "Мектеп ауласы", "capacity": 5, "waitlist_enabled": True},
        by=coordinator,
    )
    calendar_feed_renew(volunteer=volunteer)
    # The full text of an announcement whose SMS was cut short: long, as those are.
    announcement = Broadcast.objects.create(
        subject="Субботник в парке Горького: сбор у главного входа",
        body="Берём перчатки и воду. " * 60,
        created_by=coordinator,
    )
    # A reminder for that shift, so the message pages list one.
    message = message_schedule(
        recipient=volunteer,
        kind="shift_reminder_24h",
        subject_type="events.signup",
        subject_id=signup.pk,
        due_at=shift.starts_at - datetime.timedelta(hours=24),
        context={
            "title": campaign.title,
            "starts_at": shift.starts_at.isoformat(),
            "place": shift.place_name,
        },
    )
    # A transport request for that sign-up, and an emergency campaign with a call-out the
    # volunteer was called in (and a shift to confirm them onto).
    transport_request_save(signup=signup, pickup="Сайран аялдамасы", seats=2, note="Балалар орындығы")
    flood = CampaignFactory(region=almaty, kind="emergency", title="Су тасқыны: Қарасу ауылы")
    ShiftFactory(campaign=flood, capacity=30)
    callout = callout_create(campaign=flood, text="Қапшықтарға құм толтыру керек.", by=coordinator)
    # The office's hours every day until late, a slot tomorrow evening and the volunteer's visit
    # in it: the booking, visit and staff's-day pages have rows to show.
    for weekday in range(7):
        OpeningHours.objects.create(
            office=office, weekday=weekday, opens=datetime.time(9), closes=datetime.time(21)
        )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    front_office_services.slots_sync(office=office, first=tomorrow, last=tomorrow)
    visit_slot = VisitSlot.objects.get(
        office=office, starts_at__hour=13, starts_at__minute=0, local_date=tomorrow
    )
    visit = front_office_services.visit_book(
        slot=visit_slot, volunteer=volunteer, purpose="certificate", note="Екі анықтама керек", by=None
    )
    free_slot = VisitSlot.objects.get(
        office=office, starts_at__hour=14, starts_at__minute=0, local_date=tomorrow
    )
    # A visit the day after, on a date the office then closes: the hours page lists it to move.
    later = tomorrow + datetime.timedelta(days=1)
    front_office_services.slots_sync(office=office, first=later, last=later)
    front_office_services.visit_book(
        slot=VisitSlot.objects.get(office=office, starts_at__hour=10, starts_at__minute=0, local_date=later),
        volunteer=volunteer,
        purpose="consultation",
        by=None,
    )
    front_office_services.schedule_exception_add(office=office, date=later, reason="Жөндеу", by=coordinator)
    # Help requests: one the volunteer goes to (its page shows the contact and "mark as done"),
    # one a detachment goes to with its curator, and an overdue urgent one.
    help_request = HelpRequestFactory(
        beneficiary=BeneficiaryFactory(full_name="Жұмабаева Рахима Сейітқызы", locality="Алматы"),
        kind="fuel",
        needed_hands=2,
        details="Қыстық көмір: 2 тонна, қораға түсіру керек",
    )
    care_assignment = care_services.assignment_volunteer(
        request=help_request, volunteer=volunteer, by=coordinator
    )
    snow = HelpRequestFactory(kind="snow", adults_only=False, needed_hands=6)
    care_services.assignment_detachment(
        request=snow, detachment=detachment, hands=4, curator_going=True, by=coordinator
    )
    HelpRequestFactory(kind="clinic", urgency="urgent", due_from=timezone.now() - datetime.timedelta(days=1))
    # Reports: a finished export of the coordinator's, a certificate of the volunteer's hours.
    job = finished_export(coordinator, rows=120000, file_name="signups_20260101-20260630.xlsx")
    certificate = issued_certificate(volunteer, campaign=campaign, issued_by=coordinator)
    uid = urlsafe_base64_encode(force_bytes(volunteer.user.pk))
    token = default_token_generator.make_token(volunteer.user)
    d, m = detachment.pk, minor.pk
    checked_import, mapped_import = _import_batches(coordinator, almaty)
    urls = {
        "roster/import/<int:pk>/": f"/roster/import/{checked_import}/",
        "roster/import/<int:pk>/columns/": f"/roster/import/{mapped_import}/columns/",
        "accounts/reset/<uidb64>/<token>/": f"/accounts/reset/{uid}/{token}/",
        "accounts/activate/<uidb64>/<token>/": (
            f"/accounts/activate/{activation_uid(newcomer)}/{activation_token.make_token(newcomer)}/"
        ),
        "skills/<int:pk>/edit/": f"/skills/{skill.pk}/edit/",
        "front-offices/manage/<int:pk>/edit/": f"/front-offices/manage/{office.pk}/edit/",
        "front-offices/<int:pk>/": f"/front-offices/{office.pk}/?date={tomorrow.isoformat()}",
        "front-offices/slots/<int:slot_pk>/book/": f"/front-offices/slots/{free_slot.pk}/book/",
        "front-offices/visits/<int:pk>/": f"/front-offices/visits/{visit.pk}/",
        "front-offices/visits/<int:pk>/reschedule/": f"/front-offices/visits/{visit.pk}/reschedule/",
        "front-offices/visits/<int:pk>/cancel/": f"/front-offices/visits/{visit.pk}/cancel/",
        "front-offices/<int:pk>/day/": f"/front-offices/{office.pk}/day/?date={tomorrow.isoformat()}",
        "front-offices/<int:pk>/hours/": f"/front-offices/{office.pk}/hours/",
        "front-offices/<int:pk>/walk-in/": f"/front-offices/{office.pk}/walk-in/",
        "front-offices/<int:pk>/block/": f"/front-offices/{office.pk}/block/?date={tomorrow.isoformat()}",
        "front-offices/staff/visits/<int:pk>/move/": f"/front-offices/staff/visits/{visit.pk}/move/",
        "roster/<int:pk>/": f"/roster/{m}/",
        "roster/<int:pk>/edit/": f"/roster/{m}/edit/",
        "roster/<int:pk>/erase/": f"/roster/{m}/erase/",
        "roster/<int:pk>/guardian-consent/": f"/roster/{m}/guardian-consent/",
        "detachments/<int:pk>/members/<int:member_pk>/guardian-consent/": (
            f"/detachments/{d}/members/{m}/guardian-consent/"
        ),
        "guardian/<str:token>/": f"/guardian/{guardian_link_token(minor)}/",
        "detachments/<int:pk>/": f"/detachments/{d}/",
        "detachments/<int:pk>/edit/": f"/detachments/{d}/edit/",
        "detachments/<int:pk>/members/new/": f"/detachments/{d}/members/new/",
        "detachments/<int:pk>/members/<int:member_pk>/edit/": f"/detachments/{d}/members/{m}/edit/",
        "detachments/invitations/<str:token>/": f"/detachments/invitations/{invitation_token(invitation)}/",
        "campaigns/<int:pk>/": f"/campaigns/{campaign.pk}/",
        "shifts/<int:pk>/": f"/shifts/{shift.pk}/",
        "shifts/<int:pk>/signup/": f"/shifts/{shift.pk}/signup/",
        "shifts/<int:pk>/detachment/": f"/shifts/{shift.pk}/detachment/",
        "my-shifts/<int:pk>/cancel/": f"/my-shifts/{signup.pk}/cancel/",
        "my-shifts/<int:pk>/transport/": f"/my-shifts/{signup.pk}/transport/",
        "manage/shifts/<int:pk>/transport/": f"/manage/shifts/{shift.pk}/transport/",
        "manage/campaigns/<int:pk>/transport/": f"/manage/campaigns/{campaign.pk}/transport/",
        "manage/campaigns/<int:pk>/callouts/new/": f"/manage/campaigns/{flood.pk}/callouts/new/",
        "manage/callouts/<int:pk>/": f"/manage/callouts/{callout.pk}/",
        "callout/<str:token>/": f"/callout/{callout_token(callout.answers.get(volunteer=volunteer))}/",
        "manage/campaigns/<int:pk>/": f"/manage/campaigns/{campaign.pk}/",
        "manage/campaigns/<int:pk>/edit/": f"/manage/campaigns/{campaign.pk}/edit/",
        "manage/campaigns/<int:pk>/shifts/new/": f"/manage/campaigns/{campaign.pk}/shifts/new/",
        "manage/campaigns/<int:pk>/series/new/": f"/manage/campaigns/{campaign.pk}/series/new/",
        "manage/shifts/<int:pk>/": f"/manage/shifts/{shift.pk}/",
        "manage/shifts/<int:pk>/edit/": f"/manage/shifts/{shift.pk}/edit/",
        "manage/shifts/<int:pk>/series/": f"/manage/shifts/{series[0].pk}/series/",
        "manage/signups/<int:pk>/move/": f"/manage/signups/{signup.pk}/move/",
        "manage/signups/<int:pk>/cancel/": f"/manage/signups/{signup.pk}/cancel/",
        "roster/duplicates/<int:pk>/merge/": f"/roster/duplicates/{pair.pk}/merge/",
        "messages/<int:pk>/": f"/messages/{message.pk}/",
        "unsubscribe/<str:token>/": f"/unsubscribe/{unsubscribe_token(volunteer_id=volunteer.pk, channel='email')}/",
        # A recipient's own link: the full text and the button that stops announcements.
        "a/<str:token>/": f"/a/{announcement_person_token(broadcast_id=announcement.pk, volunteer_id=volunteer.pk)}/",
        "care/requests/<int:pk>/": f"/care/requests/{help_request.pk}/",
        "care/assignments/<int:pk>/done/": f"/care/assignments/{care_assignment.pk}/done/",
        "care/beneficiaries/<int:pk>/erase/": f"/care/beneficiaries/{help_request.beneficiary_id}/erase/",
        "reports/exports/<int:pk>/": f"/reports/exports/{job.pk}/",
        "reports/certificates/new/<int:volunteer_pk>/": f"/reports/certificates/new/{volunteer.pk}/",
        "verify/<str:code>/": f"/verify/{certificate.code}/",
    }
    for route in PAGES:
        urls.setdefault(route, "/" + route)
    return Site(
        users={
            VOLUNTEER: volunteer.user,
            CURATOR: curator,
            COORDINATOR: coordinator,
            NATIONAL: national,
        },
        urls=urls,
        ids={"minor": m, "detachment": d, "pair": pair.pk, "callout": callout.pk},
    )


def _import_batches(coordinator: Any, region: Any) -> tuple[int, int]:
    """A checked upload (its preview with errors and duplicates) and one waiting for its mapping."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from volunteers.imports import services as imports

    rows = (
        "ФИО;Дата рождения;Телефон;Email\n"
        "Серікова Айгерім Нұрланқызы;31.02.2001;8 701 12;aigerim.serikova.long.address@example.kz\n"
        "Омаров Нұрлан;02.03.2000;8 701 555 44 33;\n"
        "Омаров Нұрлан;02.03.2000;8 701 555 44 33;\n"
    ).encode()
    checked = checked_batch(by=coordinator, region=region, rows=rows)
    waiting = imports.batch_upload(
        by=coordinator, region=region, upload=SimpleUploadedFile("тізім.csv", rows)
    )
    return checked.pk, waiting.pk


def test_every_page_is_visited() -> None:
    """A new URL is checked on a phone from the day it exists, or says why it is not a page."""
    routes = page_routes()
    assert not (set(PAGES) & set(NOT_PAGES))
    unlisted = routes - set(PAGES) - set(NOT_PAGES)
    assert not unlisted, f"List these routes in PAGES (who visits them) or NOT_PAGES: {sorted(unlisted)}"
    stale = (set(PAGES) | set(NOT_PAGES)) - routes
    assert not stale, f"No longer routes of the project: {sorted(stale)}"
    assert set(MAIN_PAGES) <= set(PAGES)


@pytest.fixture
def open_as(
    browser: Browser, browser_context_args: dict[str, Any], live_server: Any, site: Site
) -> Iterator[Callable[[str], Page]]:
    """One browser context per persona, logged in through the login page, at phone size."""
    contexts: list[BrowserContext] = []

    def _open(persona: str) -> Page:
        context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
        # Every Content-Security-Policy violation the browser reports is collected per page.
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        if persona != ANONYMOUS:
            log_in(page, live_server, site.users[persona])
        return page

    yield _open
    for context in contexts:
        context.close()


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def _set_language(page: Page, live_server: Any, code: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": code, "url": live_server.url}])


_axe = Axe()


def _check(page: Page, url: str, status: int, problems: list[str], label: str) -> None:
    response = page.goto(url)
    assert response is not None
    if response.status != status:
        problems.append(f"{label} {url}: HTTP {response.status}, expected {status}")
        return
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                 .slice(0, 3).map(el => el.tagName + '.' + el.className + ' ' + (el.textContent || '').trim().slice(0, 30))"""
        )
        problems.append(f"{label} {url}: scrolls sideways ({width[0]} > {width[1]} px): {wide}")
    results = _axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"{label} {url}: axe {violation['id']} ({violation['impact']}): {targets}")
    for violation in page.evaluate("window.__cspViolations || []"):
        problems.append(f"{label} {url}: Content-Security-Policy refused {violation}")


def test_every_page_fits_a_phone_and_passes_axe(
    open_as: Callable[[str], Page], site: Site, live_server: Any
) -> None:
    problems: list[str] = []
    visited = 0
    for persona in EVERYONE:
        page = open_as(persona)
        routes = [route for route, personas in PAGES.items() if persona in personas]
        errors = [(url.format(**site.ids), status) for who, url, status in ERROR_PAGES if who == persona]
        for lang in ("kk", "ru"):
            _set_language(page, live_server, lang)
            for route in routes:
                if lang == "ru" and (route not in MAIN_PAGES or PAGES[route][0] != persona):
                    continue
                _check(page, site.urls[route], 200, problems, f"[{persona}, {lang}]")
                visited += 1
            for url, status in errors:
                _check(page, url, status, problems, f"[{persona}, {lang}]")
                visited += 1
            # The menu open: its links are checked too.
            page.goto(site.urls[""])
            page.locator("header button[aria-controls=site-nav]").click()
            expect(page.locator("#site-nav")).to_be_visible()
            results = _axe.run(page, context="header")
            for violation in results.response["violations"]:
                if violation["impact"] in {"serious", "critical"}:
                    problems.append(f"[{persona}, {lang}] open menu: axe {violation['id']}")
    assert visited >= len([p for ps in PAGES.values() for p in ps]) + len(MAIN_PAGES)
    assert not problems, "\n".join(problems)


def test_office_screen_header_on_one_line_and_no_clipped_cells(
    open_as: Callable[[str], Page], site: Site, live_server: Any
) -> None:
    """1366 px, the longest navigation (a coordinator's) in Kazakh and Russian."""
    page = open_as(COORDINATOR)
    page.set_viewport_size(DESKTOP)
    problems: list[str] = []
    for lang in ("kk", "ru"):
        _set_language(page, live_server, lang)
        for route in ("overview/", "roster/", "roster/<int:pk>/", "detachments/", "detachments/<int:pk>/"):
            page.goto(site.urls[route])
            # One line: every item of the header sits on the same row as the brand.
            rows = page.evaluate(
                """() => [...document.querySelectorAll('header .brand, header nav a, header nav button, header .lang')]
                     .map(el => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2))"""
            )
            if max(rows) - min(rows) > 8:
                problems.append(f"[{lang}] {route}: the header wraps (item centres at {sorted(set(rows))})")
            clipped = page.evaluate(
                """() => [...document.querySelectorAll('main td, main th, main .table-wrap')]
                     .filter(el => el.scrollWidth > el.clientWidth + 1)
                     .map(el => el.tagName + ' ' + (el.textContent || '').trim().slice(0, 40))"""
            )
            if clipped:
                problems.append(f"[{lang}] {route}: clipped {clipped}")
    assert not problems, "\n".join(problems)


def test_phone_menu_works_with_the_keyboard(open_as: Callable[[str], Page]) -> None:
    page = open_as(COORDINATOR)
    page.goto("/")
    button = page.locator("header button[aria-controls=site-nav]")
    roster_link = page.locator("#site-nav a[href='/roster/']")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(roster_link).to_be_hidden()

    for _ in range(10):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reaches the menu button")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(roster_link).to_be_visible()

    # The next Tab stops on the first link of the open menu, then on the next ones.
    page.keyboard.press("Tab")
    first_link = page.locator("#site-nav a").first
    expect(first_link).to_be_focused()
    expect(first_link).to_be_visible()
    while not roster_link.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_be_visible()
    assert page.url.endswith("/roster/")

    # Escape closes the menu and gives the focus back to its button.
    button.click()
    expect(roster_link).to_be_visible()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(roster_link).to_be_hidden()


def test_without_javascript_the_navigation_stays_visible(
    browser: Browser, browser_context_args: dict[str, Any], live_server: Any
) -> None:
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE, "java_script_enabled": False})
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("header button[aria-controls=site-nav]")).to_be_hidden()
        expect(page.locator("#site-nav a[href='/accounts/login/']")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()

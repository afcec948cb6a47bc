"""Every URL of the project, as every persona, with the outcome written down.

The routes come from the URL resolver: `test_every_route_is_in_the_matrix` fails for a new URL
until somebody writes here what each persona gets from it. Parameters are filled with objects
of region A (Almaty); the personas are anonymous, a volunteer, a detachment curator, a
front-office clerk and the coordinator of A, the coordinator and a volunteer of region B
(Astana), and national staff. Each persona opens every route with GET; for POST-only actions
every persona without the right also sends a POST, which must be refused without a single
write to the database. The admin's own URLs are walked by tests/core/test_admin_access.py
(every registered model's pages, for every persona); here they are counted, so that a route of
the admin that walk does not open fails too.

Outcomes: a status code, or "login" (302 to the login page), or "302" (another redirect).
For POST-only rows, the second string is what a POST gets, "-" where the persona may do it
(those POSTs are the feature tests' business: here they would change the shared data).

The leak check: no response to a persona of region B holds a name, phone or e-mail of a person
of region A — except on the capability links, which show their holder what they were sent for
(CAPABILITY_LINKS).
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tokens import activation_token, activation_uid
from care import services as care_services
from detachments.invitation_links import invitation_token
from detachments.models import CuratorInvitation
from events.models import TransportRequest
from events.services import calendar_feed_renew, shift_series_create, signup_create
from events.services_extra import callout_create, callout_token, transport_request_save
from front_offices import services as front_office_services
from front_offices.models import FrontOffice, OpeningHours, VisitSlot
from notifications.models import Broadcast
from notifications.services import message_schedule
from notifications.tokens import announcement_token, unsubscribe_token
from regions.models import CoordinatorAssignment, Region
from reports import services as report_services
from tests.care.factories import BeneficiaryFactory, HelpRequestFactory
from tests.conftest import client_for
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import DetachmentFactory, MinorFactory, SkillFactory, UserFactory, VolunteerFactory
from tests.reports.factories import finished_export, issued_certificate
from tests.routes import project_routes, walk
from tests.volunteers.imports.files import checked_batch
from volunteers.guardian_links import guardian_link_token
from volunteers.models import PossibleDuplicate

PERSONAS = (
    "anonymous",
    "volunteer_a",
    "curator_a",
    "office_a",
    "coordinator_a",
    "coordinator_b",
    "volunteer_b",
    "national",
)
REGION_B = ("coordinator_b", "volunteer_b")

ADMIN_PREFIX = "admin/"

# Links that are their own key (a token or a public code): whoever holds one sees what it was
# sent for, whatever their own account. They are in the matrix like every route, but the leak
# check does not apply to them.
CAPABILITY_LINKS = {
    "accounts/activate/<uidb64>/<token>/",
    "accounts/reset/<uidb64>/<token>/",
    "guardian/<str:token>/",
    "detachments/invitations/<str:token>/",
    "callout/<str:token>/",
    "my-shifts/<str:token>.ics",
    "unsubscribe/<str:token>/",
    "verify/<str:code>/",  # the public check of a certificate names its holder, by design
}

# Route → outcome for each persona, in the order of PERSONAS:
#   anonymous, volunteer_a, curator_a, office_a, coordinator_a, coordinator_b, volunteer_b, national
# A pair is a POST-only action: (GET outcomes, POST outcomes), "-" where the persona may act.
# Wherever GET is refused ("login", 401, 404), a POST is refused too, and writes nothing.
MATRIX: dict[str, str | tuple[str, str]] = {
    "accounts/activate/<uidb64>/<token>/": "200 200 200 200 200 200 200 200",
    # The link is volunteer_a's: their logging in since it was sent has spent it (200: the
    # "link no longer valid" page); for anybody else it goes on to the new-password form.
    "accounts/reset/<uidb64>/<token>/": "302 200 302 302 302 302 302 302",
    "guardian/<str:token>/": "200 200 200 200 200 200 200 200",
    "skills/<int:pk>/edit/": "login 404 404 404 200 200 404 200",
    "roster/<int:pk>/": "login 404 404 404 200 404 404 200",
    "roster/<int:pk>/edit/": "login 404 404 404 200 404 404 200",
    # Erasure on request: whoever may edit the person (a refused empty POST erases nothing).
    "roster/<int:pk>/erase/": "login 404 404 404 200 404 404 200",
    "roster/<int:pk>/guardian-consent/": "login 404 404 404 200 404 404 200",
    "roster/duplicates/<int:pk>/merge/": "login 404 404 404 200 404 404 200",
    "roster/duplicates/<int:pk>/dismiss/": (
        "405 405 405 405 405 405 405 405",
        "login 404 404 404 - 404 404 -",
    ),
    "roster/import/template-<str:language>.xlsx": "login 404 404 404 200 200 404 200",
    "detachments/<int:pk>/": "login 404 200 404 200 404 404 200",
    "detachments/<int:pk>/edit/": "login 404 404 404 200 404 404 200",
    "detachments/<int:pk>/invitations/<int:invitation_pk>/revoke/": (
        "405 405 405 405 405 405 405 405",
        "login 404 404 404 - 404 404 -",
    ),
    "detachments/invitations/<str:token>/": "200 200 200 200 200 200 200 200",
    "detachments/<int:pk>/members/new/": "login 404 200 404 200 404 404 200",
    "detachments/<int:pk>/members/<int:member_pk>/edit/": "login 404 200 404 200 404 404 200",
    "detachments/<int:pk>/members/<int:member_pk>/guardian-consent/": "login 404 200 404 200 404 404 200",
    "front-offices/<int:pk>/": "200 200 200 200 200 200 200 200",
    "front-offices/slots/<int:slot_pk>/book/": "login 200 200 200 200 200 200 200",
    "front-offices/<int:pk>/day/": "login 404 404 200 200 404 404 200",
    "front-offices/<int:pk>/block/": "login 404 404 200 200 404 404 200",
    "front-offices/manage/<int:pk>/edit/": "login 404 404 404 200 404 404 200",
    "manage/callouts/<int:pk>/": "login 404 404 404 200 404 404 200",
    "manage/callouts/<int:pk>/status.json": "login 404 404 404 200 404 404 200",
    "manage/callouts/<int:pk>/confirm/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "manage/callouts/<int:pk>/close/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "manage/campaigns/<int:pk>/callouts/new/": "login 404 404 404 200 404 404 200",
    "callout/<str:token>/": "200 200 200 200 200 200 200 200",
    "manage/shifts/<int:pk>/series/": "login 404 404 404 200 404 404 200",
    "manage/shifts/<int:pk>/series/cancel/": (
        "405 405 405 405 405 405 405 405",
        "login 404 404 404 - 404 404 -",
    ),
    "manage/transport/<int:pk>/answer/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "my-shifts/<str:token>.ics": "200 200 200 200 200 200 200 200",
    "messages/<int:pk>/": "login 404 404 404 200 404 404 200",
    "messages/<int:pk>/retry/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "unsubscribe/<str:token>/": "200 200 200 200 200 200 200 200",
    "a/<str:token>/": "200 200 200 200 200 200 200 200",
    "care/assignments/<int:pk>/confirm/": (
        "405 405 405 405 405 405 405 405",
        "login 404 404 404 - 404 404 -",
    ),
    "care/assignments/<int:pk>/withdraw/": ("405 405 405 405 405 405 405 405", "login - 404 - - 404 404 -"),
    "care/assignments/<int:pk>/done/": "login 200 404 200 200 404 404 200",
    "care/beneficiaries/<int:pk>/erase/": "login 404 404 200 200 404 404 200",
    "reports/exports/<int:pk>/": "login 404 404 404 200 404 404 404",
    "reports/exports/<int:pk>/status.json": "login 404 404 404 200 404 404 404",
    "reports/exports/<int:pk>/download/": "login 404 404 404 200 404 404 404",
    "reports/certificates/new/<int:volunteer_pk>/": "login 404 404 404 200 404 404 200",
    "reports/certificates/<int:pk>/revoke/": (
        "405 405 405 405 405 405 405 405",
        "login 404 404 404 - 404 404 -",
    ),
    "certificates/<int:pk>.pdf": "login 200 404 404 200 404 404 200",
    "verify/<str:code>/": "200 200 200 200 200 200 200 200",
    "": "200 200 200 200 200 200 200 200",
    "start/": "login 302 302 302 302 302 302 302",
    "overview/": "login 404 404 404 200 200 404 200",
    "map/": "200 200 200 200 200 200 200 200",
    "campaigns/": "200 200 200 200 200 200 200 200",
    "front-offices/": "200 200 200 200 200 200 200 200",
    "front-offices/next/": "200 200 200 200 200 200 200 200",
    "front-offices/visits/": "login 200 200 200 200 200 200 200",
    "front-offices/visits/<int:pk>/": "login 200 404 404 404 404 404 404",
    "front-offices/visits/<int:pk>/visit.ics": "login 200 404 404 404 404 404 404",
    "front-offices/visits/<int:pk>/cancel/": "login 200 404 404 404 404 404 404",
    "front-offices/visits/<int:pk>/reschedule/": "login 200 404 404 404 404 404 404",
    "front-offices/<int:pk>/hours/": "login 404 404 200 200 404 404 200",
    "front-offices/<int:pk>/walk-in/": "login 404 404 200 200 404 404 200",
    "front-offices/staff/visits/<int:pk>/mark/": (
        "login 405 405 405 405 405 405 405",
        "login 404 404 - - 404 404 -",
    ),
    "front-offices/staff/visits/<int:pk>/move/": "login 404 404 200 200 404 404 200",
    "front-offices/manage/": "login 404 404 200 200 200 404 200",
    "i18n/setlang/": ("302 302 302 302 302 302 302 302", "- - - - - - - -"),
    "accounts/register/": "200 302 302 302 302 302 302 302",
    "accounts/consent/": "200 200 200 200 200 200 200 200",
    "me/": "login 200 200 200 200 200 200 200",
    "me/edit/": "login 200 404 404 404 404 200 404",
    "me/data.json": "login 200 200 200 200 200 200 200",
    # "Send the guardian's link again", on a minor's profile (an adult is told there is none).
    "me/guardian-link/": ("405 405 405 405 405 405 405 405", "login - 404 404 404 404 - 404"),
    # "Give my consent", on the profile of someone who came of age awaiting their guardian.
    "me/consent/": ("405 405 405 405 405 405 405 405", "login - 404 404 404 404 - 404"),
    # Deleting the account asks for the password first (accounts/reauth.py); the test clients
    # log in without typing one.
    "me/delete/": "login 302 302 302 302 302 302 302",
    "accounts/confirm-password/": "login 200 200 200 200 200 200 200",
    "accounts/login/": "200 200 200 200 200 200 200 200",
    "accounts/register/done/": "200 200 200 200 200 200 200 200",
    "accounts/logout-everywhere/": ("405 405 405 405 405 405 405 405", "login - - - - - - -"),
    "accounts/password_reset/": "200 200 200 200 200 200 200 200",
    "accounts/password_change/": "login 200 200 200 200 200 200 200",
    "accounts/logout/": ("405 405 405 405 405 405 405 405", "- - - - - - - -"),
    "accounts/password_change/done/": "login 200 200 200 200 200 200 200",
    "accounts/password_reset/done/": "200 200 200 200 200 200 200 200",
    "accounts/reset/done/": "200 200 200 200 200 200 200 200",
    "roster/": "login 404 404 404 200 200 404 200",
    "roster/new/": "login 404 404 404 200 200 404 200",
    "roster/bulk/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - - 404 -"),
    "roster/duplicates/": "login 404 404 404 200 200 404 200",
    "roster/import/": "login 404 404 404 200 200 404 200",
    "roster/import/<int:pk>/": "login 404 404 404 200 404 404 200",
    "roster/import/<int:pk>/columns/": "login 404 404 404 200 404 404 200",
    "roster/import/<int:pk>/status.json": "login 404 404 404 200 404 404 200",
    "roster/import/<int:pk>/choices/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "roster/import/<int:pk>/run/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "roster/import/<int:pk>/report.xlsx": "login 404 404 404 200 404 404 200",
    "roster/import/<int:pk>/discard/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "roster/import/<int:pk>/restart/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "skills/": "login 404 404 404 200 200 404 200",
    "skills/new/": "login 404 404 404 200 200 404 200",
    "detachments/": "login 404 200 404 200 200 404 200",
    "detachments/new/": "login 404 404 404 200 200 404 200",
    "care/": "login 200 200 404 404 404 200 404",
    "care/report/": "login 200 404 404 404 404 200 404",
    "care/requests/": "login 404 404 200 200 200 404 200",
    "care/requests/new/": "login 404 404 200 200 200 404 200",
    "care/requests/<int:pk>/": "login 200 404 200 200 404 404 200",
    "care/requests/<int:pk>/offer/": ("405 405 405 405 405 405 405 405", "login - 404 404 404 404 404 404"),
    "care/requests/<int:pk>/check/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "care/requests/<int:pk>/assign/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "care/requests/<int:pk>/assign-detachment/": (
        "405 405 405 405 405 405 405 405",
        "login 404 404 404 - 404 404 -",
    ),
    "care/requests/<int:pk>/start/": ("405 405 405 405 405 405 405 405", "login - 404 - - 404 404 -"),
    "care/requests/<int:pk>/close/": ("405 405 405 405 405 405 405 405", "login 404 404 - - 404 404 -"),
    "care/requests/<int:pk>/stop-repeating/": (
        "405 405 405 405 405 405 405 405",
        "login 404 404 - - 404 404 -",
    ),
    "campaigns/<int:pk>/": "200 200 200 200 200 200 200 200",
    "shifts/<int:pk>/": "200 200 200 200 200 200 200 200",
    "shifts/<int:pk>/signup/": "login 200 200 200 200 200 200 200",
    "shifts/<int:pk>/calendar.ics": "200 200 200 200 200 200 200 200",
    "shifts/<int:pk>/detachment/": "login 404 200 404 404 404 404 404",
    "my-shifts/": "login 200 200 200 200 200 200 200",
    "my-shifts/<int:pk>/cancel/": "login 200 404 404 404 404 404 404",
    "my-shifts/calendar-feed/": ("405 405 405 405 405 405 405 405", "login - 404 404 404 404 - 404"),
    "manage/campaigns/": "login 404 404 404 200 200 404 200",
    "manage/campaigns/new/": "login 404 404 404 200 200 404 200",
    "manage/campaigns/<int:pk>/": "login 404 404 404 200 404 404 200",
    "manage/campaigns/<int:pk>/edit/": "login 404 404 404 200 404 404 200",
    "manage/campaigns/<int:pk>/status/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "manage/campaigns/<int:pk>/shifts/new/": "login 404 404 404 200 404 404 200",
    "manage/campaigns/<int:pk>/series/new/": "login 404 404 404 200 404 404 200",
    "manage/shifts/<int:pk>/": "login 404 404 404 200 404 404 200",
    "manage/shifts/<int:pk>/edit/": "login 404 404 404 200 404 404 200",
    "manage/shifts/<int:pk>/cancel/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "manage/shifts/<int:pk>/add/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - 404 404 -"),
    "manage/signups/<int:pk>/attendance/": (
        "405 405 405 405 405 405 405 405",
        "login 404 404 404 - 404 404 -",
    ),
    "manage/signups/<int:pk>/move/": "login 404 404 404 200 404 404 200",
    "manage/signups/<int:pk>/cancel/": "login 404 404 404 200 404 404 200",
    "my-shifts/<int:pk>/transport/": "login 200 404 404 404 404 404 404",
    "manage/shifts/<int:pk>/transport/": "login 404 404 404 200 404 404 200",
    "manage/campaigns/<int:pk>/transport/": "login 404 404 404 200 404 404 200",
    "messages/": "login 404 404 404 200 200 404 200",
    "messages/broadcast/": "login 404 404 404 200 200 404 200",
    "me/messages/": "login 200 404 404 404 404 200 404",
    "reports/": "login 404 404 404 200 200 404 200",
    "reports/export/": "login 404 404 404 200 200 404 200",
    "reports/export/roster/": ("405 405 405 405 405 405 405 405", "login 404 404 404 - - 404 -"),
    "reports/audit/": "login 404 404 404 404 404 404 200",
    "reports/certificates/": "login 404 404 404 200 200 404 200",
    "me/certificates/": "login 200 404 404 404 404 200 404",
    "verify/": "200 200 200 200 200 200 200 200",
    "year-of-volunteers/": "200 200 200 200 200 200 200 200",
    "api/auth/token/": ("405 405 405 405 405 405 405 405", "- - - - - - - -"),
    "api/auth/token/revoke/": ("401 405 405 405 405 405 405 405", "401 - - - - - - -"),
    "api/regions/": "200 200 200 200 200 200 200 200",
    "api/volunteers/": "401 404 404 404 200 200 404 200",
    "api/volunteers/<int:pk>/": "401 404 404 404 200 404 404 200",
    "api/me/": "401 200 200 200 200 200 200 200",
    "api/map/front-offices/": "200 200 200 200 200 200 200 200",
    "api/map/events/": "200 200 200 200 200 200 200 200",
    "api/map/detachments/": "200 200 200 200 200 200 200 200",
    "api/map/regions/": "200 200 200 200 200 200 200 200",
    "api/campaigns/": "200 200 200 200 200 200 200 200",
    "api/campaigns/<int:pk>/": "200 200 200 200 200 200 200 200",
    "api/shifts/": "200 200 200 200 200 200 200 200",
    "api/shifts/<int:pk>/signup/": ("401 405 405 405 405 405 405 405", "401 - - - - - - -"),
    "api/signups/": "401 200 200 200 200 200 200 200",
    "api/signups/<int:pk>/cancel/": ("401 405 405 405 405 405 405 405", "401 - 404 404 - 404 404 -"),
    "api/volunteers/<int:pk>/hours/": "401 404 404 404 200 404 404 200",
    "api/front-offices/": "200 200 200 200 200 200 200 200",
    "api/front-offices/<int:pk>/": "200 200 200 200 200 200 200 200",
    "api/front-offices/<int:pk>/slots/": "200 200 200 200 200 200 200 200",
    "api/visits/": "401 200 200 200 200 200 200 200",
    "api/visits/<int:pk>/cancel/": ("401 405 405 405 405 405 405 405", "401 - 404 - - 404 404 -"),
    "api/care/requests/": "401 200 200 200 200 200 200 200",
    "api/care/requests/map/": "401 200 200 200 200 200 200 200",
    "api/care/requests/<int:pk>/": "401 200 404 200 200 404 404 200",
    "api/care/requests/<int:pk>/offer/": ("401 405 405 405 405 405 405 405", "401 - 404 - - 404 404 -"),
    "api/schema/": "200 200 200 200 200 200 200 200",
    "api/docs/": "200 200 200 200 200 200 200 200",
    "healthz": "200 200 200 200 200 200 200 200",
    "readyz": "200 200 200 200 200 200 200 200",
}


@dataclass
class World:
    users: dict[str, Any]
    urls: dict[str, str]
    # Names, phones and e-mails of region A's people, for the leak check.
    names: list[str]
    phones: list[str]
    emails: list[str]


def _build_world() -> World:
    almaty = Region.objects.get(code="75")
    astana = Region.objects.get(code="71")
    coordinator = UserFactory(email="aliya.coordinator@example.kz", full_name="Әлия Серікова")
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    coordinator_b = UserFactory(email="charlie@example.kz", full_name="Шарль Астанов")
    CoordinatorAssignment.objects.create(user=coordinator_b, region=astana)
    national = UserFactory(email="nora@example.kz", full_name="Нұргүл Әбенова", is_national_staff=True)
    curator = UserFactory(email="aizhan.teacher@example.kz", full_name="Айжан Мұғалімова")
    clerk = UserFactory(email="klara.clerk@example.kz", full_name="Клара Кеңсеқызы", is_staff=True)
    volunteer = VolunteerFactory(
        region=almaty,
        with_account=True,
        last_name="Қасымов",
        first_name="Бауыржан",
        email="baurzhan.kasymov@example.kz",
        phone="+77015550101",
    )
    volunteer_b = VolunteerFactory(
        region=astana,
        with_account=True,
        last_name="Ершова",
        first_name="Алёна",
        email="alena.ershova@example.kz",
        phone="+77755550202",
    )
    detachment = DetachmentFactory(region=almaty, curator=curator, school_name="№ 25 мектеп-гимназия")
    minor = MinorFactory(
        region=almaty,
        detachment=detachment,
        last_name="Бекова",
        first_name="Аружан",
        email="aruzhan.bekova@example.kz",
        phone="+77015550303",
        guardian_name="Гүлжан Бекова",
        guardian_phone="+77015550404",
    )
    twin = MinorFactory(
        region=almaty,
        last_name="Бекова",
        first_name="Аружана",
        phone=minor.phone,
        birth_date=minor.birth_date,
        email="aruzhana.twin@example.kz",
        guardian_name="Гүлжан Бекова",
        guardian_phone="+77015550404",
    )
    pair = PossibleDuplicate.objects.create(volunteer=twin, existing=minor, reason="phone")
    skill = SkillFactory(
        code="first-aid", name_kk="Алғашқы көмек", name_ru="Первая помощь", name_en="First aid"
    )
    office = FrontOffice.objects.create(
        name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 10", phone="+77272000000"
    )
    office.staff.add(clerk)
    newcomer = UserFactory(email="new.person@example.kz", full_name="Жаңа Адамов", is_active=False)
    invitation = CuratorInvitation.objects.create(
        detachment=detachment,
        email="invited.teacher@example.kz",
        invited_by=coordinator,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    campaign = CampaignFactory(region=almaty, title="Таза Алматы")
    shift = ShiftFactory(campaign=campaign, capacity=12)
    signup = signup_create(shift=shift, volunteer=volunteer, by=volunteer.user)
    first = timezone.localdate() + datetime.timedelta(days=3)
    series = shift_series_create(
        campaign=campaign,
        first_date=first,
        weekdays=[first.isoweekday()],
        start_time=datetime.time(10),
        end_time=datetime.time(13),
        weeks=2,
        data={"place_name": "Мектеп ауласы", "capacity": 5, "waitlist_enabled": True},
        by=coordinator,
    )
    feed = calendar_feed_renew(volunteer=volunteer)
    announcement = Broadcast.objects.create(subject="Сенбілік", body="Сенбі, 10:00.", created_by=coordinator)
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
    transport_request_save(signup=signup, pickup="Сайран аялдамасы", seats=2)
    transport = TransportRequest.objects.get(signup=signup)
    flood = CampaignFactory(region=almaty, kind="emergency", title="Су тасқыны")
    ShiftFactory(campaign=flood, capacity=30)
    callout = callout_create(campaign=flood, text="Қапшықтарға құм толтыру керек.", by=coordinator)
    for weekday in range(7):
        OpeningHours.objects.create(
            office=office, weekday=weekday, opens=datetime.time(9), closes=datetime.time(21)
        )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    front_office_services.slots_sync(office=office, first=tomorrow, last=tomorrow)
    slots = VisitSlot.objects.filter(office=office, local_date=tomorrow).order_by("starts_at")
    visit = front_office_services.visit_book(
        slot=slots[4], volunteer=volunteer, purpose="certificate", note="Анықтама", by=None
    )
    free_slot = slots[5]
    beneficiary = BeneficiaryFactory(full_name="Жұмабаева Рахима", phone="+77015550505", locality="Алматы")
    help_request = HelpRequestFactory(beneficiary=beneficiary, kind="fuel", needed_hands=2)
    care_assignment = care_services.assignment_volunteer(
        request=help_request, volunteer=volunteer, by=coordinator
    )
    job = finished_export(coordinator)
    # The finished file, where the download looks for it.
    report_services.job_path(job).write_bytes(b"PK\x03\x04")
    certificate = issued_certificate(volunteer, campaign=campaign, issued_by=coordinator)
    batch = checked_batch(
        by=coordinator,
        region=almaty,
        rows="ФИО;Дата рождения;Телефон;Email\nОмаров Нұрлан;02.03.2000;8 701 555 44 33;\n".encode(),
    ).pk
    user = volunteer.user
    answer = callout.answers.get(volunteer=volunteer)
    ids = {
        "campaign": campaign.pk,
        "shift": shift.pk,
        "signup": signup.pk,
        "office": office.pk,
        "visit": visit.pk,
        "request": help_request.pk,
        "volunteer": volunteer.pk,
    }
    urls = {
        "accounts/activate/<uidb64>/<token>/": (
            f"/accounts/activate/{activation_uid(newcomer)}/{activation_token.make_token(newcomer)}/"
        ),
        "accounts/reset/<uidb64>/<token>/": (
            f"/accounts/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/"
            f"{default_token_generator.make_token(user)}/"
        ),
        "guardian/<str:token>/": f"/guardian/{guardian_link_token(minor)}/",
        "skills/<int:pk>/edit/": f"/skills/{skill.pk}/edit/",
        "roster/<int:pk>/": f"/roster/{minor.pk}/",
        "roster/<int:pk>/edit/": f"/roster/{minor.pk}/edit/",
        "roster/<int:pk>/erase/": f"/roster/{minor.pk}/erase/",
        "roster/<int:pk>/guardian-consent/": f"/roster/{minor.pk}/guardian-consent/",
        "roster/duplicates/<int:pk>/merge/": f"/roster/duplicates/{pair.pk}/merge/",
        "roster/duplicates/<int:pk>/dismiss/": f"/roster/duplicates/{pair.pk}/dismiss/",
        "roster/import/template-<str:language>.xlsx": "/roster/import/template-kk.xlsx",
        "detachments/<int:pk>/": f"/detachments/{detachment.pk}/",
        "detachments/<int:pk>/edit/": f"/detachments/{detachment.pk}/edit/",
        "detachments/<int:pk>/invitations/<int:invitation_pk>/revoke/": (
            f"/detachments/{detachment.pk}/invitations/{invitation.pk}/revoke/"
        ),
        "detachments/invitations/<str:token>/": f"/detachments/invitations/{invitation_token(invitation)}/",
        "detachments/<int:pk>/members/new/": f"/detachments/{detachment.pk}/members/new/",
        "detachments/<int:pk>/members/<int:member_pk>/edit/": f"/detachments/{detachment.pk}/members/{minor.pk}/edit/",
        "detachments/<int:pk>/members/<int:member_pk>/guardian-consent/": (
            f"/detachments/{detachment.pk}/members/{minor.pk}/guardian-consent/"
        ),
        "front-offices/<int:pk>/": f"/front-offices/{office.pk}/?date={tomorrow.isoformat()}",
        "front-offices/slots/<int:slot_pk>/book/": f"/front-offices/slots/{free_slot.pk}/book/",
        "front-offices/<int:pk>/day/": f"/front-offices/{office.pk}/day/?date={tomorrow.isoformat()}",
        "front-offices/<int:pk>/block/": f"/front-offices/{office.pk}/block/?date={tomorrow.isoformat()}",
        "front-offices/manage/<int:pk>/edit/": f"/front-offices/manage/{office.pk}/edit/",
        "manage/callouts/<int:pk>/": f"/manage/callouts/{callout.pk}/",
        "manage/callouts/<int:pk>/status.json": f"/manage/callouts/{callout.pk}/status.json",
        "manage/callouts/<int:pk>/confirm/": f"/manage/callouts/{callout.pk}/confirm/",
        "manage/callouts/<int:pk>/close/": f"/manage/callouts/{callout.pk}/close/",
        "manage/campaigns/<int:pk>/callouts/new/": f"/manage/campaigns/{flood.pk}/callouts/new/",
        "callout/<str:token>/": f"/callout/{callout_token(answer)}/",
        "manage/shifts/<int:pk>/series/": f"/manage/shifts/{series[0].pk}/series/",
        "manage/shifts/<int:pk>/series/cancel/": f"/manage/shifts/{series[0].pk}/series/cancel/",
        "manage/transport/<int:pk>/answer/": f"/manage/transport/{transport.pk}/answer/",
        "my-shifts/<str:token>.ics": f"/my-shifts/{feed.token}.ics",
        "messages/<int:pk>/": f"/messages/{message.pk}/",
        "messages/<int:pk>/retry/": f"/messages/{message.pk}/retry/",
        "unsubscribe/<str:token>/": f"/unsubscribe/{unsubscribe_token(volunteer_id=volunteer.pk, channel='email')}/",
        "a/<str:token>/": f"/a/{announcement_token(broadcast_id=announcement.pk)}/",
        "care/assignments/<int:pk>/confirm/": f"/care/assignments/{care_assignment.pk}/confirm/",
        "care/assignments/<int:pk>/withdraw/": f"/care/assignments/{care_assignment.pk}/withdraw/",
        "care/assignments/<int:pk>/done/": f"/care/assignments/{care_assignment.pk}/done/",
        "care/beneficiaries/<int:pk>/erase/": f"/care/beneficiaries/{beneficiary.pk}/erase/",
        "reports/exports/<int:pk>/": f"/reports/exports/{job.pk}/",
        "reports/exports/<int:pk>/status.json": f"/reports/exports/{job.pk}/status.json",
        "reports/exports/<int:pk>/download/": f"/reports/exports/{job.pk}/download/",
        "reports/certificates/new/<int:volunteer_pk>/": f"/reports/certificates/new/{volunteer.pk}/",
        "reports/certificates/<int:pk>/revoke/": f"/reports/certificates/{certificate.pk}/revoke/",
        "certificates/<int:pk>.pdf": f"/certificates/{certificate.pk}.pdf",
        "verify/<str:code>/": f"/verify/{certificate.code}/",
        "api/front-offices/<int:pk>/slots/": f"/api/front-offices/{office.pk}/slots/?date={tomorrow.isoformat()}",
    }
    # Every other route names its one parameter by the object kind it is under.
    by_prefix = [
        ("roster/import/", batch),
        ("front-offices/visits/", ids["visit"]),
        ("front-offices/staff/visits/", ids["visit"]),
        ("front-offices/", ids["office"]),
        ("campaigns/", ids["campaign"]),
        ("manage/campaigns/", ids["campaign"]),
        ("shifts/", ids["shift"]),
        ("manage/shifts/", ids["shift"]),
        ("my-shifts/", ids["signup"]),
        ("manage/signups/", ids["signup"]),
        ("care/requests/", ids["request"]),
        ("api/volunteers/", ids["volunteer"]),
        ("api/campaigns/", ids["campaign"]),
        ("api/shifts/", ids["shift"]),
        ("api/signups/", ids["signup"]),
        ("api/front-offices/", ids["office"]),
        ("api/visits/", ids["visit"]),
        ("api/care/requests/", ids["request"]),
    ]
    for route in project_routes():
        if route in urls or route.startswith(ADMIN_PREFIX):
            continue
        if "<" not in route:
            urls[route] = "/" + route
            continue
        pk = next(value for prefix, value in by_prefix if route.startswith(prefix))
        urls[route] = "/" + _PARAM.sub(str(pk), route)
    people = [volunteer, minor, twin]
    return World(
        users={
            "anonymous": None,
            "volunteer_a": user,
            "curator_a": curator,
            "office_a": clerk,
            "coordinator_a": coordinator,
            "coordinator_b": coordinator_b,
            "volunteer_b": volunteer_b.user,
            "national": national,
        },
        urls=urls,
        names=[
            *(p.last_name for p in people),
            *(p.full_name for p in (coordinator, curator, clerk, newcomer)),
            beneficiary.full_name,
            "Гүлжан Бекова",
        ],
        phones=[*(p.phone for p in people), "+77015550404", beneficiary.phone],
        emails=[
            *(p.email for p in people),
            *(u.email for u in (coordinator, curator, clerk, newcomer)),
            "invited.teacher@example.kz",
        ],
    )


_PARAM = re.compile(r"<(?:\w+:)?\w+>")


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """One set of data for the whole module, rolled back at its end; each test runs in its own
    savepoint on top (the `db` fixture), so what one persona's requests change the next never sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _outcome(response: Any) -> str:
    if response.status_code == 302:
        return "login" if response["Location"].startswith("/accounts/login/") else "302"
    return str(response.status_code)


def _client(world: World, persona: str) -> Client:
    user = world.users[persona]
    return Client() if user is None else client_for(user)


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


REFUSED = {"login", "401", "404"}
# Tables a refused request may still touch: its own session, the log-in lockout's records.
_HOUSEKEEPING = ("django_session", "axes_")


def _expected(route: str, persona: str) -> tuple[str, str | None]:
    """(GET outcome, POST outcome or None when the POST is not checked) of a persona."""
    row = MATRIX[route]
    index = PERSONAS.index(persona)
    if isinstance(row, tuple):
        post = row[1].split()[index]
        return row[0].split()[index], None if post == "-" else post
    get = row.split()[index]
    return get, get if get in REFUSED else None


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"][:80]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and not any(table in q["sql"] for table in _HOUSEKEEPING)
    ]


def _phone_pattern(phone: str) -> re.Pattern[str]:
    """The phone's ten national digits in any layout: +7 701 555 01 01, 8 (701) 555-01-01…"""
    return re.compile(r"[\s\-().]*".join(re.sub(r"\D", "", phone)[-10:]))


def _leaked(world: World, body: str) -> list[str]:
    if body.lstrip().startswith(("{", "[")):
        try:
            body += json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            pass
    found = [name for name in world.names if name in body]
    found += [email for email in world.emails if email in body]
    found += [phone for phone in world.phones if _phone_pattern(phone).search(body)]
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_the_matrix_says(world: World, persona: str) -> None:
    """GET every route; POST wherever the persona has no right, and see nothing written. For
    the personas of region B, no response names, or gives the phone or e-mail of, anybody of A."""
    client = _client(world, persona)
    # Every request starts from the persona's own session: a log-out or log-in on one route
    # must not change who opens the next.
    cookies = copy.deepcopy(client.cookies)
    wrong: list[str] = []
    leaks: list[str] = []
    for route, url in world.urls.items():
        get_expected, post_expected = _expected(route, persona)
        client.cookies = copy.deepcopy(cookies)
        response = client.get(url)
        if (got := _outcome(response)) != get_expected:
            wrong.append(f"GET {url} ({route}): expected {get_expected}, got {got}")
        if persona in REGION_B and route not in CAPABILITY_LINKS:
            leaks += [f"{url}: {item}" for item in _leaked(world, _body(response))]
        if post_expected is None:
            continue
        client.cookies = copy.deepcopy(cookies)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {})
        got = _outcome(response)
        # A refused GET may meet a 405 on POST first (an API view checks the method before it
        # looks up the object); that is a refusal too.
        if got != post_expected and not (got == "405" and not isinstance(MATRIX[route], tuple)):
            wrong.append(f"POST {url} ({route}): expected {post_expected}, got {got}")
        if writes := _writes(queries):
            wrong.append(f"POST {url} ({route}) was refused but wrote: {writes}")
        if persona in REGION_B and route not in CAPABILITY_LINKS:
            leaks += [f"POST {url}: {item}" for item in _leaked(world, _body(response))]
    assert not wrong, "\n".join(wrong)
    assert not leaks, "Region A's personal data shown to " + persona + ":\n" + "\n".join(leaks)


def test_every_route_is_in_the_matrix() -> None:
    """A new URL fails here until its row says what every persona gets; the admin's URLs are
    the ones tests/core/test_admin_access.py walks, model by model, for every persona."""
    from django.contrib import admin

    routes = project_routes()
    ours = [route for route in routes if not route.startswith(ADMIN_PREFIX)]
    unlisted = set(ours) - set(MATRIX)
    assert not unlisted, f"Add these routes to MATRIX (what each persona gets): {sorted(unlisted)}"
    stale = set(MATRIX) - set(ours)
    assert not stale, f"No longer routes of the project: {sorted(stale)}"
    assert CAPABILITY_LINKS <= set(MATRIX)
    for route, row in MATRIX.items():
        for outcomes in row if isinstance(row, tuple) else (row,):
            assert len(outcomes.split()) == len(PERSONAS), route
    admin_routes = {route for route in routes if route.startswith(ADMIN_PREFIX)}
    walked = {ADMIN_PREFIX + route for route, _pattern in walk(admin.site.get_urls())}
    assert admin_routes == walked, "the admin walk no longer opens every admin route"
    assert len(ours) + len(admin_routes) == len(routes)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", REGION_B)
def test_admin_pages_of_region_a_do_not_exist_for_region_b(world: World, persona: str) -> None:
    volunteer = world.users["volunteer_a"].volunteer
    client = _client(world, persona)
    for url in (
        "/admin/",
        "/admin/volunteers/volunteer/",
        f"/admin/volunteers/volunteer/{volunteer.pk}/change/",
        f"/admin/accounts/user/{volunteer.user_id}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not _leaked(world, _body(response)), url


@pytest.mark.django_db
def test_the_leak_check_finds_region_a_data_where_it_belongs(world: World) -> None:
    """The check above can fail: on region A's own roster, page and API, it finds the names,
    phones and e-mails it looks for."""
    client = _client(world, "coordinator_a")
    volunteer = world.users["volunteer_a"].volunteer
    for url in ("/roster/", f"/roster/{volunteer.pk}/", f"/api/volunteers/{volunteer.pk}/"):
        found = _leaked(world, _body(client.get(url)))
        assert volunteer.last_name in found, url
        assert volunteer.email in found, url
        assert volunteer.phone in found, url

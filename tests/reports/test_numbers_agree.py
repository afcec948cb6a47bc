"""The same figure, wherever it is shown, is the same number: the dashboard's headline figures and
its "Regions compared" table with its Total row, the "Summary by region" export, a person's own
pages, their certificate of hours, the hours export and the API."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from care import services as care_services
from events import services as event_services
from events.models import Campaign, Shift, Signup, TransportRequest
from reports import dashboard, helprequests, selectors
from reports import services as report_services
from reports.scope import ReportScope
from tests.care.factories import HelpRequestFactory
from tests.conftest import client_for
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import DetachmentFactory, UserFactory, VolunteerFactory
from volunteers.models import Volunteer

from .conftest import PERIOD, local, period_query
from .test_exports import read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def export(client, **data):  # type: ignore[no-untyped-def]
    response = client.post("/reports/export/", period_query(**data), **EN)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content) if response.streaming else response.content


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def figure(section: dashboard.Section, label: str) -> Any:
    return next(value for name, value in section.figures if str(name) == label)


def regions_table(scope: ReportScope) -> dashboard.Table:
    section = dashboard.regions_section(scope)
    assert section is not None
    return section.tables[0]


def column(table: dashboard.Table, header: str) -> int:
    return [str(h) for h in table.headers].index(header)


@pytest.fixture
def national_and_travelling(world):  # type: ignore[no-untyped-def]
    """A national campaign (no region) with hours and a transport request, and a volunteer of
    Almaty who also gave hours in Astana's campaign: active in two regions, one person."""
    national = CampaignFactory(
        region=None, title="Республикалық акция", starts_on=PERIOD[0], ends_on=PERIOD[1]
    )
    day = datetime.date(2026, 4, 1)
    shift = ShiftFactory(campaign=national, starts_at=local(day), ends_at=local(day, 13), capacity=5)
    signup = Signup.objects.create(
        shift=shift, volunteer=world.almaty_volunteers[0], status=Signup.Status.ATTENDED, hours=Decimal("3")
    )
    TransportRequest.objects.create(signup=signup, pickup="Сайран", status=TransportRequest.Status.ARRANGED)
    astana_campaign = Campaign.objects.get(title="Білім Астана")
    day = datetime.date(2026, 4, 8)
    shift = ShiftFactory(campaign=astana_campaign, starts_at=local(day), ends_at=local(day, 12), capacity=5)
    Signup.objects.create(
        shift=shift, volunteer=world.almaty_volunteers[1], status=Signup.Status.ATTENDED, hours=Decimal("2")
    )
    return world


class TestRegionsComparedAddUp:
    """National staff read the headline figures and the regions side by side on one page; the
    Total row of the table is what they check against the headline."""

    def test_hours_sign_ups_and_transport_of_national_campaigns_are_in_the_table(  # type: ignore[no-untyped-def]
        self, national_and_travelling, nora
    ) -> None:
        scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
        table = regions_table(scope)
        attendance = dashboard.attendance_section(scope)
        assert table.totals is not None
        assert table.totals[column(table, "Hours")] == figure(dashboard.hours_section(scope), "Hours given")
        assert table.totals[column(table, "Sign-ups")] == figure(attendance, "Sign-ups")
        assert table.totals[column(table, "Transport requests")] == figure(attendance, "Transport requests")
        assert table.totals[column(table, "Transport arranged")] == figure(attendance, "Transport arranged")
        # Every figure of the rows adds up to the Total row.
        for header in ("Hours", "Sign-ups", "Transport requests"):
            index = column(table, header)
            assert sum(row[index] for row in table.rows) == table.totals[index]

    def test_active_people_are_counted_once_however_many_regions_they_gave_hours_in(  # type: ignore[no-untyped-def]
        self, national_and_travelling, nora
    ) -> None:
        scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
        active = figure(dashboard.volunteers_section(scope), "Active in the period")
        assert active == 4
        table = regions_table(scope)
        assert table.totals is not None
        assert table.totals[column(table, "Active in the period")] == active

    def test_volunteers_are_those_registered_by_the_end_of_the_period(self, world, nora) -> None:  # type: ignore[no-untyped-def]
        # The fixture's people registered today; two of them are dated within the period.
        Volunteer.objects.filter(pk=world.almaty_volunteers[0].pk).update(
            created_at=local(datetime.date(2026, 2, 1))
        )
        Volunteer.objects.filter(pk=world.astana_volunteers[0].pk).update(
            created_at=local(datetime.date(2026, 6, 30), 23)
        )
        scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
        registered = figure(dashboard.volunteers_section(scope), "Registered volunteers")
        assert registered == 2
        table = regions_table(scope)
        assert table.totals is not None
        assert table.totals[column(table, "Volunteers")] == registered
        by_region = {row[0]: row[column(table, "Volunteers")] for row in table.rows}
        assert by_region[world.almaty.name_en] == 1 and by_region[world.astana.name_en] == 1


def test_the_summary_export_totals_agree_with_the_dashboard(national_and_travelling, nora) -> None:  # type: ignore[no-untyped-def]
    scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    rows = read_csv(export(client_for(nora), report="summary", file_format="csv"))
    header, totals = rows[0], rows[-1]
    assert Decimal(totals[header.index("Hours")]) == selectors.total_hours(scope)
    assert int(totals[header.index("Sign-ups")]) == sum(selectors.attendance_counts(scope).values())
    assert int(totals[header.index("Volunteers")]) == 0  # the fixture's people registered after the period
    # A sum of people per region counts the travelling volunteer twice: the file says the
    # distinct number the dashboard does, or none.
    assert totals[header.index("Active in the period")] in ("", str(selectors.active_in_period(scope)))


def test_a_detachments_help_requests_are_those_its_hours_of_targeted_help_come_from(world, alice) -> None:  # type: ignore[no-untyped-def]
    """A member who went on a request on their own: the hours count for the detachment (as the
    hours export and the detachments' table count them), and so does the request they did."""
    member = VolunteerFactory(region=world.almaty, detachment=world.detachment)
    now = timezone.now()
    request = HelpRequestFactory(
        region=world.almaty,
        adults_only=False,
        due_from=now - datetime.timedelta(hours=1),
        due_until=now + datetime.timedelta(hours=2),
    )
    assignment = care_services.assignment_volunteer(request=request, volunteer=member, by=alice)
    care_services.assignment_done(assignment=assignment, hours="2", note="", by=alice)
    today = timezone.localdate()
    scope = ReportScope(
        user=alice, start=today.replace(month=1, day=1), end=today, detachment=world.detachment.pk
    )
    section = helprequests.help_requests_section(scope)
    assert figure(section, "Hours of targeted help") == Decimal("2.00")
    assert figure(section, "Help requests") == 1
    assert figure(section, "Done") == 1


def test_a_certificate_names_its_lines_in_its_own_language(world, alice) -> None:  # type: ignore[no-untyped-def]
    """Issued in Russian from a page in English: the targeted-help line is Russian like the rest."""
    volunteer = world.almaty_volunteers[0]
    now = timezone.now()
    request = HelpRequestFactory(
        region=world.almaty,
        due_from=now - datetime.timedelta(hours=1),
        due_until=now + datetime.timedelta(hours=2),
    )
    assignment = care_services.assignment_volunteer(request=request, volunteer=volunteer, by=alice)
    care_services.assignment_done(assignment=assignment, hours="2", note="", by=alice)
    today = timezone.localdate()
    certificate = report_services.certificate_issue(
        volunteer=volunteer, start=today.replace(month=1, day=1), end=today, language="ru", by=alice
    )
    with translation.override("ru"):
        assert {"title": str(helprequests.CARE_LABEL), "hours": "2.00"} in certificate.campaigns


def _started(shift: Shift) -> Shift:
    """The shift began ten minutes ago and runs three hours: attendance can be marked."""
    now = timezone.now()
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=now - datetime.timedelta(minutes=10), ends_at=now + datetime.timedelta(hours=2, minutes=50)
    )
    shift.refresh_from_db()
    return shift


def _big_numbers(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    text = html.unescape(client.get(url, **EN).content.decode())
    return re.findall(r'class="big-number">([^<]*)<', text)


def test_one_persons_hours_agree_everywhere(alice, nora, bob) -> None:  # type: ignore[no-untyped-def]
    """Marked absent then present with hours set by hand, moved off one shift, signed up for a
    shift cancelled later, and a help request done: the profile, the roster's page, the API, a
    certificate, the dashboard and the hours export all say the same 5.5 hours."""
    bob.refresh_from_db()
    campaign = CampaignFactory()
    came = ShiftFactory(campaign=campaign)
    signup = event_services.signup_create(shift=came, volunteer=bob, by=None)
    _started(came)
    event_services.signup_no_show(signup=signup, by=alice)
    event_services.signup_check_in(signup=signup, by=alice)
    event_services.signup_hours_set(signup=signup, hours=Decimal("3.5"), reason="Кешікті", by=alice)
    later = ShiftFactory(campaign=campaign, starts_at=came.starts_at + datetime.timedelta(days=3))
    elsewhere = ShiftFactory(campaign=campaign, starts_at=came.starts_at + datetime.timedelta(days=5))
    moved = event_services.signup_create(shift=later, volunteer=bob, by=None)
    event_services.signup_move(signup=moved, to_shift=elsewhere, by=alice)
    event_services.shift_cancel(shift=elsewhere, by=alice)
    now = timezone.now()
    request = HelpRequestFactory(
        due_from=now - datetime.timedelta(hours=1), due_until=now + datetime.timedelta(hours=2)
    )
    assignment = care_services.assignment_volunteer(request=request, volunteer=bob, by=alice)
    care_services.assignment_done(assignment=assignment, hours="2", note="", by=alice)

    expected = Decimal("5.50")
    assert _big_numbers(client_for(bob.user), "/me/") == ["5.5"]
    assert _big_numbers(client_for(alice), f"/roster/{bob.pk}/") == ["5.5"]
    assert client_for(alice).get(f"/api/volunteers/{bob.pk}/").json()["hours"] == "5.50"
    assert client_for(alice).get(f"/api/volunteers/{bob.pk}/hours/").json()["hours"] == "5.50"
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    certificate = report_services.certificate_issue(
        volunteer=bob, start=start, end=today, language="en", by=alice
    )
    assert certificate.hours == expected
    verified = client_for(nora).get(f"/verify/{certificate.code}/", **EN).content.decode()
    assert "5.5" in verified
    for user in (alice, nora):
        assert selectors.total_hours(ReportScope(user=user, start=start, end=today)) == expected
        rows = read_csv(
            export(
                client_for(user),
                report="hours",
                file_format="csv",
                start=start.isoformat(),
                end=today.isoformat(),
            )
        )
        assert [Decimal(r[-1]) for r in rows[1:-1]] == [expected]
        assert Decimal(rows[-1][-1]) == expected
    # Places taken on each shift are its people confirmed or present.
    for shift in (came, later, elsewhere):
        shift.refresh_from_db()
        assert (
            shift.taken_places
            == Signup.objects.filter(
                shift=shift, status__in=(Signup.Status.CONFIRMED, Signup.Status.ATTENDED)
            ).count()
        )


def test_the_detachments_total_is_every_detachments_as_in_the_export(world, nora, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The dashboard lists the first detachments only; its Total row is still the total, the
    same as the totals row of the "Detachments' activity" export."""
    second = DetachmentFactory(region=world.astana, school_name="Астана № 1 мектебі")
    member = VolunteerFactory(region=world.astana, detachment=second)
    day = datetime.date(2026, 2, 20)
    shift = ShiftFactory(
        campaign=Campaign.objects.get(title="Білім Астана"), starts_at=local(day), ends_at=local(day, 13)
    )
    Signup.objects.create(shift=shift, volunteer=member, status=Signup.Status.ATTENDED, hours=Decimal("3"))
    monkeypatch.setattr(dashboard, "DETACHMENT_ROWS", 1)
    scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    table = dashboard.detachments_section(scope).tables[0]
    assert len(table.rows) == 1
    rows = read_csv(export(client_for(nora), report="detachments", file_format="csv"))
    header, totals = rows[0], rows[-1]
    assert table.totals is not None
    for name in ("Members", "Minors", "Sign-ups"):
        assert table.totals[column(table, name)] == int(totals[header.index(name)])
    assert table.totals[column(table, "Hours")] == Decimal(totals[header.index("Hours")]) == Decimal("4.25")


def test_the_hours_export_adds_up_to_the_hours_given_with_a_whole_detachments_help(world, alice) -> None:  # type: ignore[no-untyped-def]
    """A detachment that went on a request as a whole gave hours that belong to no one person:
    they are in "Hours given" on the dashboard, and in the hours export as the detachment's row."""
    curator = UserFactory(email="teacher@example.kz")
    detachment = DetachmentFactory(region=world.almaty, curator=curator, school_name="Алматы № 12 мектебі")
    now = timezone.now()
    request = HelpRequestFactory(
        region=world.almaty,
        adults_only=False,
        needed_hands=3,
        due_from=now - datetime.timedelta(hours=1),
        due_until=now + datetime.timedelta(hours=2),
    )
    assignment = care_services.assignment_detachment(
        request=request, detachment=detachment, hands=3, curator_going=True, by=alice
    )
    care_services.assignment_done(assignment=assignment, hours="6", note="", by=curator)
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    scope = ReportScope(user=alice, start=start, end=today)
    given = figure(dashboard.hours_section(scope), "Hours given")
    rows = read_csv(
        export(
            client_for(alice),
            report="hours",
            file_format="csv",
            start=start.isoformat(),
            end=today.isoformat(),
        )
    )
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    assert Decimal(totals[header.index("Hours")]) == given
    assert sum(Decimal(r[header.index("Hours")]) for r in body) == given
    whole = [r for r in body if r[header.index("Detachment")] == detachment.school_name and not r[0]]
    assert [Decimal(r[header.index("Hours")]) for r in whole] == [Decimal("6.00")]


def test_a_detachments_help_requests_file_holds_its_own_hours(world, alice) -> None:  # type: ignore[no-untyped-def]
    """A request a detachment's member went on with someone from outside it: the detachment's
    help-requests file lists it with the member's hours only, as its dashboard counts them (it
    added the outsider's too)."""
    member = VolunteerFactory(region=world.almaty, detachment=world.detachment)
    outsider = VolunteerFactory(region=world.almaty)
    now = timezone.now()
    request = HelpRequestFactory(
        region=world.almaty,
        adults_only=False,
        needed_hands=2,
        due_from=now - datetime.timedelta(hours=1),
        due_until=now + datetime.timedelta(hours=2),
    )
    assignments = [
        (care_services.assignment_volunteer(request=request, volunteer=person, by=alice), hours)
        for person, hours in ((member, "2"), (outsider, "3"))
    ]
    for assignment, hours in assignments:
        care_services.assignment_done(assignment=assignment, hours=hours, note="", by=alice)
    today = timezone.localdate()
    period = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat()}
    client = client_for(alice)
    response = client.post(
        "/reports/export/",
        {**period, "detachment": world.detachment.pk, "report": "help_requests", "file_format": "csv"},
        **EN,
    )
    header, *body, totals = read_csv(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert len(body) == 1
    assert Decimal(body[0][header.index("Hours")]) == Decimal(totals[header.index("Hours")]) == Decimal("2")
    page = client.get("/reports/", {**period, "detachment": world.detachment.pk}, **EN).content.decode()
    assert 'Hours of targeted help</dt><dd data-figure="help_requests-6">2<' in page

"""Each role lands where its work is after logging in; coordinators and national staff start on
the regions overview, whose figures are right, scoped, and cost the same few queries however
many regions and people there are."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from front_offices.models import FrontOffice
from regions.models import CoordinatorAssignment, Region
from tests.conftest import client_for
from tests.factories import (
    PASSWORD,
    DetachmentFactory,
    MinorFactory,
    UserFactory,
    VolunteerFactory,
    years_ago,
)
from volunteers.models import Volunteer
from volunteers.selectors import region_overview


@pytest.fixture
def curator(almaty: Region) -> Any:
    user = UserFactory(email="teacher@example.kz")
    DetachmentFactory(region=almaty, curator=user)
    return user


@pytest.fixture
def office_staff(almaty: Region) -> Any:
    user = UserFactory(email="office@example.kz")
    office = FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай даңғ., 1")
    office.staff.add(user)
    return user


@pytest.mark.django_db
class TestStart:
    def test_each_role_is_sent_to_its_page(self, alice, nora, charlie, bob, curator, office_staff) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        nobody = UserFactory(email="nobody@example.kz")
        for user, page in [
            (alice, "/overview/"),
            (charlie, "/overview/"),
            (nora, "/overview/"),
            (curator, "/detachments/"),
            # One office: straight to its visits of today.
            (office_staff, f"/front-offices/{office_staff.front_offices.get().pk}/day/"),
            (bob.user, "/me/"),
            (nobody, "/me/"),
        ]:
            response = client_for(user).get("/start/")
            assert response.status_code == 302, user
            assert response["Location"] == page, user

    def test_a_coordinator_who_also_curates_starts_on_the_overview(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        DetachmentFactory(region=almaty, curator=alice)
        assert client_for(alice).get("/start/")["Location"] == "/overview/"

    def test_anonymous_visitor_logs_in_first(self, client: Client) -> None:
        response = client.get("/start/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/start/"

    def test_logging_in_lands_on_the_role_page(self, alice, curator) -> None:  # type: ignore[no-untyped-def]
        for user, page in [(alice, "/overview/"), (curator, "/detachments/")]:
            client = Client()
            response = client.post(
                "/accounts/login/", {"username": user.email, "password": PASSWORD}, follow=True
            )
            assert response.redirect_chain == [("/start/", 302), (page, 302)]
            assert response.status_code == 200
            assert response.wsgi_request.user == user

    def test_next_still_wins(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        response = Client().post(
            "/accounts/login/?next=/roster/",
            {"username": alice.email, "password": PASSWORD, "next": "/roster/"},
        )
        assert response.status_code == 302
        assert response["Location"] == "/roster/"


def _figures(response: Any, code: str) -> dict[str, str]:
    """The figures of one region's row, as the page shows them."""
    html = response.content.decode()
    row = html.split(f'data-region="{code}"', 1)[1].split("</tr>", 1)[0]
    figures = {}
    for part in row.split('data-figure="')[1:]:
        name, rest = part.split('"', 1)
        cell = rest.split(">", 1)[1].split("</td>", 1)[0]
        figures[name] = re.sub(r"<[^>]+>", "", cell).strip()
    return figures


@pytest.mark.django_db
class TestOverview:
    @pytest.fixture
    def almaty_people(self, almaty: Region) -> dict[str, Volunteer]:
        old = timezone.now() - datetime.timedelta(days=10)
        people = {
            "active_old": VolunteerFactory(region=almaty),
            "active_new": VolunteerFactory(region=almaty),
            "paused_new": VolunteerFactory(region=almaty, status=Volunteer.Status.PAUSED),
            "archived": VolunteerFactory(region=almaty, status=Volunteer.Status.ARCHIVED),
            "minor_no_consent": MinorFactory(region=almaty, birth_date=years_ago(12)),
            "minor_17_no_consent": MinorFactory(region=almaty, birth_date=years_ago(17)),
            "minor_with_consent": MinorFactory(region=almaty, guardian_consent_at=timezone.now()),
            "archived_minor": MinorFactory(region=almaty, status=Volunteer.Status.ARCHIVED),
            # 18 today: an adult, no consent needed any more.
            "just_adult": VolunteerFactory(region=almaty, birth_date=years_ago(18)),
        }
        # created_at is set on insert; move the old ones back as if they had registered earlier.
        Volunteer.objects.filter(
            pk__in=[people[k].pk for k in ("active_old", "archived", "minor_with_consent", "just_adult")]
        ).update(created_at=old)
        anonymised = MinorFactory(region=almaty, birth_date=years_ago(12))
        Volunteer.objects.filter(pk=anonymised.pk).update(anonymized_at=timezone.now())
        DetachmentFactory(region=almaty)
        DetachmentFactory(region=almaty)
        return people

    def test_figures_of_a_region(self, alice, almaty, astana, almaty_people) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=astana)
        MinorFactory(region=astana)
        DetachmentFactory(region=astana)

        response = client_for(alice).get("/overview/")
        assert response.status_code == 200
        # active: old, new, two unconsented minors, consented minor, the one just 18; new: the
        # ones of this week whatever their status; minors: under 18, not archived, no consent.
        assert _figures(response, "75") == {
            "active": "6",
            "new": "5",
            "minors": "2",
            "detachments": "2",
            "duplicates": "0",
        }
        # Astana is not alice's region: no row, no figure of it anywhere.
        assert 'data-region="71"' not in response.content.decode()
        assert 'data-region="all"' not in response.content.decode()
        overview = response.context["overview"]
        assert [row.region for row in overview.rows] == [almaty]
        # The active count links to the roster filtered the same way.
        assert f'href="/roster/?region={almaty.pk}&amp;status=active"' in response.content.decode()

    def test_national_staff_see_every_region_and_the_total(self, nora, astana, almaty_people) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=astana)
        MinorFactory(region=astana)
        DetachmentFactory(region=astana)
        response = client_for(nora).get("/overview/")
        assert response.status_code == 200
        overview = response.context["overview"]
        assert len(overview.rows) == Region.objects.count() == 20
        assert _figures(response, "71") == {
            "active": "2",
            "new": "2",
            "minors": "1",
            "detachments": "1",
            "duplicates": "0",
        }
        assert _figures(response, "all") == {
            "active": "8",
            "new": "7",
            "minors": "3",
            "detachments": "3",
            "duplicates": "0",
        }
        assert _figures(response, "11") == {
            "active": "0",
            "new": "0",
            "minors": "0",
            "detachments": "0",
            "duplicates": "0",
        }

    def test_a_coordinator_of_two_regions_sees_both(self, alice, astana, almaty_people) -> None:  # type: ignore[no-untyped-def]
        CoordinatorAssignment.objects.create(user=alice, region=astana)
        MinorFactory(region=astana)
        overview = region_overview(user=alice)
        assert [row.region.code for row in overview.rows] == ["71", "75"]
        assert overview.total.minors_without_consent == 3

    def test_other_roles_have_no_overview(self, bob, curator, client: Client) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        assert client_for(bob.user).get("/overview/").status_code == 404
        assert client_for(curator).get("/overview/").status_code == 404
        assert client.get("/overview/")["Location"] == "/accounts/login/?next=/overview/"

    def test_query_count_does_not_grow_with_regions_or_people(self, alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        VolunteerFactory(region=almaty)
        with CaptureQueriesContext(connection) as small:
            assert client.get("/overview/").status_code == 200

        CoordinatorAssignment.objects.create(user=alice, region=astana)
        CoordinatorAssignment.objects.create(user=alice, region=Region.objects.get(code="11"))
        for region in (almaty, astana):
            for _ in range(5):
                VolunteerFactory(region=region)
                MinorFactory(region=region)
            DetachmentFactory(region=region)
        with CaptureQueriesContext(connection) as large:
            response = client.get("/overview/")
        assert len(response.context["overview"].rows) == 3
        assert len(large) == len(small), [q["sql"] for q in large.captured_queries]

    def test_selector_reads_three_times(self, nora, almaty_people, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
        # The regions with their volunteer figures, the detachments, the possible duplicates.
        with django_assert_num_queries(3):
            overview = region_overview(user=nora)
        assert overview.total.active_volunteers == 6

    def test_each_volunteer_figure_is_an_index_only_count(self, alice, almaty, almaty_people) -> None:  # type: ignore[no-untyped-def]
        # Nationally these counts read 100,000 people; each must stay within its partial index
        # (no visit of the table), which the conditions of the query must therefore imply.
        # As in a real region, most people registered before this week.
        earlier = [VolunteerFactory(region=almaty).pk for _ in range(40)]
        Volunteer.objects.filter(pk__in=earlier).update(
            created_at=timezone.now() - datetime.timedelta(days=90)
        )
        with CaptureQueriesContext(connection) as ctx:
            region_overview(user=alice)
        figures_sql = next(q["sql"] for q in ctx.captured_queries if "regions_region" in q["sql"])
        with connection.cursor() as cursor:
            # Whether these indexes can serve the counts, whatever the planner makes of a test
            # table of a few rows, much written to by the other tests: the table's other indexes
            # out of the way, in this test's transaction only. Statistics as a live table has
            # them; and a few rows would be read faster from the table itself: ask for indexes.
            ours = ("volunteer_active_region", "volunteer_live_created", "volunteer_awaiting_consent")
            cursor.execute(
                "SELECT indexname FROM pg_indexes i WHERE tablename = 'volunteers_volunteer' AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint c WHERE c.conindid = quote_ident(i.indexname)::regclass)"
            )
            for (other,) in cursor.fetchall():
                if other not in ours:
                    cursor.execute(f"DROP INDEX {other}")
            cursor.execute("ANALYZE volunteers_volunteer")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            # Each index alone, the other two of ours dropped for the moment: with all three, a
            # table the other tests left full of dead rows (its visibility map not set, so an
            # index-only scan is costed with heap visits) could have one figure read through
            # another's index, planned as cheaper though not index-only.
            plans = {}
            for index in ours:
                cursor.execute("SAVEPOINT one_index")
                for other in ours:
                    if other != index:
                        cursor.execute(f"DROP INDEX {other}")
                cursor.execute(f"EXPLAIN {figures_sql}")
                plans[index] = "\n".join(row[0] for row in cursor.fetchall())
                cursor.execute("ROLLBACK TO SAVEPOINT one_index")
        for index, plan in plans.items():
            assert f"Index Only Scan using {index}" in plan, plan

"""The dashboard's figures equal sums taken from the rows by the test; scoping; query counts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation

from events.models import Signup
from reports import selectors
from reports.scope import ReportScope
from tests.conftest import client_for

from .conftest import ALMATY_NAMES, PERIOD, in_period, kk_number, period_query

pytestmark = pytest.mark.django_db


def shown(value: Decimal) -> str:
    """A number as the (Kazakh) page writes it: a decimal comma, no needless trailing zeros."""
    return kk_number(value)


def attended_hours(signups) -> Decimal:  # type: ignore[no-untyped-def]
    return sum((s.hours or Decimal(0) for s in signups if s.status == Signup.Status.ATTENDED), Decimal(0))


def test_hours_equal_the_rows_in_every_grouping(world, nora, alice) -> None:  # type: ignore[no-untyped-def]
    rows = [s for s in world.signups if in_period(s)]
    national = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    assert selectors.total_hours(national) == attended_hours(rows)
    by_kind = selectors.hours_by(national, "kind")
    for kind in ("ecology", "elderly", "education"):
        assert by_kind.get(kind, 0) == attended_hours([s for s in rows if s.shift.campaign.kind == kind])
    by_month = selectors.month_series(selectors.hours_by(national, "month"), national)
    assert sum(r[2] for r in by_month.rows) == attended_hours(rows)
    march = next(r for r in by_month.rows if r[0] == datetime.date(2026, 3, 1))
    assert march[2] == Decimal("5.25")
    regional = ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1])
    assert selectors.total_hours(regional) == attended_hours(
        world.rows(world.almaty) and [s for s in rows if s.shift.campaign.region_id == world.almaty.pk]
    )


def test_no_show_rate_and_transport(world, alice) -> None:  # type: ignore[no-untyped-def]
    scope = ReportScope(user=alice, start=PERIOD[0], end=PERIOD[1])
    rows = [s for s in world.rows(world.almaty) if in_period(s)]
    counts = selectors.attendance_counts(scope)
    assert counts["attended"] == sum(1 for s in rows if s.status == "attended")
    assert counts["no_show"] == 1
    assert selectors.no_show_rate(counts) == Decimal("16.7")  # 1 of 6 marked
    assert selectors.transport_counts(scope)["arranged"] == 1


def test_registered_and_active_over_time(world, nora) -> None:  # type: ignore[no-untyped-def]
    scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    data = selectors.volunteers_over_time(scope)
    # Every volunteer of the fixture registered today, after the period: none registered yet.
    assert [n for _m, n in data["active"]] == [2, 1, 2, 0, 1, 0]
    assert len(data["registered"]) == 6


def test_dashboard_page_shows_the_figures_for_staff(world, nora, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(nora)
    with django_assert_max_num_queries(50):
        response = client.get("/reports/", period_query())
    assert response.status_code == 200
    html = response.content.decode()
    total = attended_hours([s for s in world.signups if in_period(s)])
    assert f'data-figure="hours-1">{shown(total)}<' in html
    assert html.count("<svg") >= 6 and 'role="img"' in html
    assert "<table" in html and world.astana.name_kk in html  # regions compared


def test_coordinator_sees_only_their_region(world, charlie) -> None:  # type: ignore[no-untyped-def]
    client = client_for(charlie)
    response = client.get("/reports/", period_query())
    html = response.content.decode()
    assert f'data-figure="hours-1">{shown(Decimal("4.00"))}<' in html
    for secret in (*ALMATY_NAMES, "Таза Алматы", "Қамқор Алматы", "Алматы № 7"):
        assert secret not in html
    # Picking Almaty is not a choice for Astana's coordinator: an error, and Astana's figures only.
    response = client.get("/reports/", period_query(region=world.almaty.pk))
    assert response.status_code == 200
    assert f'data-figure="hours-1">{shown(Decimal("4.00"))}<' in response.content.decode()


def test_pages_need_staff(world, bob) -> None:  # type: ignore[no-untyped-def]
    assert client_for(bob.user if bob.user else bob).get("/reports/").status_code == 404
    from django.test import Client

    assert Client().get("/reports/").status_code == 302


def test_year_page_is_public_counts_only_and_cached(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    cache.clear()
    client = Client()
    response = client.get("/year-of-volunteers/", {"year": 2026})
    html = response.content.decode()
    rows_2026 = [s for s in world.signups if s.shift.starts_at.year == 2026]
    hours = attended_hours(rows_2026)
    assert re.search(rf'data-figure="hours">{shown(hours)}<', html)
    assert re.search(r'data-figure="campaigns">3<', html)
    for name in (*ALMATY_NAMES, "Астанабеков"):
        assert name not in html
    with django_assert_max_num_queries(2):  # cached: no aggregate query the second time
        client.get("/year-of-volunteers/", {"year": 2026})
    assert client.get("/year-of-volunteers/", {"year": "zzz"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_sections_side_by_side_draw_what_one_after_another_draws(  # type: ignore[no-untyped-def]
    regions_in_transactional_db, world, nora, alice, settings
) -> None:
    """As served (no transaction around the view), the sections are computed on threads with
    connections of their own, in the view's language: the page is the one computed section by
    section, and its figures are the rows' sums."""
    from django.template.loader import render_to_string

    from reports import sections

    def drawn(user, language: str, threads: int) -> str:  # type: ignore[no-untyped-def]
        settings.REPORTS_DASHBOARD_THREADS = threads
        sections._pool = None  # a pool of the size asked for
        scope = ReportScope(user=user, start=PERIOD[0], end=PERIOD[1])
        with translation.override(language):
            assert sections.side_by_side() is (threads > 1)
            html = render_to_string("reports/_sections.html", {"sections": sections.compute(scope)})
        if threads > 1:
            assert sections._pool is not None and sections._pool._threads  # they did run apart
            sections.release_connections()
        # Each chart has an id of its own on the page (its title's), numbered as drawn.
        ids = re.findall(r'<title id="(chart-\d+)"', html)
        assert ids and len(set(ids)) == len(ids)
        return re.sub(r"chart-\d+", "chart-N", html)

    for user in (nora, alice):
        for language in ("kk", "ru", "en"):
            assert drawn(user, language, 3) == drawn(user, language, 1)
    settings.REPORTS_DASHBOARD_THREADS, settings.REPORTS_DASHBOARD_CACHE_SECONDS = 3, 0
    sections._pool = None
    html = client_for(nora).get("/reports/", period_query()).content.decode()
    total = attended_hours([s for s in world.signups if in_period(s)])
    assert f'data-figure="hours-1">{shown(total)}<' in html
    assert "Өңірлерді салыстыру" in html and world.astana.name_kk in html


class TestDashboardWording:
    """The dashboard writes its period, shares, hours and chart labels as the page's language
    does: no "from … to …" that Kazakh would have to inflect, no "8.0 %" beside "164,00"."""

    def test_period_is_a_labelled_range_of_local_dates(self, world, alice) -> None:  # type: ignore[no-untyped-def]
        html = client_for(alice).get("/reports/", period_query()).content.decode()
        lead = html.split('<p class="lead">')[1].split("</p>")[0]
        assert "01.01.2026 – 30.06.2026" in lead
        # "2026-01-01 бастап 2026-06-30 дейін": the dates would need -нан and -ға.
        assert "бастап" not in lead and "дейін" not in lead and "2026-" not in lead

    @pytest.mark.parametrize(("language", "rate", "point"), [("kk", "16,7", ","), ("en", "16.7", ".")])
    def test_shares_hours_and_chart_labels_are_numbers_of_the_pages_language(  # type: ignore[no-untyped-def]
        self, world, alice, language, rate, point
    ) -> None:
        client = client_for(alice)
        client.cookies["django_language"] = language
        html = client.get("/reports/", period_query()).content.decode()
        # 1 no-show among 6 sign-ups whose attendance was marked.
        assert f'data-figure="attendance-3">{rate}\u00a0%<' in html
        other = "." if point == "," else ","
        assert f"16{other}7" not in html
        # Hours without needless zeros, in the cells as in the figures (14.75 is Almaty's March).
        assert not re.search(r">\d+[.,]\d*0<", html), re.findall(r">\d+[.,]\d*0<", html)
        labels = re.findall(r'class="chart-value">([^<]*)<', html)
        assert any(point in label for label in labels) and not any(other in label for label in labels)

    @pytest.mark.parametrize(
        ("language", "march", "registered"),
        [
            ("kk", "Наурыз 2026 ж.", "Тіркелгендер"),
            ("ru", "Март 2026 г.", "Зарегистрировано"),
            ("en", "March 2026", "Registered (at the month's end)"),
        ],
    )
    def test_months_are_named_and_the_two_bar_chart_has_a_legend(  # type: ignore[no-untyped-def]
        self, world, alice, language, march, registered
    ) -> None:
        client = client_for(alice)
        client.cookies["django_language"] = language
        html = client.get("/reports/", period_query()).content.decode()
        # Months as people name them, in the charts and their tables; "2026-03" was a code.
        assert f'class="chart-label">{march}<' in html and f">{march}</" in html
        assert not re.search(r">2026-\d\d<", html)
        # The registered-and-active chart says which bar is which, and numbers both.
        legend = re.search(r'<g class="chart-legend">(.*?)</g>', html)
        assert legend and registered in legend.group(1).replace("&#x27;", "'")
        with translation.override(language):
            title = translation.gettext("Registered and active volunteers by month")
        charts = html.split("<title id=")[1:]
        drawn = next(c for c in charts if title in c.split("</title>")[0]).split("</svg>")[0]
        months = drawn.count('class="chart-bar-2"') - 1  # one is the legend's swatch
        assert months > 0 and drawn.count('class="chart-value"') == 2 * months

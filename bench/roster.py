"""Roster benchmark: how fast the coordinator's roster, the other staff lists and the volunteers
API answer at scale, each beside its floor (the request's own SQL under EXPLAIN ANALYZE, in the
same run), with national staff's Django admin changelist of the same volunteers beside the roster.

Runs in-process (Django's test client, no network) against the national bench database
(bench/common.py builds it with seed_demo once and reuses it).

    make bench-roster                    # this group alone; `make bench` runs every group
    python bench/roster.py --scale tenth
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # sets the bench environment before Django starts

GROUP = "Roster and staff lists"


def run(ctx: common.Context) -> list[common.Result]:
    from django.test import override_settings

    from accounts.models import User

    coordinator = User.objects.get(email="coordinator75@volunteer.kz")
    national = User.objects.get(email="admin@volunteer.kz")
    scenarios = [
        ("coordinator: roster, first page", coordinator, "/roster/"),
        ("coordinator: roster, page 5 of 100 per page", coordinator, "/roster/?per_page=100&page=5"),
        ("coordinator: search by name (Kazakh)", coordinator, "/roster/?q=қасым"),
        ("coordinator: search by phone", coordinator, "/roster/?q=8 701 12"),
        ("coordinator: filters age+evenings", coordinator, "/roster/?age_group=14to17&availability=evenings"),
        ("national: roster, all regions", national, "/roster/"),
        ("national: search by name, all regions", national, "/roster/?q=ерлан"),
        ("national: search by phone, all regions", national, "/roster/?q=7057"),
        ("national: sort by age desc", national, "/roster/?sort=-age"),
        ("national: search in Latin (Nurlan)", national, "/roster/?q=Nurlan"),
        ("national: sort by name, Russian alphabet", national, "/roster/?lang=ru"),
        ("api: volunteers, search", national, "/api/volunteers/?q=әсел"),
        ("coordinator: regions overview", coordinator, "/overview/"),
        ("national: regions overview, all 20", national, "/overview/"),
        ("national: possible duplicates", national, "/roster/duplicates/"),
        ("national: skills catalogue", national, "/skills/"),
        ("national: front offices to manage", national, "/front-offices/manage/"),
        ("national: messages", national, "/messages/"),
        ("public: front offices", None, "/front-offices/"),
    ]
    # The roster's own target is set against its queries replayed raw (the second floor).
    results = [
        result
        for scenario in scenarios
        for result in common.time_pages(
            GROUP, [scenario], ctx.repeat, replayed=scenario[2].split("?")[0] == "/roster/"
        )
    ]
    admin = common.time_pages(
        GROUP,
        [("admin changelist, all regions (100 rows)", national, "/admin/volunteers/volunteer/")],
        ctx.repeat,
        target_ms=None,
    )[0]
    # What any page costs before it shows anything: the site's chrome alone (bench/floor_urls.py),
    # beside its own two queries replayed raw, as the roster is. A page whose SQL is a few
    # milliseconds cannot be within 2× of it when the chrome alone is further off than that.
    with override_settings(ROOT_URLCONF="bench.floor_urls"):
        chrome = common.time_pages(
            GROUP,
            [("coordinator: the site's chrome alone (no content)", coordinator, "/bench/chrome-only/")],
            ctx.repeat,
            target_ms=None,
            replayed=True,
        )[0]
    roster = next(r for r in results if r.figure == "national: roster, all regions")
    # The second floor: Django admin's changelist of the same volunteers.
    admin.note = (
        f"the national roster beside it: {roster.value:.1f} ms (25 rows) vs {admin.value:.1f} ms (100 rows)"
    )
    roster.note = (roster.note + "; " if roster.note else "") + (
        f"admin changelist of the same volunteers {admin.value:.1f} ms (ratio {roster.value / admin.value:.2f})"
        if admin.value
        else ""
    )
    return [*results, admin, chrome]


if __name__ == "__main__":
    sys.exit(common.main_for(run, __doc__))

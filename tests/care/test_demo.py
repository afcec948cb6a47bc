"""The demo's help requests keep the services' rules, in every region."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from care.models import Assignment, Beneficiary, HelpRequest
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_every_region_has_beneficiaries_and_a_season_of_requests() -> None:
    call_command("seed_demo", volunteers=300, detachments=20, shifts=50, signups=100)
    regions = Region.objects.annotate(n=Count("beneficiaries")).values_list("n", flat=True)
    assert min(regions) == 8
    per_region = HelpRequest.objects.values("region").annotate(n=Count("id"))
    assert len(per_region) == 20 and min(r["n"] for r in per_region) >= 16
    assert not HelpRequest.objects.filter(taken_hands__gt=F("needed_hands")).exists()
    statuses = set(HelpRequest.objects.values_list("status", flat=True))
    assert {"new", "assigned", "done", "cannot_help"} <= statuses
    # Every confirmed or done assignment is an adult of the request's region.
    for a in Assignment.objects.select_related("volunteer", "request"):
        assert a.volunteer.region_id == a.request.region_id
        assert not a.volunteer.is_minor(a.request.due_from.date())
        assert (a.hours is not None) == (a.status == "done")
    taken = HelpRequest.objects.annotate(
        going=Count("assignments", filter=Q(assignments__status__in=["confirmed", "done"]))
    ).exclude(status__in=["new", "cancelled", "cannot_help"])
    assert all(r.going == r.taken_hands for r in taken)
    assert Beneficiary.objects.filter(latitude__isnull=True).count() == 0
    # Asked for in the daytime (Almaty), whatever the hour the demo was seeded at.
    hours = {timezone.localtime(at).hour for at in HelpRequest.objects.values_list("due_from", flat=True)}
    assert hours <= set(range(9, 19)) and len(hours) > 3

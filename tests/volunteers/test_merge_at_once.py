"""Two coordinators merging overlapping pairs of one person's records at once (A into B while B
into C), and a merge while the record to drop is being erased (PostgreSQL, one connection per
thread): nothing is half-merged, and the loser is refused plainly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User
from regions.models import CoordinatorAssignment, Region
from tests.concurrency import run_at_once
from tests.factories import UserFactory, VolunteerFactory
from volunteers import services
from volunteers.models import Volunteer, VolunteerChange

pytestmark = pytest.mark.django_db(transaction=True)


def _coordinator(n: int) -> User:
    user = UserFactory(email=f"merge-race-{n}@example.kz")
    CoordinatorAssignment.objects.create(user=user, region=Region.objects.get(code="75"))
    return user


def test_a_into_b_while_b_into_c_leaves_one_record_with_both_merges(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    almaty = Region.objects.get(code="75")
    a, b, c = (VolunteerFactory(region=almaty, locality="") for _ in range(3))
    Volunteer.objects.filter(pk=a.pk).update(locality="Қаскелең")
    first, second = _coordinator(1), _coordinator(2)

    def a_into_b() -> None:
        services.volunteer_merge(
            keep=Volunteer.objects.get(pk=b.pk), drop=Volunteer.objects.get(pk=a.pk), by=first
        )

    def b_into_c() -> None:
        services.volunteer_merge(
            keep=Volunteer.objects.get(pk=c.pk), drop=Volunteer.objects.get(pk=b.pk), by=second
        )

    outcomes = run_at_once([a_into_b, b_into_c])
    assert all(o in ("ok", "gone") for o in outcomes), outcomes
    left = list(Volunteer.objects.filter(pk__in=[a.pk, b.pk, c.pk]))
    merges = VolunteerChange.objects.filter(action=VolunteerChange.Action.MERGE)
    if outcomes == ["ok", "ok"]:
        # A into B first, then B (with A's locality) into C.
        assert [v.pk for v in left] == [c.pk] and left[0].locality == "Қаскелең"
        assert sorted(merges.filter(volunteer=left[0]).values_list("merged_from", flat=True)) == [a.pk, b.pk]
    else:
        # B into C first: A's merge finds B gone and changes nothing.
        assert sorted(v.pk for v in left) == [a.pk, c.pk]
        assert list(merges.values_list("volunteer", "merged_from")) == [(c.pk, b.pk)]


def test_a_merge_while_the_dropped_record_is_erased(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    almaty = Region.objects.get(code="75")
    kept, dropped = (VolunteerFactory(region=almaty) for _ in range(2))
    first, second = _coordinator(3), _coordinator(4)

    def merge() -> None:
        services.volunteer_merge(
            keep=Volunteer.objects.get(pk=kept.pk), drop=Volunteer.objects.get(pk=dropped.pk), by=first
        )

    def erase() -> None:
        services.volunteer_erase_on_request(
            volunteer=Volunteer.objects.get(pk=dropped.pk), by=second, basis="No. 17"
        )

    outcomes = sorted(run_at_once([merge, erase]))
    assert outcomes in (["gone", "ok"], ["anonymised", "ok"]), outcomes
    if outcomes == ["gone", "ok"]:
        # Merged first: the erasure is told the record is gone; the kept one is whole.
        assert not Volunteer.objects.filter(pk=dropped.pk).exists()
        assert Volunteer.objects.get(pk=kept.pk).anonymized_at is None
    else:
        # Erased first: the merge is refused, the erased row stays apart.
        assert Volunteer.objects.get(pk=dropped.pk).anonymized_at is not None


def test_a_merge_into_a_record_merged_away_meanwhile_says_so(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    almaty = Region.objects.get(code="75")
    a, b, c = (VolunteerFactory(region=almaty) for _ in range(3))
    coordinator = _coordinator(5)
    stale_b = Volunteer.objects.get(pk=b.pk)  # the page that merges A into B read B
    services.volunteer_merge(keep=c, drop=b, by=coordinator)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.volunteer_merge(keep=stale_b, drop=a, by=coordinator)
    assert refused.value.code == "gone"
    assert refused.value.messages == [
        "The record to keep has just been merged into another one: nothing was changed."
    ]
    assert Volunteer.objects.filter(pk=a.pk).exists()


def test_the_guardians_link_and_a_paper_consent_at_once_record_one_consent(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """Not a merge, the same kind of race: the guardian confirms through the link while a curator
    records the signed paper. One consent, one history row; the other is told it is on file."""
    import datetime

    from django.utils import timezone

    from tests.factories import MinorFactory
    from volunteers.guardian_links import guardian_link_token
    from volunteers.models import GuardianConsent

    almaty = Region.objects.get(code="75")
    child = MinorFactory(region=almaty, status=Volunteer.Status.AWAITING_GUARDIAN)
    coordinator = _coordinator(6)
    token = guardian_link_token(child)
    paper = services.PaperConsent(
        document_number="17", document_date=timezone.localdate() - datetime.timedelta(days=1)
    )

    def link() -> None:
        services.guardian_consent_confirm(token=token, guardian_name="Гүлнара Ахметова")

    def on_paper() -> None:
        services.guardian_consent_record(
            volunteer=Volunteer.objects.get(pk=child.pk), recorded_by=coordinator, paper=paper
        )

    outcomes = sorted(run_at_once([link, on_paper]))
    assert outcomes == ["already_recorded", "ok"], outcomes
    assert GuardianConsent.objects.filter(volunteer=child).count() == 1
    child.refresh_from_db()
    assert child.status == Volunteer.Status.ACTIVE and child.guardian_consent_at is not None
    assert VolunteerChange.objects.filter(volunteer=child, action="consent").count() == 1

"""The periodic tasks: the next occurrence of weekly requests (idempotent), and erasure after
the retention period (the counts stay)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from care import selectors, services, tasks
from care.models import Assignment, Beneficiary, HelpRequest
from tests.notifications.test_worker import Processes, wait_for

from .factories import BeneficiaryFactory, HelpRequestFactory, in_days


def weekly(**kw):  # type: ignore[no-untyped-def]
    start = kw.pop("due_from", in_days(0, hour=11))
    return HelpRequestFactory(
        recurrence="weekly",
        weekday=start.weekday(),
        due_from=start,
        due_until=start + datetime.timedelta(hours=2),
        **kw,
    )


@pytest.mark.django_db
class TestRecurrence:
    def test_run_twice_creates_one_next_occurrence(self, almaty) -> None:  # type: ignore[no-untyped-def]
        root = weekly(kind="fuel", needed_hands=2)
        tasks.create_next_occurrences()
        tasks.create_next_occurrences()
        occurrences = list(HelpRequest.objects.filter(series=root))
        assert len(occurrences) == 1
        nxt = occurrences[0]
        assert nxt.due_from == root.due_from + datetime.timedelta(days=7)
        assert (nxt.kind, nxt.needed_hands, nxt.status, nxt.taken_hands) == ("fuel", 2, "new", 0)
        assert timezone.localtime(nxt.due_from).weekday() == root.weekday

    def test_the_next_one_waits_until_the_latest_has_come(self, almaty) -> None:  # type: ignore[no-untyped-def]
        root = weekly(due_from=in_days(3))
        assert services.occurrences_create_due() == []
        later = timezone.now() + datetime.timedelta(days=3)
        assert len(services.occurrences_create_due(now=later)) == 1
        assert services.occurrences_create_due(now=later) == []
        assert HelpRequest.objects.filter(series=root).count() == 1

    def test_a_stopped_series_makes_no_more(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        root = weekly()
        services.series_stop(request=root, by=alice)
        assert services.occurrences_create_due() == []
        assert not HelpRequest.objects.filter(series=root).exists()

    def test_a_cancelled_first_week_is_that_week_only(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """Weekly shopping; the pensioner is in hospital the first week, and the coordinator
        cancels that visit. The help goes on the week after, as it does when a later week is
        cancelled; ending it is "Stop repeating", which the closed week's page still offers."""
        from tests.conftest import client_for

        root = weekly()
        services.request_close(request=root, status="cancelled", outcome_note="", by=alice)
        (next_week,) = services.occurrences_create_due()
        assert next_week.series == root and next_week.status == "new"
        assert next_week.due_from == root.due_from + datetime.timedelta(days=7)

        client = client_for(alice)
        client.cookies["django_language"] = "en"
        page = client.get(f"/care/requests/{next_week.pk}/").content.decode()
        assert "This closes this week's visit only" in page
        page = client.get(f"/care/requests/{root.pk}/").content.decode()
        assert f'action="/care/requests/{root.pk}/stop-repeating/"' in page
        client.post(f"/care/requests/{root.pk}/stop-repeating/")
        next_week.refresh_from_db()
        assert next_week.status == "cancelled"
        later = timezone.now() + datetime.timedelta(days=15)
        assert services.occurrences_create_due(now=later) == []
        page = client.get(f"/care/requests/{root.pk}/").content.decode()
        assert "stop-repeating" not in page

    def test_stopping_cancels_the_next_visit_already_planned(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        """Weekly shopping; the pensioner has died. Next week's visit was already made, and Bob
        is confirmed on it: the coordinator stops the series from this week's request, and Bob
        is told he need not go, instead of being reminded to go to her door."""
        from notifications.models import Message
        from tests.conftest import client_for

        bob.preferred_language = "en"
        bob.save(update_fields=["preferred_language"])
        root = weekly()
        (next_week,) = services.occurrences_create_due()
        going = services.assignment_volunteer(request=next_week, volunteer=bob, by=alice)
        client = client_for(alice)
        client.cookies["django_language"] = "en"
        response = client.post(f"/care/requests/{root.pk}/stop-repeating/", follow=True)
        page = response.content.decode()
        assert "The request will not repeat any more." in page
        day = timezone.localtime(next_week.due_from).strftime("%d.%m.%Y")
        assert f"The visit already planned for {day} is cancelled; those going are told." in page

        next_week.refresh_from_db()
        root.refresh_from_db()
        assert (next_week.status, next_week.taken_hands, root.status) == ("cancelled", 0, "new")
        told = Message.objects.filter(
            subject_type="care.assignment", subject_id=going.pk, status=Message.Status.PENDING
        )
        assert len(told) == 1 and "Called off" in told[0].context["subject"]
        assert not selectors.may_see_contact(bob.user, next_week)
        assert services.occurrences_create_due(now=timezone.now() + datetime.timedelta(days=8)) == []

    def test_a_reported_weekly_request_repeats_only_once_checked(self, alice, bob, dana, almaty) -> None:  # type: ignore[no-untyped-def]
        """A volunteer reports a neighbour who needs shopping every week. Until a coordinator
        has called her, next week's request is not offered to the region's volunteers."""
        from .test_services import intake_data

        start = in_days(0, hour=11)
        reported = services.request_report(
            volunteer=bob,
            data=intake_data(
                almaty, recurrence="weekly", due_from=start, due_until=start + datetime.timedelta(hours=2)
            ),
            by=bob.user,
        )
        assert services.occurrences_create_due() == []
        assert list(selectors.requests_open_for_volunteer(volunteer=dana)) == []
        services.request_check(request=reported, by=alice)
        (next_week,) = services.occurrences_create_due()
        assert next_week.series_id == reported.pk and not next_week.needs_check

    def test_a_series_checked_late_starts_again_from_the_next_week_to_come(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """Checked ten days after its first window, a weekly request's next one is the coming
        week's, not one already over that would read as overdue in the coordinator's list."""
        root = weekly(due_from=in_days(-10, hour=11), needs_check=True)
        services.request_check(request=root, by=alice)
        (made,) = services.occurrences_create_due()
        assert made.due_from == root.due_from + datetime.timedelta(days=14)
        assert not made.is_overdue()
        assert services.occurrences_create_due() == []
        from tests.conftest import client_for

        # The first week's, never done, is the only one overdue.
        page = client_for(alice).get("/care/requests/").content.decode()
        assert page.count('class="status-badge care-late"') == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_task_make_one_occurrence(tmp_path, regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Real workers on Redis (two beats by mistake, a retry): still one occurrence."""
    root = weekly()
    processes = Processes(tmp_path)
    try:
        processes.worker("care-a")
        processes.worker("care-b")
        for _ in range(4):
            tasks.create_next_occurrences.delay()
        wait_for(lambda: HelpRequest.objects.filter(series=root).exists(), timeout=60, what="the occurrence")
        time.sleep(2)  # let the other runs finish
        assert HelpRequest.objects.filter(series=root).count() == 1
    finally:
        processes.stop_all()


@pytest.mark.django_db
class TestErasure:
    def test_erasure_on_request_leaves_the_counts(self, alice, bob, nora, almaty) -> None:  # type: ignore[no-untyped-def]
        beneficiary = BeneficiaryFactory()
        done = HelpRequestFactory(beneficiary=beneficiary, kind="snow", details="Ауладағы қар")
        assignment = services.assignment_volunteer(request=done, volunteer=bob, by=alice)
        HelpRequest.objects.filter(pk=done.pk).update(due_from=timezone.now())
        services.assignment_done(
            assignment=assignment, hours=2, note="Сейітова апаның ауласы тазартылды", by=bob.user
        )
        open_one = HelpRequestFactory(beneficiary=beneficiary, kind="groceries")
        before = {
            (r["kind"], r["total"], r["done"], r["hours"]) for r in selectors.requests_summary(user=nora)
        }

        services.beneficiary_erase(beneficiary=beneficiary, by=alice)

        beneficiary.refresh_from_db()
        assert beneficiary.erased_at is not None
        assert (beneficiary.full_name, beneficiary.phone, beneficiary.address, beneficiary.latitude) == (
            "",
            "",
            "",
            None,
        )
        open_one.refresh_from_db()
        assert open_one.status == "cancelled"
        assert not HelpRequest.objects.exclude(details="").exists()
        assert not Assignment.objects.exclude(note="").exists()
        after = {
            (r["kind"], r["total"], r["done"], r["hours"]) for r in selectors.requests_summary(user=nora)
        }
        assert after == before
        from volunteers.extensions import volunteer_total_hours

        assert volunteer_total_hours(bob) >= 2
        assert AuditEntry.objects.filter(
            action="erased", subject_id=str(beneficiary.pk), actor=alice
        ).exists()

    def test_retention_erases_only_past_the_period(self, almaty, settings) -> None:  # type: ignore[no-untyped-def]
        settings.CARE_RETENTION_DAYS = 30
        old = HelpRequestFactory(status="done", closed_at=timezone.now() - datetime.timedelta(days=31))
        recent = HelpRequestFactory(status="done", closed_at=timezone.now() - datetime.timedelta(days=5))
        still_open = HelpRequestFactory(
            beneficiary=old.beneficiary.__class__.objects.create(
                region=almaty,
                locality="Алматы",
                full_name="Ашық",
                address="Сатпаев 1",
                consent_help=True,
                consent_data=True,
            )
        )
        Beneficiary.objects.filter(pk=still_open.beneficiary_id).update(
            created_at=timezone.now() - datetime.timedelta(days=90)
        )
        assert tasks.erase_expired_beneficiaries() == 1
        assert tasks.erase_expired_beneficiaries() == 0
        assert Beneficiary.objects.get(pk=old.beneficiary_id).is_erased
        assert not Beneficiary.objects.get(pk=recent.beneficiary_id).is_erased
        assert not Beneficiary.objects.get(pk=still_open.beneficiary_id).is_erased
        assert HelpRequest.objects.count() == 3


@pytest.mark.django_db
def test_make_run_does_the_periodic_work_in_process(almaty, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without Redis and beat (`make run`), the development server's thread makes the next
    occurrence; with Redis it stays off (beat does it)."""
    from care import periodic

    root = weekly()
    settings.NOTIFICATIONS_IN_PROCESS_SWEEPER = True
    settings.REDIS_URL = "redis://x"
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver", "--noreload"])
    assert periodic.start_in_process() is None
    periodic.run_periodic_loop(once=True)
    assert HelpRequest.objects.filter(series=root).count() == 1

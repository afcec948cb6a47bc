"""Two at once on the same sign-up, on PostgreSQL: a coordinator's action and the volunteer's (or
another coordinator's) in parallel transactions, each on its own connection, as two web workers
would run them. The interleaving is forced: the first transaction holds its locks until the
second is seen waiting for one of them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from events import services, services_extra
from events.models import Shift, Signup, TransportRequest
from notifications.models import Message
from tests.factories import UserFactory, VolunteerFactory

from .factories import ShiftFactory, in_days

pytestmark = pytest.mark.django_db(transaction=True)


def _someone_waits_for_a_lock(*, until: Callable[[], bool], timeout: float = 10) -> bool:
    """Whether a transaction waits for a lock, within `timeout` or until `until()` is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _first_holds_then_second(first: Callable[[], object], second: Callable[[], object]) -> list[str]:
    """Run `first` in a transaction kept open until `second`, started after it, waits for a lock;
    then let `first` commit. Returns each one's outcome ("ok" or the refusal's code)."""
    done, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def run(name: str, job: Callable[[], object], hold: bool) -> None:
        try:
            with transaction.atomic():
                job()
                if hold:
                    done.set()
                    release.wait(20)
            outcomes[name] = "ok"
        except Exception as exc:
            outcomes[name] = getattr(exc, "code", None) or repr(exc)
        finally:
            done.set()
            connection.close()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    assert done.wait(20)
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    _someone_waits_for_a_lock(until=lambda: not two.is_alive())
    release.set()
    one.join(30)
    two.join(30)
    return [outcomes.get("first", "unfinished"), outcomes.get("second", "unfinished")]


def test_a_lift_arranged_as_the_sign_up_is_cancelled_is_not_sent_after_the_cancellation(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """The coordinator answers the lift while the volunteer cancels: the cancellation waits for
    the answer and then drops it with the request, so "transport arranged" never follows it."""
    shift = ShiftFactory(capacity=5)
    person = VolunteerFactory(with_account=True)
    coordinator = UserFactory()
    signup = services.signup_create(shift=shift, volunteer=person, by=None)
    request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)

    def arrange() -> object:
        return services_extra.transport_arrange(
            request=TransportRequest(pk=request.pk),
            by=coordinator,
            driver_name="Серік",
            driver_phone="+77015550000",
            departure_at=in_days(2, 8),
            departure_place="Сайран",
        )

    def cancel() -> object:
        return services.signup_cancel(signup=Signup.objects.get(pk=signup.pk), by=person.user)

    assert _first_holds_then_second(arrange, cancel) == ["ok", "ok"]

    request.refresh_from_db()
    assert request.status == TransportRequest.Status.CANCELLED
    assert Signup.objects.get(pk=signup.pk).status == Signup.Status.CANCELLED
    answers = Message.objects.filter(subject_type="events.transport", subject_id=request.pk)
    assert answers.exists()
    assert not answers.filter(status="pending").exists()
    assert Shift.objects.get(pk=shift.pk).taken_places == 0


def test_a_lift_arranged_as_the_shift_is_re_timed_is_flagged_for_a_second_look(
    regions_in_transactional_db,
) -> None:  # type: ignore[no-untyped-def]
    """One coordinator arranges a lift for the shift's old time while another moves the shift: the
    re-timing waits for the answer and flags it to be checked again, as one arranged before."""
    shift = ShiftFactory(capacity=5)
    person = VolunteerFactory(with_account=True)
    coordinator = UserFactory()
    signup = services.signup_create(shift=shift, volunteer=person, by=None)
    request = services_extra.transport_request_save(signup=signup, pickup="Сайран", seats=1)

    def arrange() -> object:
        return services_extra.transport_arrange(
            request=TransportRequest(pk=request.pk),
            by=coordinator,
            driver_name="Серік",
            driver_phone="+77015550000",
            departure_at=in_days(2, 8),
            departure_place="Сайран",
        )

    def re_time() -> object:
        return services.shift_update(
            shift=Shift.objects.get(pk=shift.pk),
            data={"starts_at": in_days(2, 14), "ends_at": in_days(2, 17)},
            by=coordinator,
        )

    assert _first_holds_then_second(arrange, re_time) == ["ok", "ok"]

    request.refresh_from_db()
    assert request.status == TransportRequest.Status.ARRANGED
    assert request.recheck_since is not None

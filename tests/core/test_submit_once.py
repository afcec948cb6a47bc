"""A create form sent twice saves once (volunteer_net/submit_once.py), shown on the coordinator's
"Add a detachment": the second press of the same filled form lands on what the first one saved,
whether it comes after it, or at the same moment from another web worker."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts import tasks
from accounts.models import FormKey
from detachments.models import Detachment
from regions.models import CoordinatorAssignment, Region
from tests.concurrency import run_at_once, wait_for_lock_waits
from tests.conftest import client_for, in_its_language
from tests.factories import UserFactory

ALREADY = "This form had already been saved; nothing was saved again."


def _key(client: Client) -> str:
    page = client.get("/detachments/new/").content.decode()
    match = re.search(r'<input type="hidden" name="form_once" value="([0-9a-f]{32})">', page)
    assert match, "the form carries its one-time key"
    return match.group(1)


def _detachment(region: Region, key: str | None, **overrides: str) -> dict[str, Any]:
    data = {
        "school_name": "Абай атындағы мектеп",
        "school_number": "12",
        "locality": "Алматы",
        "region": region.pk,
        "latitude": "43.2",
        "longitude": "76.9",
    }
    if key is not None:
        data["form_once"] = key
    return data | overrides


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
class TestSentTwice:
    def test_each_page_load_has_a_key_of_its_own(self, alice) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        assert _key(client) != _key(client)

    def test_second_press_lands_on_the_first_ones_detachment(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        key = _key(client)
        first = client.post("/detachments/new/", _detachment(almaty, key))
        second = client.post("/detachments/new/", _detachment(almaty, key))

        created = Detachment.objects.get()
        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"] == f"/detachments/{created.pk}/"
        assert in_its_language(second, ALREADY) in _messages(second) and in_its_language(
            first, ALREADY
        ) not in _messages(first)

    def test_form_brought_back_and_changed_is_a_new_detachment(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        # Back to the same page (its key), another school typed in: the coordinator means a second one.
        client = client_for(alice)
        key = _key(client)
        client.post("/detachments/new/", _detachment(almaty, key))
        again = client.post("/detachments/new/", _detachment(almaty, key, school_name="№ 7 мектеп"))
        assert again.status_code == 302 and in_its_language(again, ALREADY) not in _messages(again)
        assert sorted(Detachment.objects.values_list("school_name", flat=True)) == [
            "Абай атындағы мектеп",
            "№ 7 мектеп",
        ]

    def test_form_with_errors_keeps_its_key_and_saves_once_corrected(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        key = _key(client)
        refused = client.post("/detachments/new/", _detachment(almaty, key, school_name=""))
        assert refused.status_code == 200 and "school_name" in refused.context["form"].errors
        assert f'name="form_once" value="{key}"' in refused.content.decode()
        assert not FormKey.objects.exists()  # nothing saved, nothing claimed

        saved = client.post("/detachments/new/", _detachment(almaty, key))
        assert saved.status_code == 302 and in_its_language(saved, ALREADY) not in _messages(saved)
        assert Detachment.objects.count() == 1

    def test_post_without_a_key_is_handled_as_before(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        # API clients and pages loaded before the key existed: each post is saved, as always.
        client = client_for(alice)
        client.post("/detachments/new/", _detachment(almaty, None))
        client.post("/detachments/new/", _detachment(almaty, None))
        assert Detachment.objects.count() == 2

    def test_someone_elses_key_does_not_lead_to_their_detachment(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        other = UserFactory(email="other-coordinator@example.kz")
        CoordinatorAssignment.objects.create(user=other, region=almaty)
        key = _key(client_for(alice))
        client_for(alice).post("/detachments/new/", _detachment(almaty, key))
        theirs = client_for(other).post("/detachments/new/", _detachment(almaty, key))
        assert in_its_language(theirs, ALREADY) not in _messages(theirs)
        assert Detachment.objects.count() == 2

    def test_a_repeat_after_a_day_is_a_new_form_and_the_clean_up_forgets_the_key(  # type: ignore[no-untyped-def]
        self, alice, almaty
    ) -> None:
        client = client_for(alice)
        key = _key(client)
        client.post("/detachments/new/", _detachment(almaty, key))
        FormKey.objects.update(created_at=timezone.now() - FormKey.KEEP - timedelta(seconds=1))

        assert tasks.clean_up()["form_keys"] == 1
        assert not FormKey.objects.exists()
        client.post("/detachments/new/", _detachment(almaty, key))
        assert Detachment.objects.count() == 2


def _coordinator(region: Region) -> Any:
    user = UserFactory(email="parallel-coordinator@example.kz")
    CoordinatorAssignment.objects.create(user=user, region=region)
    return user


@pytest.mark.django_db(transaction=True)
class TestPressedTwiceAtOnce:
    """Two web workers with their own PostgreSQL connections, each with the same filled form."""

    def test_parallel_presses_save_one_detachment_and_both_land_on_it(
        self, regions_in_transactional_db
    ) -> None:  # type: ignore[no-untyped-def]
        almaty = Region.objects.get(code="75")
        user = _coordinator(almaty)
        clients = [client_for(user), client_for(user)]
        key = _key(clients[0])
        responses: list[Any] = []

        def press(client: Client) -> None:
            responses.append(client.post("/detachments/new/", _detachment(almaty, key)))

        assert run_at_once([lambda c=c: press(c) for c in clients]) == ["ok", "ok"]  # type: ignore[misc]

        created = Detachment.objects.get()
        assert [r["Location"] for r in responses] == [f"/detachments/{created.pk}/"] * 2
        assert sorted(in_its_language(r, ALREADY) in _messages(r) for r in responses) == [False, True]

    def test_second_press_waits_for_the_first_and_reads_its_result(self, regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
        """The interleaving forced: the first press has claimed the key and waits inside its
        transaction (the region's row is locked here, so its detachment cannot be inserted yet)
        when the second one arrives; the second waits on the key, not beside it."""
        almaty = Region.objects.get(code="75")
        user = _coordinator(almaty)
        first_client, second_client = client_for(user), client_for(user)
        key = _key(first_client)
        answers: dict[str, Any] = {}

        locked, release = threading.Event(), threading.Event()

        def hold_region() -> None:
            # In a connection of its own: the test's connection polls pg_stat_activity, whose
            # figures would stay as first read for as long as a transaction of its own lasted.
            try:
                with transaction.atomic():
                    Region.objects.select_for_update().get(pk=almaty.pk)
                    locked.set()
                    release.wait(timeout=60)
            finally:
                connection.close()

        def press(name: str, client: Client) -> None:
            try:
                answers[name] = client.post("/detachments/new/", _detachment(almaty, key))
            finally:
                connection.close()

        holder = threading.Thread(target=hold_region)
        holder.start()
        assert locked.wait(timeout=30)
        first = threading.Thread(target=press, args=("first", first_client))
        first.start()
        wait_for_lock_waits(1)  # the first press holds the key and waits for the region
        second = threading.Thread(target=press, args=("second", second_client))
        second.start()
        wait_for_lock_waits(2)  # the second press waits for the first one's key
        release.set()
        holder.join(timeout=30)
        first.join(timeout=30)
        second.join(timeout=30)

        created = Detachment.objects.get()
        assert answers["first"]["Location"] == answers["second"]["Location"] == f"/detachments/{created.pk}/"
        assert in_its_language(answers["first"], ALREADY) not in _messages(answers["first"])
        assert in_its_language(answers["second"], ALREADY) in _messages(answers["second"])

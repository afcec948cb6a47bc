"""Possible duplicates: flagged for staff when a record with a phone, e-mail or IIN already on file
is created (registration, walk-in, detachment member) or edited; listed for the coordinators whose
regions hold both people; merged into one record that keeps the history, consents, skills, account
and every other row that refers to either; or dismissed for good."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import User
from detachments.models import Detachment
from regions.models import CoordinatorAssignment, Region
from tests.conftest import client_for as _client_for
from tests.conftest import mailed_link
from tests.factories import (
    DetachmentFactory,
    MinorFactory,
    SkillFactory,
    UserFactory,
    VolunteerFactory,
    years_ago,
)
from tests.volunteers.test_selfservice_views import IIN, IIN_BIRTH, _register, _registration
from volunteers import services
from volunteers.crypto import iin_digest
from volunteers.models import GuardianConsent, PossibleDuplicate, Volunteer, VolunteerChange


def client_for(user: User) -> Client:
    """A logged-in client reading the pages in English, as the messages are compared below."""
    client = _client_for(user)
    client.cookies["django_language"] = "en"
    return client


def _walk_in(region: Region, **extra: Any) -> dict[str, Any]:
    return {
        "last_name": "Тоқтаров",
        "first_name": "Нұрлан",
        "birth_date": "1990-03-04",
        "phone": "+7 747 123 45 67",
        "region": region.pk,
        "preferred_language": "kk",
        "preferred_channel": "sms",
        "status": "active",
        "own_document_number": "А-105",
        **extra,
    }


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _pair(a: Volunteer, b: Volunteer, **extra: Any) -> PossibleDuplicate:
    """A flag as the services write it: the later record first."""
    later, earlier = (a, b) if a.pk > b.pk else (b, a)
    return PossibleDuplicate.objects.create(
        volunteer=later, existing=earlier, reason=extra.pop("reason", "phone"), **extra
    )


@pytest.mark.django_db
class TestFlagging:
    def test_walk_in_with_a_phone_on_file_is_flagged_and_the_coordinator_told(
        self, alice, bob, almaty
    ) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = client_for(alice).post("/roster/new/", _walk_in(almaty, phone=bob.phone_display))
        assert response.status_code == 302
        walk_in = Volunteer.objects.get(last_name="Тоқтаров")
        flag = PossibleDuplicate.objects.get()
        assert (flag.volunteer, flag.existing, flag.reason) == (walk_in, bob, "phone")
        assert flag.resolved_at is None
        assert any("possible duplicates" in m for m in _messages(response))

    def test_walk_in_with_an_iin_on_file_is_saved_without_it_and_flagged(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        on_file = VolunteerFactory(region=almaty, iin=IIN, birth_date=IIN_BIRTH)
        data = _walk_in(almaty, birth_date=IIN_BIRTH.isoformat(), iin=IIN, phone="+7 747 000 00 01")
        data.update(
            guardian_name="Тоқтарова Айгүл", guardian_phone="8 701 000 00 01", guardian_relation="mother"
        )
        response = client_for(alice).post("/roster/new/", data)
        assert response.status_code == 302, response.context["form"].errors
        walk_in = Volunteer.objects.get(last_name="Тоқтаров")
        assert walk_in.iin is None
        on_file.refresh_from_db()
        assert on_file.iin == IIN
        flag = PossibleDuplicate.objects.get()
        assert (flag.volunteer, flag.existing, flag.reason) == (walk_in, on_file, "iin")
        assert any("The IIN was not saved" in m for m in _messages(response))

    def test_detachment_member_with_an_email_on_file_whatever_its_case(self, almaty) -> None:  # type: ignore[no-untyped-def]
        curator = UserFactory(email="teacher@example.kz")
        detachment = DetachmentFactory(region=almaty, curator=curator)
        # A member of the same detachment: the curator may know of them (someone outside it is
        # not theirs to hear of, see test_duplicate_disclosure.py).
        sibling = VolunteerFactory(region=almaty, detachment=detachment, email="family.bekov@example.kz")
        response = client_for(curator).post(
            f"/detachments/{detachment.pk}/members/new/",
            {
                "last_name": "Бекова",
                "first_name": "Аружан",
                "birth_date": years_ago(11).isoformat(),
                "phone": "+7 702 333 22 11",
                "email": "Family.Bekov@Example.kz",
                "preferred_language": "kk",
                "preferred_channel": "sms",
                "guardian_name": "Бекова Гүлжан",
                "guardian_phone": "8 701 222 33 44",
                "guardian_relation": "mother",
            },
        )
        assert response.status_code == 302
        member = Volunteer.objects.get(last_name="Бекова")
        flag = PossibleDuplicate.objects.get()
        assert (flag.volunteer, flag.existing, flag.reason) == (member, sibling, "email")
        # The curator is told, without a link to a page that is not theirs.
        messages = _messages(response)
        assert any("a coordinator will check" in m for m in messages)
        assert not any("overview" in m for m in messages)

    @pytest.mark.parametrize("reason", ["phone", "email", "iin"])
    def test_registration_is_flagged_and_the_registrant_sees_nothing_of_it(  # type: ignore[no-untyped-def]
        self, reason, almaty, django_capture_on_commit_callbacks
    ) -> None:
        on_file = VolunteerFactory(
            region=almaty,
            last_name="Жұмабаев",
            phone="+77015554433" if reason == "phone" else "+77019990000",
            email="walk.in@example.kz",
            iin=IIN if reason == "iin" else None,
            birth_date=IIN_BIRTH if reason == "iin" else years_ago(30),
        )
        overrides: dict[str, str] = {
            "profile-phone": "8 701 555 44 33" if reason == "phone" else "8 701 111 22 33"
        }
        if reason == "email":
            overrides["account-email"] = "Walk.In@example.kz"
        if reason == "iin":
            overrides.update({"profile-iin": IIN, "profile-birth_date": IIN_BIRTH.isoformat()})
        client = Client()
        response = _register(client, _registration(almaty, **overrides), django_capture_on_commit_callbacks)
        fresh = _register(
            Client(),
            _registration(
                almaty, **{"account-email": "fresh@example.kz", "profile-phone": "8 702 000 00 00"}
            ),
            django_capture_on_commit_callbacks,
        )
        # The same answer as for a registration with nothing on file.
        assert (response.status_code, response.url) == (fresh.status_code, fresh.url)
        registrant = Volunteer.objects.get(
            last_name="Серікова",
            user__isnull=False,
            phone=overrides["profile-phone"].replace(" ", "").replace("8", "+7", 1),
        )
        flag = PossibleDuplicate.objects.get(existing=on_file)
        assert (flag.volunteer, flag.reason) == (registrant, reason)
        # Neither the mail nor the registrant's own pages say a word of it.
        message = mail.outbox[0]
        assert "Жұмабаев" not in message.body and on_file.phone not in message.body
        client.post(mailed_link(message, "/accounts/activate/"))
        profile = client.get("/me/").content.decode()
        assert "Жұмабаев" not in profile
        assert reason == "email" or "walk.in" not in profile.lower()
        assert client.get("/roster/duplicates/").status_code == 404

    def test_changed_phone_flags_once_per_pair_whichever_side_changes(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        first = VolunteerFactory(region=almaty, phone="+77010000001", email="first@example.kz")
        second = VolunteerFactory(region=almaty, phone="+77010000002", email="second@example.kz")
        services.volunteer_update(volunteer=first, changed_by=alice, data={"phone": "8 701 000 00 02"})
        flag = PossibleDuplicate.objects.get()
        assert (flag.volunteer, flag.existing, flag.reason) == (second, first, "phone")
        # The other side now takes the first one's e-mail: still the one pair, not a second row.
        services.volunteer_update(volunteer=second, changed_by=alice, data={"email": "FIRST@example.kz"})
        assert PossibleDuplicate.objects.count() == 1

    def test_other_edits_flag_nothing(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        one = VolunteerFactory(region=almaty, phone="+77010000001")
        Volunteer.objects.filter(pk=VolunteerFactory(region=almaty).pk).update(phone="+77010000001")
        services.volunteer_update(volunteer=one, changed_by=alice, data={"locality": "Қаскелең"})
        assert not PossibleDuplicate.objects.exists()

    def test_erased_records_are_not_compared(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        gone = VolunteerFactory(region=almaty, phone="+77010000009")
        services.volunteer_anonymize(volunteer=gone, requested_by=None)
        Volunteer.objects.filter(pk=gone.pk).update(phone="+77010000009")  # as if a phone were left
        services.volunteer_create(created_by=alice, data={**_service_data(almaty), "phone": "+77010000009"})
        assert not PossibleDuplicate.objects.exists()

    def test_one_query_finds_the_matches_and_one_writes_the_flags(  # type: ignore[no-untyped-def]
        self, almaty, django_assert_num_queries
    ) -> None:
        new = VolunteerFactory(region=almaty, phone="+77010000001", email="x@example.kz")
        for n in range(3):
            VolunteerFactory(region=almaty, phone="+77010000001", email=f"o{n}@example.kz")
        VolunteerFactory(region=almaty, email="X@EXAMPLE.KZ")
        with django_assert_num_queries(2):
            services.possible_duplicates_flag(volunteer=new)
        assert PossibleDuplicate.objects.count() == 4
        assert set(PossibleDuplicate.objects.values_list("reason", flat=True)) == {"phone", "email"}
        alone = VolunteerFactory(region=almaty)
        with django_assert_num_queries(1):
            services.possible_duplicates_flag(volunteer=alone)

    def test_a_dismissed_pair_is_never_flagged_again(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        first = VolunteerFactory(region=almaty, phone="+77010000001")
        second = VolunteerFactory(region=almaty, phone="+77010000001")
        services.possible_duplicates_flag(volunteer=second)
        flag = PossibleDuplicate.objects.get()
        response = client_for(alice).post(f"/roster/duplicates/{flag.pk}/dismiss/")
        assert response.status_code == 302 and response.url == "/roster/duplicates/"
        services.volunteer_update(volunteer=first, changed_by=alice, data={"phone": "+77010000002"})
        services.volunteer_update(volunteer=first, changed_by=alice, data={"phone": "+77010000001"})
        flag = PossibleDuplicate.objects.get()
        assert flag.resolution == "not_duplicate" and flag.resolved_by == alice
        assert "pair-" not in client_for(alice).get("/roster/duplicates/").content.decode()


def _service_data(region: Region) -> dict[str, Any]:
    return {
        "last_name": "Тоқтаров",
        "first_name": "Нұрлан",
        "birth_date": datetime.date(1990, 3, 4),
        "region": region,
        "preferred_language": "kk",
        "preferred_channel": "sms",
    }


@pytest.mark.django_db
class TestList:
    @pytest.fixture
    def pairs(self, almaty, astana) -> dict[str, PossibleDuplicate]:  # type: ignore[no-untyped-def]
        def pair(region_a: Region, region_b: Region, phone: str) -> PossibleDuplicate:
            a = VolunteerFactory(region=region_a, phone=phone)
            b = VolunteerFactory(region=region_b, phone=phone)
            return _pair(a, b)

        return {
            "almaty": pair(almaty, almaty, "+77010000001"),
            "astana": pair(astana, astana, "+77010000002"),
            "across": pair(almaty, astana, "+77010000003"),
        }

    def _shown(self, user: User) -> set[int]:
        response = client_for(user).get("/roster/duplicates/")
        assert response.status_code == 200
        return {flag.pk for flag in response.context["page"]}

    def test_each_coordinator_sees_the_pairs_wholly_in_their_regions(
        self, alice, charlie, nora, pairs
    ) -> None:  # type: ignore[no-untyped-def]
        assert self._shown(alice) == {pairs["almaty"].pk}
        assert self._shown(charlie) == {pairs["astana"].pk}
        # Across two regions: national staff only.
        assert self._shown(nora) == {p.pk for p in pairs.values()}

    def test_a_pair_outside_the_scope_does_not_exist(self, alice, charlie, pairs) -> None:  # type: ignore[no-untyped-def]
        for user, names in ((alice, ("astana", "across")), (charlie, ("almaty", "across"))):
            client = client_for(user)
            for name in names:
                pk = pairs[name].pk
                assert client.get(f"/roster/duplicates/{pk}/merge/").status_code == 404
                assert (
                    client.post(
                        f"/roster/duplicates/{pk}/merge/", {"keep": pairs[name].volunteer_id}
                    ).status_code
                    == 404
                )
                assert client.post(f"/roster/duplicates/{pk}/dismiss/").status_code == 404
        assert PossibleDuplicate.objects.filter(resolved_at__isnull=True).count() == 3
        assert Volunteer.objects.count() == 6
        page = client_for(charlie).get("/roster/duplicates/").content.decode()
        for flag in (pairs["almaty"], pairs["across"]):
            assert flag.existing.last_name not in page and flag.volunteer.last_name not in page

    def test_the_page_shows_both_people_side_by_side(self, alice, almaty, pairs) -> None:  # type: ignore[no-untyped-def]
        flag = pairs["almaty"]
        Volunteer.objects.filter(pk=flag.existing_id).update(
            iin=IIN, iin_hash=iin_digest(IIN), birth_date=IIN_BIRTH
        )
        flag.existing.refresh_from_db()
        page = client_for(alice).get("/roster/duplicates/").content.decode()
        card = page.split(f'id="pair-{flag.pk}"', 1)[1].split("</article>", 1)[0]
        for person in (flag.existing, flag.volunteer):
            assert person.full_name in card and person.email in card and person.phone_display in card
        assert flag.existing.masked_iin in card and IIN not in card
        assert card.index(flag.existing.full_name) < card.index(flag.volunteer.full_name)
        assert f'action="/roster/duplicates/{flag.pk}/dismiss/"' in card
        assert f'href="/roster/duplicates/{flag.pk}/merge/"' in card

    def test_others_have_no_list(self, bob, client) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        assert client_for(bob.user).get("/roster/duplicates/").status_code == 404
        assert client.get("/roster/duplicates/")["Location"] == "/accounts/login/?next=/roster/duplicates/"

    def test_query_count_does_not_grow_with_pairs(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        detachment = DetachmentFactory(region=almaty)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/roster/duplicates/").status_code == 200
            return len(ctx.captured_queries)

        _pair(VolunteerFactory(region=almaty), VolunteerFactory(region=almaty))
        few = count()
        for n in range(15):
            _pair(
                VolunteerFactory(region=almaty, detachment=detachment, with_account=bool(n % 2)),
                MinorFactory(region=almaty, detachment=detachment),
            )
        assert count() == few

    def test_dismissing_takes_the_pair_off_the_list(self, alice, pairs) -> None:  # type: ignore[no-untyped-def]
        flag = pairs["almaty"]
        client = client_for(alice)
        response = client.post(f"/roster/duplicates/{flag.pk}/dismiss/")
        assert response.status_code == 302
        assert _messages(response) == ["Marked as two different people: this pair will not be flagged again."]
        assert self._shown(alice) == set()
        flag.refresh_from_db()
        assert flag.resolution == "not_duplicate" and flag.resolved_at is not None
        # Both people stay as they were.
        assert Volunteer.objects.filter(pk__in=[flag.volunteer_id, flag.existing_id]).count() == 2
        # Sent again (a second tab): told, not a 500.
        again = client_for(alice).post(f"/roster/duplicates/{flag.pk}/dismiss/")
        assert again.status_code == 302 and _messages(again) == ["This pair has already been dealt with."]

    def test_dismiss_answers_a_get_with_the_405_page(self, alice, pairs) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).get(f"/roster/duplicates/{pairs['almaty'].pk}/dismiss/")
        assert response.status_code == 405 and response["Allow"] == "POST"
        assert 'href="/roster/duplicates/"' in response.content.decode()

    def test_overview_counts_the_pairs_of_each_region_and_links_to_them(
        self, alice, nora, almaty, astana, pairs
    ) -> None:  # type: ignore[no-untyped-def]
        from tests.core.test_start_and_overview import _figures

        response = client_for(alice).get("/overview/")
        assert _figures(response, "75")["duplicates"] == "1"
        assert f'href="/roster/duplicates/?region={almaty.pk}"' in response.content.decode()
        # A pair across two regions counts where its later record is, for national staff only.
        response = client_for(nora).get("/overview/")
        assert _figures(response, "75")["duplicates"] == "1"
        assert _figures(response, "71")["duplicates"] == "2"
        assert _figures(response, "all")["duplicates"] == "3"
        filtered = client_for(nora).get(f"/roster/duplicates/?region={astana.pk}")
        assert {f.pk for f in filtered.context["page"]} == {pairs["astana"].pk, pairs["across"].pk}

    def test_a_region_outside_the_scope_in_the_filter_shows_nothing_of_it(self, alice, astana, pairs) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).get(f"/roster/duplicates/?region={astana.pk}")
        assert response.status_code == 200 and "region" in response.context["form"].errors
        assert {f.pk for f in response.context["page"]} == {pairs["almaty"].pk}


@pytest.mark.django_db
class TestMerge:
    @pytest.fixture
    def walk_in(self, almaty) -> Volunteer:  # type: ignore[no-untyped-def]
        """Added by a coordinator: no account, no e-mail, a skill, a locality."""
        return VolunteerFactory(
            region=almaty,
            last_name="Омаров",
            first_name="Нұрлан",
            phone="+77057654321",
            email="",
            locality="Қаскелең",
            birth_date=datetime.date(1995, 5, 5),
        )

    @pytest.fixture
    def registered(self, almaty) -> Volunteer:  # type: ignore[no-untyped-def]
        """The same person, registered online: an account, an e-mail, another skill, a middle name."""
        return VolunteerFactory(
            region=almaty,
            with_account=True,
            last_name="Омаров",
            first_name="Нурлан",
            middle_name="Серікұлы",
            phone="+77057654321",
            email="nurlan@example.kz",
            locality="Алматы",
            birth_date=datetime.date(1995, 5, 5),
            available_evenings=True,
        )

    def test_merge_keeps_history_skills_account_and_never_overwrites(
        self, alice, walk_in, registered
    ) -> None:  # type: ignore[no-untyped-def]
        first_aid, driving, sign = (
            SkillFactory(code="first-aid"),
            SkillFactory(code="driving"),
            SkillFactory(code="sign"),
        )
        walk_in.skills.add(first_aid, driving)
        registered.skills.add(driving, sign)
        services.volunteer_update(volunteer=walk_in, changed_by=alice, data={"locality": "Талғар"})
        services.volunteer_update(
            volunteer=registered, changed_by=registered.user, data={"middle_name": "Серікұлы"}
        )
        services.volunteer_update(
            volunteer=registered, changed_by=registered.user, data={"available_weekends": True}
        )
        history = set(VolunteerChange.objects.values_list("pk", flat=True))
        account = registered.user
        flag = _pair(walk_in, registered)

        response = client_for(alice).post(f"/roster/duplicates/{flag.pk}/merge/", {"keep": walk_in.pk})
        assert response.status_code == 302 and response.url == f"/roster/{walk_in.pk}/"
        assert _messages(response) == [
            f"The records have been merged into #{walk_in.pk}; record #{registered.pk} no longer exists."
        ]

        assert not Volunteer.objects.filter(pk=registered.pk).exists()
        walk_in.refresh_from_db()
        # The kept record's own values stay; what it lacked comes from the other.
        assert (walk_in.first_name, walk_in.locality) == ("Нұрлан", "Талғар")
        assert (walk_in.middle_name, walk_in.email) == ("Серікұлы", "nurlan@example.kz")
        assert not walk_in.available_evenings, "a value (False) is not an empty field"
        assert "nurlan@example.kz" in walk_in.search_text
        assert set(walk_in.skills.values_list("code", flat=True)) == {"first-aid", "driving", "sign"}
        assert walk_in.user == account
        account.refresh_from_db()
        assert account.is_active
        # Every history row of both is the kept record's now, with one more for the merge.
        rows = VolunteerChange.objects.filter(volunteer=walk_in)
        assert history < set(rows.values_list("pk", flat=True))
        merge = rows.get(action="merge")
        assert merge.merged_from == registered.pk and merge.changed_by == alice
        assert merge.fields == ["email", "middle_name", "skills", "user"]
        assert merge.action_display == f"Merged with record #{registered.pk}"
        # The pair stays as the record of the decision.
        flag.refresh_from_db()
        assert (flag.resolution, flag.resolved_by, flag.volunteer, flag.existing) == (
            "merged",
            alice,
            None,
            walk_in,
        )
        # The person logs in to the kept record.
        client = client_for(account)
        assert client.get("/me/").context["volunteer"] == walk_in
        detail = client_for(alice).get(f"/roster/{walk_in.pk}/").content.decode()
        assert f"Merged with record #{registered.pk}" in detail

    def test_guardian_consents_move_and_one_stays_in_force(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        kept = MinorFactory(
            region=almaty, birth_date=years_ago(12), phone="+77050000001", status="awaiting_guardian"
        )
        dropped = MinorFactory(
            region=almaty, birth_date=years_ago(12), phone="+77050000001", status="awaiting_guardian"
        )
        services.guardian_consent_record(
            volunteer=dropped,
            recorded_by=alice,
            paper=services.PaperConsent(document_number="17", document_date=timezone.localdate()),
        )
        consent = GuardianConsent.objects.get()
        services.volunteer_merge(keep=kept, drop=dropped, by=alice)
        kept.refresh_from_db()
        consent.refresh_from_db()
        # Given by the same guardian, it is the kept record's consent in force now.
        assert consent.volunteer == kept and consent.withdrawn_at is None
        assert kept.guardian_consent_at == consent.given_at and kept.status == "active"
        assert kept.may_take_part()
        assert set(VolunteerChange.objects.get(action="merge").fields) == {"guardian_consent_at", "status"}

    def test_another_guardians_consent_moves_withdrawn(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        kept = MinorFactory(region=almaty, phone="+77050000001", guardian_consent_at=timezone.now())
        GuardianConsent.objects.create(volunteer=kept, method="paper", guardian_name=kept.guardian_name)
        dropped = MinorFactory(region=almaty, phone="+77050000001", guardian_name="Омарова Сәуле")
        GuardianConsent.objects.create(volunteer=dropped, method="paper", guardian_name="Омарова Сәуле")
        services.volunteer_merge(keep=kept, drop=dropped, by=alice)
        consents = GuardianConsent.objects.filter(volunteer=kept)
        assert consents.count() == 2
        assert consents.get(withdrawn_at__isnull=True).guardian_name == kept.guardian_name
        withdrawn = consents.get(withdrawn_at__isnull=False)
        assert withdrawn.guardian_name == "Омарова Сәуле" and f"#{kept.pk}" in withdrawn.withdrawal_reason

    def test_a_consent_withdrawn_for_another_guardian_says_so_when_none_is_kept(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        # The history said the kept record "keeps its own guardian and consent": it had none.
        kept = MinorFactory(region=almaty, phone="+77050000001", status="awaiting_guardian")
        dropped = MinorFactory(region=almaty, phone="+77050000001", guardian_name="Омарова Сәуле")
        GuardianConsent.objects.create(volunteer=dropped, method="paper", guardian_name="Омарова Сәуле")
        with translation.override("en"):
            services.volunteer_merge(keep=kept, drop=dropped, by=alice)
        withdrawn = GuardianConsent.objects.get(volunteer=kept)
        assert withdrawn.withdrawn_at is not None
        assert withdrawn.withdrawal_reason == (
            f"Merged into record #{kept.pk}, which names another guardian: their consent is needed."
        )
        kept.refresh_from_db()
        assert kept.guardian_consent_at is None and kept.status == "awaiting_guardian"

    def test_a_copied_value_the_kept_record_refuses_is_left_out(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        kept = VolunteerFactory(region=almaty, birth_date=datetime.date(1990, 1, 1), phone="+77050000001")
        dropped = VolunteerFactory(region=almaty, birth_date=IIN_BIRTH, iin=IIN, phone="+77050000001")
        services.volunteer_merge(keep=kept, drop=dropped, by=alice)
        kept.refresh_from_db()
        # The IIN says another birth date: it does not belong with the kept record's date.
        assert kept.iin is None and kept.birth_date == datetime.date(1990, 1, 1)
        assert not Volunteer.objects.filter(iin_hash=iin_digest(IIN)).exists()

    def test_a_detachment_joins_the_kept_record_only_from_its_own_region(self, nora, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        school = DetachmentFactory(region=almaty)
        kept = VolunteerFactory(region=astana, phone="+77050000001")
        services.volunteer_merge(
            keep=kept, drop=VolunteerFactory(region=almaty, detachment=school, phone="+77050000001"), by=nora
        )
        kept.refresh_from_db()
        assert kept.detachment is None
        nearby = VolunteerFactory(region=almaty, phone="+77050000002")
        services.volunteer_merge(
            keep=nearby,
            drop=VolunteerFactory(region=almaty, detachment=school, phone="+77050000002"),
            by=nora,
        )
        nearby.refresh_from_db()
        assert nearby.detachment == school

    def test_the_iin_kept_off_a_registration_joins_the_record(self, alice, almaty, walk_in) -> None:  # type: ignore[no-untyped-def]
        holder = VolunteerFactory(region=almaty, birth_date=IIN_BIRTH, iin=IIN)
        newcomer = VolunteerFactory(region=almaty, birth_date=IIN_BIRTH, with_account=True)
        services.volunteer_merge(keep=newcomer, drop=holder, by=alice)
        newcomer.refresh_from_db()
        assert newcomer.iin == IIN

    def test_both_with_an_account_is_refused_and_nothing_changes(self, alice, almaty, registered) -> None:  # type: ignore[no-untyped-def]
        other = VolunteerFactory(region=almaty, with_account=True, phone=registered.phone)
        flag = _pair(registered, other)
        response = client_for(alice).post(f"/roster/duplicates/{flag.pk}/merge/", {"keep": registered.pk})
        assert response.status_code == 200
        assert "Both records have an account" in " ".join(response.context["form"].non_field_errors())
        assert Volunteer.objects.filter(pk__in=[registered.pk, other.pk]).count() == 2
        flag.refresh_from_db()
        assert flag.resolved_at is None
        page = client_for(alice).get(f"/roster/duplicates/{flag.pk}/merge/").content.decode()
        assert 'id="both-accounts"' in page and 'id="merge-form"' not in page

    def test_an_erased_record_is_not_merged(self, alice, almaty, walk_in) -> None:  # type: ignore[no-untyped-def]
        erased = VolunteerFactory(region=almaty)
        services.volunteer_anonymize(volunteer=erased, requested_by=None)
        with pytest.raises(ValidationError) as exc:
            services.volunteer_merge(keep=walk_in, drop=erased, by=alice)
        assert exc.value.code == "anonymised"
        with pytest.raises(ValidationError):
            services.volunteer_merge(keep=erased, drop=walk_in, by=alice)
        assert Volunteer.objects.filter(pk__in=[walk_in.pk, erased.pk]).count() == 2

    def test_the_dropped_records_other_pairs_become_the_kept_ones(
        self, alice, almaty, walk_in, registered
    ) -> None:  # type: ignore[no-untyped-def]
        services.possible_duplicates_flag(volunteer=registered)  # registered ~ walk_in (phone)
        third = VolunteerFactory(region=almaty, email="nurlan@example.kz")
        fourth = VolunteerFactory(region=almaty, phone=walk_in.phone)
        services.possible_duplicates_flag(volunteer=third)  # third ~ registered (e-mail)
        services.possible_duplicates_flag(volunteer=fourth)  # fourth ~ walk_in and registered (phone)
        dismissed = PossibleDuplicate.objects.get(volunteer=third)
        services.possible_duplicate_dismiss(flag=dismissed, by=alice)
        flag = PossibleDuplicate.objects.get(volunteer=registered, existing=walk_in)
        services.volunteer_merge(keep=walk_in, drop=registered, by=alice)
        pairs = {
            (f.volunteer_id, f.existing_id): f.resolution
            for f in PossibleDuplicate.objects.exclude(pk=flag.pk)
        }
        # third ~ walk_in takes the decision made for third ~ registered; fourth's two pairs are one.
        assert pairs == {(third.pk, walk_in.pk): "not_duplicate", (fourth.pk, walk_in.pk): ""}

    def test_merging_a_record_with_itself_is_refused(self, alice, walk_in) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.volunteer_merge(keep=walk_in, drop=walk_in, by=alice)
        assert exc.value.code == "same"

    def test_a_pair_already_merged_tells_so(self, alice, walk_in, registered) -> None:  # type: ignore[no-untyped-def]
        flag = _pair(walk_in, registered)
        client = client_for(alice)
        assert client.post(f"/roster/duplicates/{flag.pk}/merge/", {"keep": walk_in.pk}).status_code == 302
        for response in (
            client_for(alice).get(f"/roster/duplicates/{flag.pk}/merge/"),
            client_for(alice).post(f"/roster/duplicates/{flag.pk}/merge/", {"keep": registered.pk}),
        ):
            assert response.status_code == 302 and response.url == "/roster/duplicates/"
            assert _messages(response) == ["This pair has already been dealt with."]
        assert VolunteerChange.objects.filter(action="merge").count() == 1

    def test_a_bad_choice_is_a_field_error(self, alice, walk_in, registered, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        flag = _pair(walk_in, registered)
        for keep in (astana_volunteer.pk, "x", ""):
            response = client_for(alice).post(f"/roster/duplicates/{flag.pk}/merge/", {"keep": keep})
            assert response.status_code == 200 and "keep" in response.context["form"].errors
        assert Volunteer.objects.filter(pk__in=[walk_in.pk, registered.pk]).count() == 2

    def test_an_edit_of_the_record_merged_meanwhile_is_told_not_an_error_page(
        self, alice, walk_in, registered
    ) -> None:  # type: ignore[no-untyped-def]
        stale = Volunteer.objects.get(pk=registered.pk)  # the edit form was opened before the merge
        services.volunteer_merge(keep=walk_in, drop=registered, by=alice)
        with pytest.raises(ValidationError) as exc:
            services.volunteer_update(volunteer=stale, changed_by=alice, data={"locality": "Есік"})
        assert exc.value.code == "gone"
        walk_in.refresh_from_db()
        assert walk_in.locality == "Қаскелең"

    def test_the_detail_page_points_to_the_pair(self, alice, walk_in, registered) -> None:  # type: ignore[no-untyped-def]
        flag = _pair(walk_in, registered)
        page = client_for(alice).get(f"/roster/{walk_in.pk}/").content.decode()
        assert f'href="/roster/duplicates/{flag.pk}/merge/"' in page


# A model of another app that refers to volunteers, as the events app's sign-ups will: the merge
# must carry its rows over without knowing it.


@pytest.fixture
def signup_model(db) -> Iterator[tuple[type[models.Model], ...]]:  # type: ignore[no-untyped-def]
    class Signup(models.Model):  # noqa: DJ008
        volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="test_signups")
        shift = models.CharField(max_length=20)
        hours = models.PositiveSmallIntegerField(default=0)

        class Meta:
            app_label = "volunteers"
            constraints = [
                models.UniqueConstraint(fields=["volunteer", "shift"], name="test_one_signup_per_shift")
            ]

    class Note(models.Model):  # noqa: DJ008
        # related_name "+": not in Volunteer._meta.related_objects, moved all the same.
        volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="+")
        text = models.CharField(max_length=50)

        class Meta:
            app_label = "volunteers"

    class Payout(models.Model):  # noqa: DJ008
        # A row that may not be deleted while it refers to a sign-up.
        signup = models.ForeignKey(Signup, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "volunteers"

    # PostgreSQL's DDL is transactional: the tables go with the test's transaction.
    with connection.schema_editor() as editor:
        for model in (Signup, Note, Payout):
            editor.create_model(model)
    try:
        yield Signup, Note, Payout
    finally:
        for model in (Signup, Note, Payout):
            del apps.all_models["volunteers"][model._meta.model_name]
        apps.clear_cache()


@pytest.mark.django_db
def test_rows_of_other_apps_move_and_the_kept_records_own_row_wins_a_clash(
    signup_model, alice, almaty
) -> None:  # type: ignore[no-untyped-def]
    Signup, Note, _payout = signup_model
    kept = VolunteerFactory(region=almaty)
    dropped = VolunteerFactory(region=almaty)
    Signup.objects.create(volunteer=kept, shift="tree-planting", hours=2)
    Signup.objects.create(volunteer=kept, shift="food-bank", hours=4)
    Signup.objects.create(volunteer=dropped, shift="tree-planting", hours=5)  # the same shift twice
    Signup.objects.create(volunteer=dropped, shift="marathon", hours=3)
    Note.objects.create(volunteer=dropped, text="брал жилет")

    services.volunteer_merge(keep=kept, drop=dropped, by=alice)

    hours = dict(Signup.objects.filter(volunteer=kept).values_list("shift", "hours"))
    assert hours == {"tree-planting": 2, "food-bank": 4, "marathon": 3}
    assert Signup.objects.count() == 3
    assert Note.objects.get().volunteer_id == kept.pk


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_merging_one_pair_at_once(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Each keeps a different record (the order most likely to deadlock): one merge happens,
    the other coordinator is told the pair was dealt with; nobody gets a 500."""
    almaty = Region.objects.get(code="75")
    coordinators = [UserFactory(), UserFactory()]
    for user in coordinators:
        CoordinatorAssignment.objects.create(user=user, region=almaty)
    first = VolunteerFactory(region=almaty, phone="+77050000001", locality="Талғар")
    second = VolunteerFactory(region=almaty, phone="+77050000001", with_account=True, locality="")
    services.possible_duplicates_flag(volunteer=second)
    flag = PossibleDuplicate.objects.get()
    clients = []
    for user in coordinators:
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = "en"
        clients.append(client)
    barrier = threading.Barrier(2)
    results: list[tuple[int, list[str]]] = []

    def merge(client: Client, keep: Volunteer) -> None:
        try:
            barrier.wait(timeout=10)
            response = client.post(f"/roster/duplicates/{flag.pk}/merge/", {"keep": keep.pk})
            results.append((response.status_code, _messages(response)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=merge, args=(clients[0], first)),
        threading.Thread(target=merge, args=(clients[1], second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert [status for status, _ in results] == [302, 302]
    messages = sorted(m for _, ms in results for m in ms)
    merged = [m for m in messages if m.startswith("The records have been merged")]
    told = [
        m
        for m in messages
        if m.startswith(("These records have already been merged", "This pair has already been dealt with"))
    ]
    assert len(merged) == 1 and len(told) == 1, messages
    remaining = Volunteer.objects.get()
    assert remaining.pk in (first.pk, second.pk)
    # Whichever stayed, it has the account and the walk-in's locality.
    assert remaining.user is not None and remaining.locality == "Талғар"
    assert VolunteerChange.objects.filter(action="merge").count() == 1
    flag.refresh_from_db()
    assert flag.resolution == "merged"
    assert Detachment.objects.count() == 0  # nothing else was touched


@pytest.mark.django_db
def test_a_clashing_row_that_may_not_be_removed_stops_the_merge_whole(signup_model, alice, almaty) -> None:  # type: ignore[no-untyped-def]
    Signup, _note, Payout = signup_model
    kept = VolunteerFactory(region=almaty, locality="")
    dropped = VolunteerFactory(region=almaty, locality="Есік")
    Signup.objects.create(volunteer=kept, shift="tree-planting", hours=2)
    Payout.objects.create(signup=Signup.objects.create(volunteer=dropped, shift="tree-planting", hours=5))
    with pytest.raises(ValidationError) as exc:
        services.volunteer_merge(keep=kept, drop=dropped, by=alice)
    assert exc.value.code == "protected"
    # Nothing of the merge is left half done.
    assert Volunteer.objects.filter(pk__in=[kept.pk, dropped.pk]).count() == 2
    kept.refresh_from_db()
    assert kept.locality == "" and not kept.changes.filter(action="merge").exists()
    assert Signup.objects.filter(volunteer=dropped).count() == 1

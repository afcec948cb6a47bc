"""Staff erase a person's data on their request (law 94-V), from the roster's person page: a
confirmation page that asks how the request came, then the erasure, recorded in the audit trail
without the person's data. For people without an account (walk-ins, detachment members, imported
people) it is the only way; an account, where there is one, goes too."""

from __future__ import annotations

import html
import json

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, User
from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, UserFactory, VolunteerFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BASIS = "Written application No. 12 of 3 March"


def _walk_in(region):  # type: ignore[no-untyped-def]
    return VolunteerFactory(
        region=region,
        last_name="Жұмабекова",
        first_name="Сәуле",
        phone="+77015559911",
        email="saule.zh@example.kz",
    )


def _erase_url(volunteer: Volunteer) -> str:
    return reverse("roster:erase", args=[volunteer.pk])


def _erased_entries(volunteer: Volunteer):  # type: ignore[no-untyped-def]
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.ERASED, subject_type="volunteers.volunteer", subject_id=str(volunteer.pk)
    )


class TestErasurePages:
    def test_coordinator_erases_a_walk_in_through_the_two_pages(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = _walk_in(almaty)
        client = client_for(alice)
        detail = client.get(reverse("roster:detail", args=[person.pk]), **EN).content.decode()
        assert f'href="{_erase_url(person)}"' in detail

        page = client.get(_erase_url(person), **EN)
        assert page.status_code == 200
        text = html.unescape(page.content.decode())
        assert "Жұмабекова" in text  # the person to be erased, named to be sure it is the right one
        assert 'id="erase-kept"' in text and "Volunteer hours stay counted" in text
        # Everything the erasure reaches is named before it is confirmed: the notes on transport,
        # visits and help, and the name on certificates, as well as the profile itself.
        assert "Pickup addresses and notes on transport requests" in text
        assert "The holder's name on certificates of hours" in text
        assert 'id="erase-account"' not in text  # a walk-in has no account
        assert 'name="basis"' in text and 'name="confirm"' in text

        response = client.post(_erase_url(person), {"basis": BASIS, "confirm": "on"}, follow=True, **EN)
        assert response.redirect_chain[-1][0] == reverse("roster:detail", args=[person.pk])
        shown = html.unescape(response.content.decode())
        assert "The person's personal data has been erased" in shown
        assert "Anonymised volunteer" in shown
        assert "Жұмабекова" not in shown and "Сәуле" not in shown
        # No trace of +7 701 555 99 11, however it would be written, nor of the e-mail.
        assert not any(part in shown for part in ("9911", "99 11", "99-11", "saule.zh"))
        # Erased: read-only from now on, no second erasure offered.
        assert f'href="{_erase_url(person)}"' not in shown
        assert f'href="{reverse("roster:edit", args=[person.pk])}"' not in shown

        person.refresh_from_db()
        assert person.anonymized_at is not None and person.status == Volunteer.Status.ARCHIVED
        assert (person.last_name, person.phone, person.email) == ("", "", "")
        assert person.region_id == almaty.pk and person.birth_year is not None

    def test_the_audit_entry_says_who_why_and_nothing_of_the_person(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = _walk_in(almaty)
        client_for(alice).post(_erase_url(person), {"basis": BASIS, "confirm": "on"})
        entry = _erased_entries(person).get()
        assert entry.actor == alice and entry.region_code == almaty.code
        assert entry.detail["basis"] == BASIS and entry.detail["reason"] == "request"
        assert entry.detail["account_deleted"] is False
        stored = json.dumps(entry.detail, ensure_ascii=False) + str(entry)
        for value in ("Жұмабекова", "Сәуле", "9911", "saule.zh"):
            assert value not in stored
        # The person's page lists the erasure in its trail.
        page = client_for(alice).get(reverse("roster:detail", args=[person.pk]), **EN).content.decode()
        assert "erased personal data" in page

    def test_a_person_with_an_account_loses_it_and_is_told_so_first(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        user_id = bob.user_id
        client = client_for(nora)
        page = html.unescape(client.get(_erase_url(bob), **EN).content.decode())
        assert 'id="erase-account"' in page and "will be deleted too" in page
        response = client.post(_erase_url(bob), {"basis": "Letter by e-mail, ref. 2026/41", "confirm": "on"})
        assert response.status_code == 302
        bob.refresh_from_db()
        assert bob.anonymized_at is not None and bob.user_id is None
        assert not User.objects.filter(pk=user_id).exists()
        assert _erased_entries(bob).get().detail["account_deleted"] is True

    def test_a_detachment_member_can_be_erased_by_the_regions_coordinator(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        member = MinorFactory(region=almaty, detachment=DetachmentFactory(region=almaty))
        response = client_for(alice).post(_erase_url(member), {"basis": BASIS, "confirm": "on"})
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.anonymized_at is not None
        assert member.guardian_name == "" and member.detachment_id is None

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"basis": BASIS}, "confirm"),
            ({"confirm": "on"}, "basis"),
            ({"basis": "   ", "confirm": "on"}, "basis"),
            ({}, "basis"),
        ],
    )
    def test_the_basis_and_the_confirmation_are_required(self, alice, almaty, data, field) -> None:  # type: ignore[no-untyped-def]
        person = _walk_in(almaty)
        response = client_for(alice).post(_erase_url(person), data, **EN)
        assert response.status_code == 200
        assert field in response.context["form"].errors
        person.refresh_from_db()
        assert person.anonymized_at is None and person.last_name == "Жұмабекова"
        assert not _erased_entries(person).exists()

    @pytest.mark.parametrize(
        "basis",
        ["Application of Жұмабекова", "call from +7 (701) 555-99-11", "mail from SAULE.ZH@example.kz"],
    )
    def test_a_basis_naming_the_person_is_refused(self, alice, almaty, basis) -> None:  # type: ignore[no-untyped-def]
        person = _walk_in(almaty)
        response = client_for(alice).post(_erase_url(person), {"basis": basis, "confirm": "on"}, **EN)
        assert response.status_code == 200
        assert "Leave out the person's name" in " ".join(response.context["form"].errors["basis"])
        person.refresh_from_db()
        assert person.anonymized_at is None
        assert not _erased_entries(person).exists()


class TestWhoMayErase:
    def test_another_regions_coordinator_gets_404_and_nothing_changes(self, charlie, almaty) -> None:  # type: ignore[no-untyped-def]
        person = _walk_in(almaty)
        client = client_for(charlie)
        assert client.get(_erase_url(person)).status_code == 404
        assert client.post(_erase_url(person), {"basis": BASIS, "confirm": "on"}).status_code == 404
        person.refresh_from_db()
        assert person.anonymized_at is None and person.last_name == "Жұмабекова"
        assert not _erased_entries(person).exists()

    def test_a_volunteer_and_a_curator_get_404(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        curator = UserFactory(email="teacher@example.kz")
        member = MinorFactory(region=almaty, detachment=DetachmentFactory(region=almaty, curator=curator))
        for user, person in ((bob.user, member), (curator, member), (bob.user, bob)):
            client = client_for(user)
            assert client.get(_erase_url(person)).status_code == 404
            assert client.post(_erase_url(person), {"basis": BASIS, "confirm": "on"}).status_code == 404
        member.refresh_from_db()
        bob.refresh_from_db()
        assert member.anonymized_at is None and bob.anonymized_at is None

    def test_anonymous_is_sent_to_log_in(self, almaty, client) -> None:  # type: ignore[no-untyped-def]
        person = _walk_in(almaty)
        for response in (client.get(_erase_url(person)), client.post(_erase_url(person), {"basis": BASIS})):
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        person.refresh_from_db()
        assert person.anonymized_at is None

    def test_an_erased_person_has_no_erasure_page(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = _walk_in(almaty)
        client = client_for(alice)
        client.post(_erase_url(person), {"basis": BASIS, "confirm": "on"})
        assert client.get(_erase_url(person)).status_code == 404
        assert client.post(_erase_url(person), {"basis": BASIS, "confirm": "on"}).status_code == 404
        assert _erased_entries(person).count() == 1
        # The person's page itself stays, read-only.
        assert client.get(reverse("roster:detail", args=[person.pk])).status_code == 200

    def test_a_second_erasure_of_the_same_person_is_refused_by_the_service(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        """Two members of staff on the same confirmation page: the second finds the work done."""
        from django.core.exceptions import ValidationError

        from volunteers import services

        person = _walk_in(almaty)
        stale = Volunteer.objects.get(pk=person.pk)
        services.volunteer_erase_on_request(volunteer=person, by=alice, basis=BASIS)
        with pytest.raises(ValidationError) as exc:
            services.volunteer_erase_on_request(volunteer=stale, by=alice, basis=BASIS)
        assert exc.value.code == "anonymised"
        assert _erased_entries(person).count() == 1

"""Nobody learns through a form whether a phone, e-mail or IIN is on file where they may not look.

A person editing their own profile is answered the same whether the IIN they type is free or
another record's (which is kept off theirs and flagged for staff), and enters it once; staff who
add someone hear of a possible duplicate only when both records are theirs to see (their regions,
their detachments' members) — national staff of any. Every such pair is flagged all the same.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from detachments.models import Detachment
from regions.models import CoordinatorAssignment, Region
from tests.conftest import client_for as _client_for
from tests.factories import DetachmentFactory, UserFactory, VolunteerFactory, iin_for, years_ago
from volunteers import services
from volunteers.crypto import iin_digest
from volunteers.models import PossibleDuplicate, Volunteer

ADULT_BIRTH = years_ago(30)
# Three IINs of one birth date: one on file in Astana, two free.
TAKEN, FREE, OTHER_FREE = (iin_for(ADULT_BIRTH, serial=s) for s in (1, 100, 200))

IIN_KEPT_OFF_WORDS = "The IIN was not saved"
SAME_CONTACT_WORDS = "Someone with the same phone or e-mail is already on file"


def client_for(user: User) -> Client:
    """Pages in English: the messages are compared below."""
    client = _client_for(user)
    client.cookies["django_language"] = "en"
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _answer(response: Any) -> tuple[int, list[str]]:
    """What the person sees: the status and the messages of the page they land on."""
    return response.status_code, _messages(response)


@pytest.fixture
def elsewhere(astana: Region) -> Volunteer:
    """Someone of another region (Astana) with a phone, an e-mail and an IIN."""
    return VolunteerFactory(
        region=astana,
        last_name="Ершова",
        phone="+77075550001",
        email="ershova@example.kz",
        birth_date=ADULT_BIRTH,
        iin=TAKEN,
    )


def _flag_of(volunteer: Volunteer) -> PossibleDuplicate | None:
    return PossibleDuplicate.objects.filter(volunteer=volunteer).first() or (
        PossibleDuplicate.objects.filter(existing=volunteer).first()
    )


# The person's own profile -------------------------------------------------------------------


def _own_edit(volunteer: Volunteer, **changes: str) -> dict[str, Any]:
    volunteer.refresh_from_db()
    data = {
        "last_name": volunteer.last_name,
        "first_name": volunteer.first_name,
        "birth_date": ADULT_BIRTH.isoformat(),
        "phone": volunteer.phone,
        "email": volunteer.email,
        "region": volunteer.region_id,
        "preferred_language": "kk",
        "preferred_channel": "email",
    }
    data.update(changes)
    return data


@pytest.fixture
def twin(almaty: Region) -> Volunteer:
    """A second volunteer of Almaty with an account, to compare answers with bob's."""
    return VolunteerFactory(region=almaty, with_account=True, last_name="Омарова", birth_date=ADULT_BIRTH)


@pytest.mark.django_db
class TestOwnProfile:
    def test_an_iin_on_file_elsewhere_is_answered_as_a_free_one(self, bob, twin, elsewhere) -> None:  # type: ignore[no-untyped-def]
        free = client_for(bob.user).post("/me/edit/", _own_edit(bob, iin=FREE, locality="Медеу"))
        taken = client_for(twin.user).post("/me/edit/", _own_edit(twin, iin=TAKEN, locality="Медеу"))

        assert _answer(taken) == _answer(free) == (302, ["Your profile has been saved."])
        assert taken.url == free.url == "/me/"
        bob.refresh_from_db()
        twin.refresh_from_db()
        elsewhere.refresh_from_db()
        assert bob.iin == FREE
        # The rest of the edit is saved; the IIN stays with the record that had it.
        assert (twin.iin, twin.locality, twin.birth_date) == (None, "Медеу", ADULT_BIRTH)
        assert elsewhere.iin == TAKEN
        flag = PossibleDuplicate.objects.get()
        assert ({flag.volunteer, flag.existing}, flag.reason) == ({twin, elsewhere}, "iin")
        assert _flag_of(bob) is None
        # Both histories say the IIN was entered, as the person's data export shows them.
        for person in (bob, twin):
            assert "iin" in person.changes.get(action="update").fields

    def test_the_iin_is_entered_once_then_it_is_read_only(self, bob, twin, elsewhere) -> None:  # type: ignore[no-untyped-def]
        client_for(bob.user).post("/me/edit/", _own_edit(bob, iin=FREE))
        client_for(twin.user).post("/me/edit/", _own_edit(twin, iin=TAKEN))
        for person, kept in ((bob, FREE), (twin, None)):
            client = client_for(person.user)
            field = client.get("/me/edit/").context["form"]["iin"]
            assert field.field.disabled
            assert "changed by staff" in str(field.help_text)
            # A second IIN posted anyway is not read: no second test of the register.
            response = client.post("/me/edit/", _own_edit(person, iin=OTHER_FREE, locality="Алатау"))
            assert _answer(response) == (302, ["Your profile has been saved."])
            person.refresh_from_db()
            assert (person.iin, person.locality) == (kept, "Алатау")
        assert not Volunteer.objects.filter(iin_hash=iin_digest(OTHER_FREE)).exists()
        assert PossibleDuplicate.objects.count() == 1

    def test_a_person_without_an_iin_may_enter_one(self, bob) -> None:  # type: ignore[no-untyped-def]
        field = client_for(bob.user).get("/me/edit/").context["form"]["iin"]
        assert not field.field.disabled

    def test_the_service_refuses_a_second_iin_from_the_person(self, bob, twin, elsewhere) -> None:  # type: ignore[no-untyped-def]
        services.volunteer_update(volunteer=twin, changed_by=twin.user, data={"iin": TAKEN})
        with pytest.raises(ValidationError) as refused:
            services.volunteer_update(volunteer=twin, changed_by=twin.user, data={"iin": FREE})
        assert [e.code for e in refused.value.error_dict["iin"]] == ["iin_locked"]
        twin.refresh_from_db()
        assert twin.iin is None

    def test_a_registrant_whose_iin_was_kept_off_cannot_try_another(self, almaty, elsewhere) -> None:  # type: ignore[no-untyped-def]
        user = services.user_register(
            email="dana@example.kz",
            password="x-strong-pass-1",
            profile={
                "last_name": "Серікова",
                "first_name": "Дана",
                "birth_date": ADULT_BIRTH,
                "phone": "8 701 555 44 33",
                "region": almaty,
                "iin": TAKEN,
            },
            language="kk",
        )
        assert user is not None
        User.objects.filter(pk=user.pk).update(is_active=True)
        client = client_for(user)
        assert client.get("/me/edit/").context["form"]["iin"].field.disabled
        client.post("/me/edit/", _own_edit(Volunteer.objects.get(user=user), iin=FREE))
        assert Volunteer.objects.get(user=user).iin is None

    def test_staff_editing_their_own_record_are_answered_as_anyone(self, alice, almaty, elsewhere) -> None:  # type: ignore[no-untyped-def]
        own = VolunteerFactory(region=almaty, user=alice, email=alice.email, birth_date=ADULT_BIRTH)
        data = _own_edit(own, iin=TAKEN, status="active")
        response = client_for(alice).post(f"/roster/{own.pk}/edit/", data)
        assert _answer(response) == (302, ["The volunteer's profile has been saved."])
        own.refresh_from_db()
        assert own.iin is None and _flag_of(own) is not None


# Staff adding someone ------------------------------------------------------------------------


@pytest.fixture
def curator(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(email="teacher@example.kz")


@pytest.fixture
def detachment(almaty: Region, curator: User) -> Detachment:
    return DetachmentFactory(region=almaty, curator=curator)


def _walk_in(almaty: Region, **extra: str) -> dict[str, Any]:
    return {
        "last_name": "Тоқтаров",
        "first_name": "Нұрлан",
        "birth_date": ADULT_BIRTH.isoformat(),
        "phone": "+7 747 123 45 67",
        "region": almaty.pk,
        "preferred_language": "kk",
        "preferred_channel": "sms",
        "status": "active",
        "own_document_number": "А-105",
        **extra,
    }


def _member(**extra: str) -> dict[str, Any]:
    return {
        "last_name": "Тоқтаров",
        "first_name": "Нұрлан",
        "birth_date": ADULT_BIRTH.isoformat(),
        "phone": "+7 747 123 45 67",
        "preferred_language": "kk",
        "preferred_channel": "sms",
        **extra,
    }


def _add(door: str, user: User, almaty: Region, detachment: Detachment, **values: str) -> Any:
    if door == "roster":
        return client_for(user).post("/roster/new/", _walk_in(almaty, **values))
    return client_for(user).post(f"/detachments/{detachment.pk}/members/new/", _member(**values))


DOORS = ["roster", "detachment"]


@pytest.fixture
def staff(request: Any, alice: User, curator: User) -> User:
    return {"roster": alice, "detachment": curator}[request.param]


@pytest.mark.django_db
class TestStaffAddingSomeone:
    @pytest.mark.parametrize(
        ("staff", "door"), [(door, door) for door in DOORS], indirect=["staff"], ids=DOORS
    )
    @pytest.mark.parametrize(
        ("elsewhere_value", "free_value"),
        [
            ({"phone": "+7 707 555 00 01"}, {"phone": "+7 707 555 00 99"}),
            ({"email": "Ershova@example.kz"}, {"email": "nobody@example.kz"}),
            ({"iin": TAKEN}, {"iin": FREE}),
        ],
        ids=["phone", "email", "iin"],
    )
    def test_a_value_on_file_in_another_region_is_answered_as_a_free_one(  # type: ignore[no-untyped-def]
        self, staff, door, elsewhere_value, free_value, almaty, detachment, elsewhere, nora
    ) -> None:
        free = _add(door, staff, almaty, detachment, **free_value)
        added_free = Volunteer.objects.get(last_name="Тоқтаров")
        added_free.delete()
        taken = _add(door, staff, almaty, detachment, **elsewhere_value)
        added = Volunteer.objects.get(last_name="Тоқтаров")

        assert _answer(taken) == _answer(free)
        assert taken.status_code == 302 and len(_messages(taken)) == 1
        # The record is whole but for an IIN that is another's; the other record is untouched.
        assert added.iin is None and added.region == almaty
        assert added.phone == ("+77075550001" if "phone" in elsewhere_value else "+77471234567")
        elsewhere.refresh_from_db()
        assert (elsewhere.iin, elsewhere.phone) == (TAKEN, "+77075550001")
        # Flagged for those who see both: national staff, not the region's coordinator.
        flag = PossibleDuplicate.objects.get()
        assert (flag.volunteer, flag.existing) == (added, elsewhere)
        assert flag.reason == next(iter(elsewhere_value))
        nora_list = client_for(nora).get("/roster/duplicates/").context["page"].object_list
        assert [f.pk for f in nora_list] == [flag.pk]

    @pytest.mark.parametrize(
        ("staff", "door"), [(door, door) for door in DOORS], indirect=["staff"], ids=DOORS
    )
    def test_an_iin_of_another_region_is_kept_off_without_a_word(  # type: ignore[no-untyped-def]
        self, staff, door, almaty, detachment, elsewhere
    ) -> None:
        response = _add(door, staff, almaty, detachment, iin=TAKEN)
        added = Volunteer.objects.get(last_name="Тоқтаров")
        assert added.iin is None and added.phone == "+77471234567" and added.region == almaty
        assert not any(IIN_KEPT_OFF_WORDS in m or SAME_CONTACT_WORDS in m for m in _messages(response))


@pytest.mark.django_db
class TestStaffHearOfTheirOwn:
    def test_a_coordinator_hears_of_a_phone_and_an_iin_of_their_region(self, alice, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = client_for(alice).post("/roster/new/", _walk_in(almaty, phone=bob.phone))
        assert any(SAME_CONTACT_WORDS in m and "overview" in m for m in _messages(response))
        holder = VolunteerFactory(region=almaty, birth_date=ADULT_BIRTH, iin=TAKEN)
        response = client_for(alice).post(
            "/roster/new/", _walk_in(almaty, last_name="Екінші", phone="+7 747 000 00 02", iin=TAKEN)
        )
        assert any(IIN_KEPT_OFF_WORDS in m for m in _messages(response))
        holder.refresh_from_db()
        assert holder.iin == TAKEN and Volunteer.objects.get(last_name="Екінші").iin is None

    def test_a_coordinator_of_both_regions_hears_of_either(self, alice, almaty, astana, elsewhere) -> None:  # type: ignore[no-untyped-def]
        CoordinatorAssignment.objects.create(user=alice, region=astana)
        response = client_for(alice).post("/roster/new/", _walk_in(almaty, iin=TAKEN))
        assert any(IIN_KEPT_OFF_WORDS in m for m in _messages(response))

    def test_national_staff_hear_of_any_region(self, nora, almaty, elsewhere) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).post("/roster/new/", _walk_in(almaty, phone="+7 707 555 00 01"))
        assert any(SAME_CONTACT_WORDS in m for m in _messages(response))
        response = client_for(nora).post(
            "/roster/new/", _walk_in(almaty, last_name="Екінші", phone="+7 747 000 00 02", iin=TAKEN)
        )
        assert any(IIN_KEPT_OFF_WORDS in m for m in _messages(response))

    def test_a_curator_hears_of_their_own_members_only(self, curator, almaty, detachment) -> None:  # type: ignore[no-untyped-def]
        member = VolunteerFactory(region=almaty, detachment=detachment, phone="+77020000001")
        # In the detachment's region, but no member of it: not the curator's to know of.
        VolunteerFactory(region=almaty, phone="+77020000002", email="neighbour@example.kz")
        url = f"/detachments/{detachment.pk}/members/new/"
        own = client_for(curator).post(url, _member(phone=member.phone))
        assert any(SAME_CONTACT_WORDS in m and "a coordinator will check" in m for m in _messages(own))
        other = client_for(curator).post(url, _member(last_name="Екінші", phone="+77020000002"))
        assert _messages(other) == ["The member has been added to the detachment."]
        assert PossibleDuplicate.objects.count() == 2


# Staff editing a record ----------------------------------------------------------------------


@pytest.mark.django_db
class TestStaffEditing:
    def test_national_staff_are_told_an_iin_is_taken_and_nothing_is_saved(self, nora, bob, elsewhere) -> None:  # type: ignore[no-untyped-def]
        client = client_for(nora)
        form = client.get(f"/roster/{bob.pk}/edit/").context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None and k != "skills"}
        data.update(
            {"birth_date": ADULT_BIRTH.isoformat(), "iin": TAKEN, "locality": "Алатау", "languages": []}
        )
        response = client.post(f"/roster/{bob.pk}/edit/", data)
        assert response.status_code == 200
        assert response.context["form"].errors["iin"] == ["A volunteer with this IIN is already registered."]
        bob.refresh_from_db()
        assert (bob.iin, bob.locality) == (None, "Алматы")
        assert not PossibleDuplicate.objects.exists()

    def test_staff_who_may_not_know_the_holder_have_the_iin_kept_off(self, alice, almaty, elsewhere) -> None:  # type: ignore[no-untyped-def]
        walk_in = VolunteerFactory(region=almaty, birth_date=ADULT_BIRTH)
        changed = services.volunteer_update(
            volunteer=walk_in, changed_by=alice, data={"iin": TAKEN, "locality": "Алатау"}
        )
        assert set(changed) == {"iin", "locality"}
        walk_in.refresh_from_db()
        assert (walk_in.iin, walk_in.locality) == (None, "Алатау")
        assert _flag_of(walk_in) is not None

    def test_a_coordinator_is_told_of_an_iin_in_their_region(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty, birth_date=ADULT_BIRTH, iin=TAKEN)
        walk_in = VolunteerFactory(region=almaty, birth_date=ADULT_BIRTH)
        with pytest.raises(ValidationError) as refused:
            services.volunteer_update(volunteer=walk_in, changed_by=alice, data={"iin": TAKEN})
        assert "iin" in refused.value.error_dict

    @pytest.mark.parametrize("door", ["roster", "detachment"])
    def test_a_birth_date_the_unseen_iin_no_longer_matches_is_the_dates_error(  # type: ignore[no-untyped-def]
        self, door, alice, almaty, detachment
    ) -> None:
        person = VolunteerFactory(region=almaty, detachment=detachment, birth_date=ADULT_BIRTH, iin=FREE)
        data = _own_edit(person, birth_date="1990-01-01", status="active")
        url = (
            f"/roster/{person.pk}/edit/"
            if door == "roster"
            else f"/detachments/{detachment.pk}/members/{person.pk}/edit/"
        )
        response = client_for(alice).post(url, data)
        assert response.status_code == 200
        form = response.context["form"]
        assert "iin" not in form.fields
        assert [e.code for e in form.errors.as_data()["birth_date"]] == ["iin_birth_date"]
        person.refresh_from_db()
        assert (person.birth_date, person.iin) == (ADULT_BIRTH, FREE)

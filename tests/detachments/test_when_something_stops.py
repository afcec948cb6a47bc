"""When a detachment loses its curator (the coordinator empties the curator's address) while it
has pupils and goes, as a whole, to open help requests: the ex-curator loses the pupils, their
guardians and the beneficiaries' addresses at once, and the requests need someone again — pupils
never go without their curator."""

from __future__ import annotations

from typing import Any

import pytest

from care import services as care_services
from care.models import Assignment, HelpRequest
from notifications.models import Message
from tests.care.factories import BeneficiaryFactory, HelpRequestFactory, in_days
from tests.conftest import client_for
from tests.factories import MinorFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "Жандосов көшесі, 58, пәтер 17"
GUARDIAN = "Бекова Гүлжан"


@pytest.fixture
def pupil(almaty, detachment):  # type: ignore[no-untyped-def]
    return MinorFactory(region=almaty, detachment=detachment, guardian_name=GUARDIAN)


@pytest.fixture
def going(alice, detachment):  # type: ignore[no-untyped-def]
    """The detachment (four with its curator) confirmed on an open request, and the curator
    already told."""
    request = HelpRequestFactory(
        beneficiary=BeneficiaryFactory(address=ADDRESS),
        kind=HelpRequest.Kind.SNOW,
        due_from=in_days(2),
        due_until=in_days(2, hour=13),
        needed_hands=5,
        adults_only=False,
    )
    assignment = care_services.assignment_detachment(
        request=request, detachment=detachment, hands=4, curator_going=True, by=alice
    )
    Message.objects.update(status=Message.Status.SENT)
    return request, assignment


def remove_curator(coordinator: Any, detachment: Any) -> Any:
    """The coordinator empties the curator's address on the detachment's form."""
    return edit(coordinator, detachment, curator_email="")


def pending_to(email: str) -> list[Message]:
    return list(Message.objects.filter(recipient_email=email, status=Message.Status.PENDING))


class TestCuratorRemoved:
    def test_the_ex_curator_loses_pupils_guardians_and_addresses_at_once(  # type: ignore[no-untyped-def]
        self, alice, curator, detachment, pupil, going
    ) -> None:
        request, _assignment = going
        client = client_for(curator)
        assert (
            GUARDIAN in client.get(f"/detachments/{detachment.pk}/members/{pupil.pk}/edit/").content.decode()
        )
        assert ADDRESS in client.get(f"/care/requests/{request.pk}/").content.decode()

        assert remove_curator(alice, detachment).status_code == 302

        assert client.get(f"/detachments/{detachment.pk}/").status_code == 404
        assert client.get(f"/detachments/{detachment.pk}/members/{pupil.pk}/edit/").status_code == 404
        assert (
            client.get(f"/detachments/{detachment.pk}/members/{pupil.pk}/guardian-consent/").status_code
            == 404
        )
        page = client.get(f"/care/requests/{request.pk}/")
        assert ADDRESS not in page.content.decode()
        api = client.get(f"/api/care/requests/{request.pk}/")
        assert api.status_code == 404 or api.json()["contact"] is None

    def test_its_open_requests_need_someone_again_and_the_coordinators_are_told(  # type: ignore[no-untyped-def]
        self, alice, curator, detachment, going
    ) -> None:
        request, assignment = going

        assert remove_curator(alice, detachment).status_code == 302

        request.refresh_from_db()
        assignment.refresh_from_db()
        assert assignment.status == Assignment.Status.WITHDRAWN
        assert (request.status, request.taken_hands, request.free_hands) == ("new", 0, 5)
        # The coordinator can send a volunteer or another detachment in its place.
        page = client_for(alice).get("/care/requests/?status=new")
        assert page.status_code == 200
        told = pending_to("alice@example.kz")
        assert [m.subject_type for m in told] == ["care.request"]
        # The ex-curator hears, once, that the pupils need not go.
        assert len(pending_to("teacher@example.kz")) == 1
        # Saving the form again (nothing changed) tells nobody anew.
        assert remove_curator(alice, detachment).status_code == 302
        assert len(pending_to("alice@example.kz")) == 1
        assert len(pending_to("teacher@example.kz")) == 1

    def test_help_already_given_keeps_its_hours(self, alice, curator, detachment, going) -> None:  # type: ignore[no-untyped-def]
        request, assignment = going
        HelpRequest.objects.filter(pk=request.pk).update(due_from=in_days(0, hour=0))
        care_services.assignment_done(assignment=assignment, hours="2", note="", by=curator)

        assert remove_curator(alice, detachment).status_code == 302

        assignment.refresh_from_db()
        request.refresh_from_db()
        assert (assignment.status, str(assignment.hours), request.status) == ("done", "2.00", "done")
        assert pending_to("alice@example.kz") == []
        # The pages of the request and of the detachment, now without a curator, still open.
        assert client_for(alice).get(f"/care/requests/{request.pk}/").status_code == 200
        assert client_for(alice).get(f"/detachments/{detachment.pk}/").status_code == 200
        assert client_for(alice).get("/care/requests/?status=all").status_code == 200


def edit(user: Any, detachment: Any, **changes: Any) -> Any:
    data = {
        "school_name": detachment.school_name,
        "school_number": detachment.school_number,
        "locality": detachment.locality,
        "region": detachment.region_id,
        "latitude": detachment.latitude or "",
        "longitude": detachment.longitude or "",
        "curator_email": detachment.curator.email if detachment.curator_id else "",
    }
    data.update(changes)
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client.post(f"/detachments/{detachment.pk}/edit/", data)


class TestMovedToAnotherRegion:
    """A detachment's pupils and the help it goes to belong to its region: moved elsewhere, the
    pupils would stay behind with a detachment of another region, read by its curator there."""

    def test_a_detachment_with_pupils_does_not_move(self, nora, astana, detachment, pupil) -> None:  # type: ignore[no-untyped-def]
        response = edit(nora, detachment, region=astana.pk, latitude="", longitude="")
        assert response.status_code == 200
        assert [e.code for e in response.context["form"].errors.as_data()["region"]] == ["has_members"]
        detachment.refresh_from_db()
        assert detachment.region.code == "75"

    def test_a_detachment_going_to_help_does_not_move(self, nora, astana, detachment, going) -> None:  # type: ignore[no-untyped-def]
        _request, assignment = going
        response = edit(nora, detachment, region=astana.pk, latitude="", longitude="")
        assert response.status_code == 200
        assert [e.code for e in response.context["form"].errors.as_data()["region"]] == ["goes_to_help"]
        assignment.refresh_from_db()
        assert assignment.status == Assignment.Status.CONFIRMED

    def test_an_empty_detachment_moves(self, nora, astana, detachment) -> None:  # type: ignore[no-untyped-def]
        assert edit(nora, detachment, region=astana.pk, latitude="", longitude="").status_code == 302
        detachment.refresh_from_db()
        assert detachment.region.code == "71"


class TestCuratorAccountDeleted:
    def test_its_requests_need_someone_again_and_nothing_goes_to_the_deleted_address(  # type: ignore[no-untyped-def]
        self, alice, curator, detachment, going
    ) -> None:
        from volunteers.services import account_delete

        request, assignment = going
        account_delete(user=curator)

        detachment.refresh_from_db()
        request.refresh_from_db()
        assignment.refresh_from_db()
        assert detachment.curator is None
        assert assignment.status == Assignment.Status.WITHDRAWN
        assert (request.status, request.taken_hands) == ("new", 0)
        assert len(pending_to("alice@example.kz")) == 1
        assert pending_to("teacher@example.kz") == []


class TestCuratorAccountDeactivated:
    """National staff remove an account by deactivating it in the admin (none is deleted there)."""

    def test_its_requests_need_someone_again_and_nothing_goes_to_the_closed_address(  # type: ignore[no-untyped-def]
        self, alice, nora, curator, detachment, going
    ) -> None:
        request, assignment = going
        client = client_for(nora, password_confirmed=True)
        url = f"/admin/accounts/user/{curator.pk}/change/"
        page = client.get(url)
        form = page.context["adminform"].form
        data = {name: form[name].value() for name in form.fields if name not in ("is_active", "password")}
        for formset in (inline.formset for inline in page.context["inline_admin_formsets"]):
            data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        data = {name: ("" if value is None else value) for name, value in data.items()}
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors

        curator.refresh_from_db()
        detachment.refresh_from_db()
        request.refresh_from_db()
        assignment.refresh_from_db()
        assert not curator.is_active and detachment.curator is None
        assert assignment.status == Assignment.Status.WITHDRAWN
        assert (request.status, request.taken_hands) == ("new", 0)
        assert len(pending_to("alice@example.kz")) == 1
        assert pending_to("teacher@example.kz") == []

    def test_other_saves_of_the_account_change_nothing(self, curator, detachment, going) -> None:  # type: ignore[no-untyped-def]
        _request, assignment = going
        curator.full_name = "Мұғалім Әлия"
        curator.save()
        detachment.refresh_from_db()
        assignment.refresh_from_db()
        assert detachment.curator == curator and assignment.status == Assignment.Status.CONFIRMED


class TestCuratorReplaced:
    def test_the_new_curator_leads_the_pupils_and_is_told_where_they_go(  # type: ignore[no-untyped-def]
        self, alice, curator, detachment, going
    ) -> None:
        from detachments import services

        request, assignment = going
        successor = UserFactory(email="new.teacher@example.kz")
        invitation = services.curator_invite(detachment=detachment, email=successor.email, by=alice)
        services.curator_invitation_accept(invitation=invitation, user=successor)

        # The detachment still goes, now with its new curator, who alone of the two reads the address.
        request.refresh_from_db()
        assignment.refresh_from_db()
        assert (assignment.status, request.status, request.taken_hands) == ("confirmed", "assigned", 4)
        assert ADDRESS not in client_for(curator).get(f"/care/requests/{request.pk}/").content.decode()
        assert ADDRESS in client_for(successor).get(f"/care/requests/{request.pk}/").content.decode()
        told = pending_to("new.teacher@example.kz")
        assert [(m.subject_type, m.subject_id) for m in told] == [("care.assignment", assignment.pk)]
        assert pending_to("alice@example.kz") == []

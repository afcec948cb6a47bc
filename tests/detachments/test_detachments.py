import pytest

from detachments.models import Detachment
from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, UserFactory, years_ago
from volunteers.models import Volunteer


@pytest.fixture
def curator(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="teacher@example.kz", full_name="Мұғалім")


@pytest.fixture
def detachment(almaty, curator):  # type: ignore[no-untyped-def]
    return DetachmentFactory(region=almaty, curator=curator, school_name="№ 25 гимназия")


def _member(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "last_name": "Бекова",
        "first_name": "Аружан",
        "birth_date": years_ago(11).isoformat(),
        "phone": "+7 702 333 22 11",
        "preferred_language": "kk",
        "preferred_channel": "sms",
        "guardian_name": "Бекова Гүлжан",
        "guardian_phone": "8 701 222 33 44",
        "guardian_relation": "mother",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestCurator:
    def test_curator_registers_member_with_consent(self, curator, detachment) -> None:  # type: ignore[no-untyped-def]
        client = client_for(curator)
        response = client.post(
            f"/detachments/{detachment.pk}/members/new/",
            _member(
                guardian_consent_received="on",
                guardian_document_number="25-3",
                guardian_document_date="2026-09-02",
            ),
        )
        assert response.status_code == 302
        member = Volunteer.objects.get(last_name="Бекова")
        assert member.detachment == detachment and member.region == detachment.region
        assert member.guardian_consent_at is not None and member.guardian_consent_recorded_by == curator
        assert member.status == Volunteer.Status.ACTIVE and member.may_take_part()
        consent = member.guardian_consents.get()
        assert (
            consent.method == "paper" and consent.document_number == "25-3" and consent.recorded_by == curator
        )

    def test_consent_box_without_its_document_is_a_field_error(self, curator, detachment) -> None:  # type: ignore[no-untyped-def]
        response = client_for(curator).post(
            f"/detachments/{detachment.pk}/members/new/", _member(guardian_consent_received="on")
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert {"guardian_document_number", "guardian_document_date"} <= set(form.errors)
        assert not Volunteer.objects.filter(last_name="Бекова").exists()

    def test_under_fourteen_without_consent_is_listed_as_needing_it(self, curator, detachment) -> None:  # type: ignore[no-untyped-def]
        client = client_for(curator)
        client.post(f"/detachments/{detachment.pk}/members/new/", _member())
        member = Volunteer.objects.get(last_name="Бекова")
        assert member.guardian_consent_at is None and not member.may_take_part()
        assert member.status == Volunteer.Status.AWAITING_GUARDIAN
        page = client.get(f"/detachments/{detachment.pk}/")
        assert member in list(page.context["members"])
        url = f"/detachments/{detachment.pk}/members/{member.pk}/guardian-consent/"
        # Without the confirmation step nothing is recorded.
        response = client.post(
            url, {"action": "record", "document_number": "7", "document_date": "2026-09-01"}
        )
        assert response.status_code == 200 and "confirm" in response.context["record_form"].errors
        member.refresh_from_db()
        assert member.guardian_consent_at is None
        response = client.post(
            url, {"action": "record", "document_number": "7", "document_date": "2026-09-01", "confirm": "on"}
        )
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.may_take_part() and member.status == Volunteer.Status.ACTIVE

    def test_member_without_guardian_is_refused_with_field_errors(self, curator, detachment) -> None:  # type: ignore[no-untyped-def]
        response = client_for(curator).post(
            f"/detachments/{detachment.pk}/members/new/", _member(guardian_name="", guardian_phone="")
        )
        assert response.status_code == 200
        assert {"guardian_name", "guardian_phone"} <= set(response.context["form"].errors)
        assert not Volunteer.objects.filter(last_name="Бекова").exists()

    def test_curator_sees_only_own_detachment(self, curator, detachment, almaty) -> None:  # type: ignore[no-untyped-def]
        other = DetachmentFactory(region=almaty)
        other_member = MinorFactory(region=almaty, detachment=other)
        client = client_for(curator)
        listing = client.get("/detachments/")
        assert list(listing.context["detachments"]) == [detachment]
        assert client.get(f"/detachments/{other.pk}/").status_code == 404
        assert client.get(f"/detachments/{other.pk}/members/{other_member.pk}/edit/").status_code == 404
        assert client.get(f"/detachments/{detachment.pk}/members/{other_member.pk}/edit/").status_code == 404
        # A curator is not a coordinator: no roster, no detachment editing.
        assert client.get("/roster/").status_code == 404
        assert client.get(f"/detachments/{detachment.pk}/edit/").status_code == 404

    def test_stranger_has_no_detachments(self, bob, detachment) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        assert client_for(bob.user).get("/detachments/").status_code == 404
        assert client_for(bob.user).get(f"/detachments/{detachment.pk}/").status_code == 404


@pytest.mark.django_db
class TestCoordinatorDetachments:
    def test_coordinator_creates_detachment_with_curator(self, alice, almaty, curator) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            "/detachments/new/",
            {
                "school_name": "Абай атындағы мектеп",
                "school_number": "12",
                "locality": "Алматы",
                "region": almaty.pk,
                "latitude": "43.2",
                "longitude": "76.9",
                "curator_email": "TEACHER@example.kz",
            },
        )
        assert response.status_code == 302
        d = Detachment.objects.get(school_name="Абай атындағы мектеп")
        assert d.curator == curator and d.region == almaty

    def test_unknown_curator_is_a_field_error(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            "/detachments/new/",
            {
                "school_name": "X",
                "locality": "Алматы",
                "region": almaty.pk,
                "curator_email": "nobody@example.kz",
            },
        )
        assert response.status_code == 200
        assert "curator_email" in response.context["form"].errors

    def test_cannot_create_in_another_region(self, alice, astana) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            "/detachments/new/", {"school_name": "X", "locality": "Астана", "region": astana.pk}
        )
        assert response.status_code == 200 and "region" in response.context["form"].errors
        assert not Detachment.objects.exists()

    def test_list_is_scoped(self, alice, charlie, detachment, astana) -> None:  # type: ignore[no-untyped-def]
        DetachmentFactory(region=astana)
        assert list(client_for(alice).get("/detachments/").context["detachments"]) == [detachment]


@pytest.mark.django_db
def test_curator_never_reads_a_members_iin(curator, detachment) -> None:  # type: ignore[no-untyped-def]
    import datetime

    member = MinorFactory(
        region=detachment.region, detachment=detachment, birth_date=datetime.date(2012, 4, 5), iin=None
    )
    from tests.factories import iin_for

    member.iin = iin_for(member.birth_date)
    member.save()
    page = client_for(curator).get(f"/detachments/{detachment.pk}/members/{member.pk}/edit/")
    assert page.status_code == 200
    assert member.iin not in page.content.decode()
    assert "iin" not in page.context["form"].fields

from decimal import Decimal

import pytest
from django.core import mail

from detachments.models import Detachment
from tests.conftest import client_for, reads_iin
from tests.factories import DetachmentFactory, MinorFactory, years_ago
from volunteers.models import Volunteer


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

    def test_a_consent_form_dated_in_the_future_is_a_field_error(self, curator, detachment) -> None:  # type: ignore[no-untyped-def]
        # Refused when recorded on the consent page; adding the member recorded it all the same,
        # and the child took part on a form "signed" in 2099.
        client = client_for(curator)
        client.cookies["django_language"] = "en"
        response = client.post(
            f"/detachments/{detachment.pk}/members/new/",
            _member(
                guardian_consent_received="on",
                guardian_document_number="25-3",
                guardian_document_date="2099-09-02",
            ),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["guardian_document_date"] == [
            "The document cannot be dated in the future."
        ]
        assert not Volunteer.objects.filter(last_name="Бекова").exists()

    def test_a_pupil_without_a_phone_of_their_own_is_added(self, curator, detachment) -> None:  # type: ignore[no-untyped-def]
        # A first-grader has no phone: the form required one, and the guardian's number typed in
        # its place kept the consent link from ever being sent to the guardian.
        client = client_for(curator)
        client.cookies["django_language"] = "en"
        guardians = client.post(
            f"/detachments/{detachment.pk}/members/new/",
            _member(birth_date=years_ago(7).isoformat(), phone="8 701 222 33 44", preferred_channel="email"),
        )
        assert guardians.status_code == 200
        assert guardians.context["form"].errors["guardian_phone"] == [
            "The guardian's phone must differ from the volunteer's own phone."
        ]
        assert not Volunteer.objects.filter(last_name="Бекова").exists()

        response = client.post(
            f"/detachments/{detachment.pk}/members/new/",
            _member(birth_date=years_ago(7).isoformat(), phone="", preferred_channel="email"),
        )
        assert response.status_code == 302
        pupil = Volunteer.objects.get(last_name="Бекова")
        assert pupil.phone == "" and pupil.guardian_phone == "+77012223344"
        assert pupil.status == Volunteer.Status.AWAITING_GUARDIAN
        # Messages by SMS still need a number.
        sms = client.post(
            f"/detachments/{detachment.pk}/members/new/",
            _member(last_name="Сәкенова", phone="", preferred_channel="sms"),
        )
        assert sms.status_code == 200 and "phone" in sms.context["form"].errors

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
    def test_coordinator_creates_detachment_and_invites_its_curator(  # type: ignore[no-untyped-def]
        self, alice, almaty, curator, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
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
        assert d.region == almaty
        # The account is not handed the role: its owner accepts the mailed invitation first.
        assert d.curator is None
        invitation = d.curator_invitations.get()
        assert invitation.email == "teacher@example.kz" and invitation.invited_by == alice
        assert [m.to for m in mail.outbox] == [["teacher@example.kz"]]

    def test_coordinator_edits_the_detachment_and_it_is_saved(self, alice, curator, detachment) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            f"/detachments/{detachment.pk}/edit/",
            {
                "school_name": "Абай атындағы мектеп",
                "school_number": "12",
                "locality": "Қаскелең",
                "region": detachment.region_id,
                "latitude": "43.2",
                "longitude": "76.6",
                "curator_email": curator.email,
            },
        )
        assert response.status_code == 302
        page = client_for(alice).get(f"/detachments/{detachment.pk}/").content.decode()
        assert "Абай атындағы мектеп № 12" in page and "Қаскелең" in page
        detachment.refresh_from_db()
        assert (detachment.locality, str(detachment.longitude), detachment.curator) == (
            "Қаскелең",
            "76.60000",
            curator,
        )

    def test_malformed_curator_address_is_a_field_error(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            "/detachments/new/",
            {"school_name": "X", "locality": "Алматы", "region": almaty.pk, "curator_email": "nobody@"},
        )
        assert response.status_code == 200
        assert "curator_email" in response.context["form"].errors
        assert not Detachment.objects.exists() and not mail.outbox

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


@pytest.mark.django_db
def test_the_members_list_reads_no_iin(curator, detachment) -> None:  # type: ignore[no-untyped-def]
    """The page never shows an IIN, so it does not read (and decrypt) any."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import iin_for

    members = [
        MinorFactory(region=detachment.region, detachment=detachment, last_name=name, iin=None)
        for name in ("Бекова", "Сейітова")
    ]
    for serial, member in enumerate(members, start=1):
        member.iin = iin_for(member.birth_date, serial=serial)
        member.save()
    with CaptureQueriesContext(connection) as queries:
        page = client_for(curator).get(f"/detachments/{detachment.pk}/")
    html = page.content.decode()
    assert all(member.last_name in html for member in members)
    assert not reads_iin(queries.captured_queries)
    # Kept all the same: only the list leaves it unread.
    assert Volunteer.objects.get(pk=members[0].pk).iin == members[0].iin


@pytest.mark.parametrize(
    ("school_name", "school_number", "expected"),
    [
        # The number is part of the name already: written once.
        ("№ 2 мектеп", "2", "№ 2 мектеп (Алматы)"),
        ("Гимназия №2", "2", "Гимназия №2 (Алматы)"),
        ("№ 2-мектеп-лицей", "2", "№ 2-мектеп-лицей (Алматы)"),
        # Another number in the name is not this one: "№ 12" does not name school 2.
        ("№ 12 мектеп", "2", "№ 12 мектеп № 2 (Алматы)"),
        ("Абай атындағы мектеп", "12", "Абай атындағы мектеп № 12 (Алматы)"),
        ("Абай атындағы мектеп", "", "Абай атындағы мектеп (Алматы)"),
    ],
)
def test_detachment_name_says_the_number_once(school_name: str, school_number: str, expected: str) -> None:
    detachment = Detachment(school_name=school_name, school_number=school_number, locality="Алматы")
    assert str(detachment) == expected


@pytest.mark.django_db
def test_detachment_list_names_the_school_once(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    DetachmentFactory(region=almaty, school_name="№ 2 мектеп", school_number="2")
    html = client_for(alice).get("/detachments/").content.decode()
    assert "№ 2 мектеп</a>" in html and "№ 2 № 2" not in html and "мектеп № 2" not in html


@pytest.mark.django_db
class TestDetachmentPoint:
    @staticmethod
    def _post(user, almaty, **point: str):  # type: ignore[no-untyped-def]
        data = {"school_name": "Абай атындағы мектеп", "locality": "Алматы", "region": almaty.pk, **point}
        return client_for(user).post("/detachments/new/", data)

    @pytest.mark.parametrize(
        ("point", "field", "code"),
        [
            # Swapped coordinates, a missing digit, a point in Uzbekistan.
            ({"latitude": "76.9", "longitude": "43.2"}, "latitude", "outside_kazakhstan"),
            ({"latitude": "4.32", "longitude": "76.9"}, "latitude", "outside_kazakhstan"),
            ({"latitude": "41.3", "longitude": "45.1"}, "longitude", "outside_kazakhstan"),
            ({"latitude": "43.2"}, "longitude", "incomplete"),
            ({"longitude": "76.9"}, "latitude", "incomplete"),
        ],
    )
    def test_a_point_outside_kazakhstan_or_half_given_is_refused(  # type: ignore[no-untyped-def]
        self, alice, almaty, point, field, code
    ) -> None:
        response = self._post(alice, almaty, **point)
        assert response.status_code == 200
        assert code in [e.code for e in response.context["form"].errors.as_data()[field]]
        assert not Detachment.objects.exists()

    def test_a_point_in_kazakhstan_or_none_is_kept(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        assert self._post(alice, almaty, latitude="43.25", longitude="76.92").status_code == 302
        assert self._post(alice, almaty).status_code == 302
        assert sorted((d.latitude is None) for d in Detachment.objects.all()) == [False, True]

    def test_the_service_checks_it_whoever_calls(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from django.core.exceptions import ValidationError

        from detachments import services

        with pytest.raises(ValidationError) as exc:
            services.detachment_create(
                data={
                    "school_name": "X",
                    "locality": "Алматы",
                    "region": almaty,
                    "latitude": Decimal("4.3"),
                    "longitude": Decimal("76.9"),
                }
            )
        assert "latitude" in exc.value.error_dict
        assert not Detachment.objects.exists()

    def test_front_offices_share_the_rule(self, almaty) -> None:  # type: ignore[no-untyped-def]
        from django.core.exceptions import ValidationError

        from front_offices.models import FrontOffice

        office = FrontOffice(name="X", region=almaty, address="Y", latitude=Decimal("60"), longitude=None)
        with pytest.raises(ValidationError) as exc:
            office.full_clean()
        codes = {field: [e.code for e in errors] for field, errors in exc.value.error_dict.items()}
        assert codes["latitude"] == ["outside_kazakhstan"] and codes["longitude"] == ["incomplete"]

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import User
from tests.factories import DetachmentFactory, MinorFactory, SkillFactory, VolunteerFactory, years_ago
from volunteers import services
from volunteers.models import PossibleDuplicate, Volunteer, VolunteerChange

PAPER = services.PaperConsent(document_number="17", document_date=datetime.date(2026, 9, 1))


def _profile(region, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "last_name": "Серікбаева",
        "first_name": "Әсел",
        "birth_date": years_ago(25),
        "phone": "8 701 123 45 67",
        "region": region,
        "locality": "Алматы",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestUserRegister:
    def test_creates_account_and_profile_with_consent(self, almaty) -> None:  # type: ignore[no-untyped-def]
        skill = SkillFactory(code="first-aid")
        user = services.user_register(
            email="Asel@Example.kz",
            password="x-strong-pass-1",
            profile=_profile(almaty),
            skills=[skill],
            language="ru",
        )
        assert user is not None
        user.refresh_from_db()
        assert user.email == "asel@example.kz"
        assert not user.is_active, "active once the address is confirmed"
        assert user.check_password("x-strong-pass-1")
        volunteer = Volunteer.objects.get(user=user)
        assert volunteer.phone == "+77011234567"
        assert volunteer.email == "asel@example.kz"
        assert volunteer.consent_at is not None and volunteer.consent_version == "2026-01"
        assert list(volunteer.skills.values_list("code", flat=True)) == ["first-aid"]
        assert VolunteerChange.objects.filter(volunteer=volunteer, action="create").exists()

    def test_bad_phone_leaves_no_half_written_account(self, almaty) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.user_register(
                email="x@example.kz",
                password="pw-123456789",
                profile=_profile(almaty, phone="123"),
                language="kk",
            )
        assert "phone" in exc.value.error_dict
        assert not User.objects.filter(email="x@example.kz").exists()
        assert not Volunteer.objects.exists()

    def test_registered_address_creates_nothing(self, almaty, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        result = services.user_register(
            email=bob.user.email.upper(), password="x-strong-pass-1", profile=_profile(almaty), language="kk"
        )
        assert result is None
        assert User.objects.count() == 1 and Volunteer.objects.count() == 1

    def test_taken_iin_is_kept_off_the_new_profile(self, almaty) -> None:  # type: ignore[no-untyped-def]
        birth = datetime.date(2006, 12, 11)
        on_file = VolunteerFactory(region=almaty, iin="061211600012", birth_date=birth)
        user = services.user_register(
            email="twin@example.kz",
            password="x-strong-pass-1",
            profile=_profile(almaty, iin="061211600012", birth_date=birth),
            language="kk",
        )
        registrant = Volunteer.objects.get(user=user)
        assert registrant.iin is None
        flag = PossibleDuplicate.objects.get(volunteer=registrant)
        assert flag.existing == on_file and flag.reason == PossibleDuplicate.Reason.IIN

    def test_invalid_iin_is_still_an_error(self, almaty) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.user_register(
                email="x@example.kz",
                password="x-strong-pass-1",
                profile=_profile(almaty, iin="061211600013", birth_date=datetime.date(2006, 12, 11)),
                language="kk",
            )
        assert "iin" in exc.value.error_dict
        assert not User.objects.exists() and not PossibleDuplicate.objects.exists()


@pytest.mark.django_db
class TestMinors:
    def test_minor_requires_guardian(self, almaty) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.volunteer_create(created_by=None, data=_profile(almaty, birth_date=years_ago(16)))  # type: ignore[arg-type]
        assert {"guardian_name", "guardian_phone", "guardian_relation"} <= set(exc.value.error_dict)

    def test_adult_needs_no_guardian(self, almaty) -> None:  # type: ignore[no-untyped-def]
        volunteer = services.volunteer_create(
            created_by=None, data=_profile(almaty, birth_date=years_ago(18))
        )  # type: ignore[arg-type]
        assert not volunteer.is_minor()

    def test_under_fourteen_may_not_take_part_until_written_consent(self, almaty, alice) -> None:  # type: ignore[no-untyped-def]
        child = MinorFactory(region=almaty, birth_date=years_ago(12))
        assert child.needs_written_consent()
        assert not child.may_take_part()
        services.guardian_consent_record(volunteer=child, recorded_by=alice, paper=PAPER)
        child.refresh_from_db()
        assert child.guardian_consent_at is not None
        assert child.guardian_consent_recorded_by == alice
        assert child.may_take_part()
        assert child.changes.filter(action="consent").exists()

    def test_fourteen_to_seventeen_take_part_without_written_consent(self, almaty) -> None:  # type: ignore[no-untyped-def]
        teen = MinorFactory(region=almaty, birth_date=years_ago(15))
        assert teen.is_minor() and not teen.needs_written_consent()
        assert teen.may_take_part()

    def test_age_is_computed_on_a_given_day(self, almaty) -> None:  # type: ignore[no-untyped-def]
        teen = MinorFactory(region=almaty, birth_date=datetime.date(2009, 6, 1))
        assert teen.age(datetime.date(2027, 5, 31)) == 17
        assert teen.is_minor(datetime.date(2027, 5, 31))
        assert not teen.is_minor(datetime.date(2027, 6, 1))

    def test_consent_not_recorded_for_adults(self, almaty, alice) -> None:  # type: ignore[no-untyped-def]
        adult = VolunteerFactory(region=almaty)
        with pytest.raises(ValidationError):
            services.guardian_consent_record(volunteer=adult, recorded_by=alice, paper=PAPER)

    def test_recording_consent_again_changes_nothing(self, almaty, alice, charlie) -> None:  # type: ignore[no-untyped-def]
        child = MinorFactory(region=almaty, birth_date=years_ago(12))
        services.guardian_consent_record(volunteer=child, recorded_by=alice, paper=PAPER)
        child.refresh_from_db()
        recorded_at = child.guardian_consent_at
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            services.guardian_consent_record(volunteer=child, recorded_by=charlie, paper=PAPER)
        assert exc.value.code == "already_recorded"
        assert exc.value.messages[0].startswith("The guardian's written consent was already recorded on ")
        child.refresh_from_db()
        assert child.guardian_consent_at == recorded_at and child.guardian_consent_recorded_by == alice
        assert child.changes.filter(action="consent").count() == 1

    def test_changing_the_guardian_withdraws_recorded_consent(self, almaty, alice) -> None:  # type: ignore[no-untyped-def]
        child = MinorFactory(region=almaty, birth_date=years_ago(12), guardian_consent_at=timezone.now())
        services.volunteer_update(volunteer=child, changed_by=alice, data={"guardian_name": "Басқа Адам"})
        child.refresh_from_db()
        assert child.guardian_consent_at is None


@pytest.mark.django_db
class TestVolunteerUpdate:
    def test_records_who_when_and_which_fields(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        changed = services.volunteer_update(
            volunteer=bob,
            changed_by=alice,
            data={"phone": "+7 (705) 111-22-33", "locality": "Медеу", "last_name": bob.last_name},
        )
        assert sorted(changed) == ["locality", "phone"]
        bob.refresh_from_db()
        assert bob.phone == "+77051112233"
        change = bob.changes.get(action="update")
        assert change.changed_by == alice
        assert change.fields == ["locality", "phone"]
        assert "77051112233" in bob.search_text

    def test_same_number_in_another_form_is_not_a_change(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        national = "8" + bob.phone[2:]
        assert services.volunteer_update(volunteer=bob, changed_by=alice, data={"phone": national}) == []
        assert not bob.changes.filter(action="update").exists()

    def test_iin_is_validated_and_unique(self, alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        services.volunteer_update(
            volunteer=bob,
            changed_by=alice,
            data={"birth_date": datetime.date(2006, 12, 11), "iin": "061211600012"},
        )
        bob.refresh_from_db()
        assert bob.iin == "061211600012"
        other = VolunteerFactory(region=almaty, birth_date=datetime.date(2006, 12, 11))
        with pytest.raises(ValidationError) as exc:
            services.volunteer_update(volunteer=other, changed_by=alice, data={"iin": "061211600012"})
        assert "iin" in exc.value.error_dict
        other.refresh_from_db()
        assert other.iin is None

    def test_iin_must_match_birth_date(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            services.volunteer_update(volunteer=bob, changed_by=alice, data={"iin": "061211600012"})
        assert exc.value.error_dict["iin"][0].code == "iin_birth_date"


@pytest.mark.django_db
class TestAnonymize:
    def test_erases_personal_data_and_account_but_keeps_the_row(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        user_id, region_id, birth_year = bob.user_id, bob.region_id, bob.birth_date.year
        services.volunteer_anonymize(volunteer=bob, requested_by=bob.user)
        bob.refresh_from_db()
        assert not User.objects.filter(pk=user_id).exists()
        assert bob.user_id is None
        assert bob.first_name == "" and bob.phone == "" and bob.email == "" and bob.iin is None
        assert "қасым" not in bob.search_text
        assert bob.anonymized_at is not None and bob.status == Volunteer.Status.ARCHIVED
        # What statistics of hours need survives: the row itself (hours refer to it), region, year.
        assert bob.region_id == region_id
        # The year stays, no date is made up for it; the name is shown in the reader's language.
        assert bob.birth_date is None and bob.birth_year == birth_year
        assert bob.last_name == "" and not bob.skills.exists()
        with translation.override("kk"):
            in_kazakh = bob.full_name
        with translation.override("ru"):
            in_russian = bob.full_name
        assert in_kazakh and in_russian and in_kazakh != in_russian
        assert list(bob.changes.values_list("action", flat=True)) == ["anonymise"]

    def test_detachment_membership_is_dropped(self, almaty) -> None:  # type: ignore[no-untyped-def]
        detachment = DetachmentFactory(region=almaty)
        member = MinorFactory(region=almaty, detachment=detachment)
        services.volunteer_anonymize(volunteer=member, requested_by=None)
        member.refresh_from_db()
        assert member.detachment_id is None and member.guardian_name == ""


@pytest.mark.django_db
def test_personal_data_export_is_json_serialisable(bob) -> None:  # type: ignore[no-untyped-def]
    from volunteers.selectors import volunteer_personal_data

    data = volunteer_personal_data(volunteer=bob)
    assert json.loads(json.dumps(data, ensure_ascii=False))["last_name"] == "Қасымов"

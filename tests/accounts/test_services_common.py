"""The write helpers every app's services share."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services_common import model_update, unique_violation_field
from detachments import services as detachment_services
from tests.factories import DetachmentFactory, VolunteerFactory
from volunteers import services
from volunteers.models import Volunteer


@pytest.mark.django_db
class TestModelUpdate:
    def test_sets_and_saves_only_what_changed(self, bob) -> None:  # type: ignore[no-untyped-def]
        before = Volunteer.objects.get(pk=bob.pk).updated_at
        _, changed = model_update(
            instance=bob,
            fields=["locality", "last_name"],
            data={"locality": "Медеу", "last_name": bob.last_name},
        )
        assert changed == ["locality"]
        bob.refresh_from_db()
        assert bob.locality == "Медеу" and bob.updated_at > before

    def test_nothing_changed_saves_nothing(self, bob) -> None:  # type: ignore[no-untyped-def]
        before = Volunteer.objects.get(pk=bob.pk).updated_at
        _, changed = model_update(instance=bob, fields=["region"], data={"region": bob.region})
        assert changed == []
        assert Volunteer.objects.get(pk=bob.pk).updated_at == before

    def test_unknown_key_is_refused_and_nothing_is_written(self, bob) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(TypeError, match="anonymized_at"):
            model_update(
                instance=bob,
                fields=["locality"],
                data={"locality": "Медеу", "anonymized_at": datetime.datetime.now(datetime.UTC)},
            )
        bob.refresh_from_db()
        assert bob.locality == "Алматы" and bob.anonymized_at is None

    def test_invalid_value_is_a_validation_error(self, bob) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValidationError) as exc:
            model_update(instance=bob, fields=["email"], data={"email": "not-an-address"})
        assert "email" in exc.value.error_dict
        assert Volunteer.objects.get(pk=bob.pk).email != "not-an-address"


@pytest.mark.django_db
class TestServicesTakeNamedFieldsOnly:
    def test_volunteer_update_refuses_a_field_outside_the_profile(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(TypeError, match="consent_at"):
            services.volunteer_update(
                volunteer=bob, changed_by=alice, data={"locality": "Медеу", "consent_at": None}
            )
        bob.refresh_from_db()
        assert bob.consent_at is not None and bob.locality == "Алматы"
        assert not bob.changes.exists()

    def test_volunteer_update_without_change_writes_no_history(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        before = bob.updated_at
        assert (
            services.volunteer_update(volunteer=bob, changed_by=alice, data={"locality": bob.locality}) == []
        )
        assert not bob.changes.exists()
        bob.refresh_from_db()
        assert bob.updated_at == before

    def test_detachment_create_refuses_an_unknown_key(self, almaty) -> None:  # type: ignore[no-untyped-def]
        data = {"school_name": "№ 3 мектеп", "locality": "Алматы", "region": almaty, "created_at": None}
        with pytest.raises(TypeError, match="created_at"):
            detachment_services.detachment_create(data=data)

    def test_detachment_update_refuses_an_unknown_key(self, almaty) -> None:  # type: ignore[no-untyped-def]
        detachment = DetachmentFactory(region=almaty, school_name="№ 3 мектеп")
        with pytest.raises(TypeError, match="pk"):
            detachment_services.detachment_update(
                detachment=detachment, data={"school_name": "Жаңа", "pk": 999}
            )
        detachment.refresh_from_db()
        assert detachment.school_name == "№ 3 мектеп"

    def test_detachment_update_saves_named_fields(self, almaty) -> None:  # type: ignore[no-untyped-def]
        detachment = DetachmentFactory(region=almaty)
        detachment.refresh_from_db()  # coordinates as the database gives them: Decimal, not float
        detachment_services.detachment_update(
            detachment=detachment, data={"school_name": "Жаңа", "curator": None}
        )
        detachment.refresh_from_db()
        assert detachment.school_name == "Жаңа"


@pytest.mark.django_db
class TestUniqueViolationField:
    def _violation(self, volunteer: Volunteer) -> IntegrityError:
        with pytest.raises(IntegrityError) as exc, transaction.atomic():
            volunteer.save()
        return exc.value

    def test_unique_index_names_its_field(self, almaty) -> None:  # type: ignore[no-untyped-def]
        birth = datetime.date(2006, 12, 11)
        VolunteerFactory(region=almaty, birth_date=birth, iin="061211600012")
        twin = Volunteer(
            region=almaty, last_name="Twin", first_name="T", birth_date=birth, iin="061211600012"
        )
        # The IIN is unique through its keyed hash (volunteers/crypto.py).
        assert unique_violation_field(self._violation(twin), Volunteer) == "iin_hash"

    def test_check_constraint_is_not_a_duplicate(self, almaty) -> None:  # type: ignore[no-untyped-def]
        # A slot's "taken ≤ capacity" CHECK names its columns; it is no unique violation.
        from front_offices.models import VisitSlot
        from tests.front_offices.helpers import make_office, next_weekday, slot_at

        slot = slot_at(make_office(capacity=2), next_weekday(0, after=2), 10)
        slot.taken = 3
        with pytest.raises(IntegrityError) as exc, transaction.atomic():
            slot.save()
        assert "taken" in str(exc.value) or "capacity" in str(exc.value)
        assert unique_violation_field(exc.value, VisitSlot) is None

    def test_another_tables_violation_is_not_this_models(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        with pytest.raises(IntegrityError) as exc, transaction.atomic():
            User.objects.create(email=bob.user.email)
        assert unique_violation_field(exc.value, Volunteer) is None
        assert unique_violation_field(exc.value, User) == "email"

    def test_sqlite_message_is_read_by_column(self) -> None:
        # SQLite (the embedded setup) names no constraint; its message lists table.column.
        assert (
            unique_violation_field(
                IntegrityError("UNIQUE constraint failed: volunteers_volunteer.iin"), Volunteer
            )
            == "iin"
        )
        assert (
            unique_violation_field(
                IntegrityError(
                    "UNIQUE constraint failed: volunteers_volunteer.iin, volunteers_volunteer.email"
                ),
                Volunteer,
            )
            == NON_FIELD_ERRORS
        )
        assert (
            unique_violation_field(
                IntegrityError("CHECK constraint failed: volunteer_iin_12_digits"), Volunteer
            )
            is None
        )
        assert (
            unique_violation_field(IntegrityError("UNIQUE constraint failed: accounts_user.email"), Volunteer)
            is None
        )

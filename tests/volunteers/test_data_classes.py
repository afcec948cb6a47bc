"""Each field of a volunteer is classified once; the history, the download and anonymisation
follow from that."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import DetachmentFactory, MinorFactory, SkillFactory, UserFactory, iin_for
from volunteers import services
from volunteers.models import DataClass, Volunteer
from volunteers.selectors import volunteer_personal_data

KEPT = (DataClass.STATISTICAL, DataClass.CONSENT)
ERASED = (DataClass.PERSONAL, DataClass.SENSITIVE)


def test_every_field_of_volunteer_is_classified() -> None:
    # Forward fields: columns (the key included) and many-to-many; not reverse relations.
    fields = {f.name for f in Volunteer._meta.get_fields() if not f.auto_created or f.concrete}
    unclassified = fields - set(Volunteer.DATA_CLASSES)
    assert not unclassified, f"classify these in Volunteer.DATA_CLASSES: {sorted(unclassified)}"
    assert set(Volunteer.DATA_CLASSES) <= fields, "DATA_CLASSES names a field that is gone"


def test_tracked_and_profile_fields_follow_the_classes() -> None:
    assert set(services.TRACKED_FIELDS) == {
        name for name, cls in Volunteer.DATA_CLASSES.items() if cls is not DataClass.SYSTEM
    }
    assert "iin" in services.PROFILE_FIELDS and "skills" not in services.PROFILE_FIELDS
    assert not {"user", "consent_at", "guardian_consent_at", "created_at"} & set(services.PROFILE_FIELDS)


@pytest.fixture
def full_profile(almaty, alice):  # type: ignore[no-untyped-def]
    """A minor with every field filled: account, IIN, languages, skills, detachment, guardian."""
    birth = datetime.date(2013, 5, 17)
    child = MinorFactory(
        region=almaty,
        birth_date=birth,
        iin=iin_for(birth),
        user=UserFactory(),
        middle_name="Серікұлы",
        languages=["kk", "ru"],
        available_weekends=True,
        preferred_channel="sms",
        detachment=DetachmentFactory(region=almaty),
        guardian_consent_at=timezone.now(),
        guardian_consent_recorded_by=alice,
    )
    child.skills.add(SkillFactory(code="first-aid"))
    return child


@pytest.mark.django_db
def test_anonymisation_erases_personal_and_sensitive_and_keeps_the_rest(full_profile) -> None:  # type: ignore[no-untyped-def]
    before = Volunteer.objects.get(pk=full_profile.pk)
    kept = {name: getattr(before, name) for name in Volunteer.fields_of(*KEPT) if name != "skills"}
    services.volunteer_anonymize(volunteer=full_profile, requested_by=None)
    after = Volunteer.objects.get(pk=full_profile.pk)
    for name in Volunteer.fields_of(*ERASED):
        value = getattr(after, name)
        if name == "skills":
            assert not after.skills.exists()
        else:
            assert value in ("", None, []), (name, value)
    assert {name: getattr(after, name) for name in kept} == {**kept, "status": Volunteer.Status.ARCHIVED}
    # The year of birth stays for age-group statistics; no date is made up for it.
    assert after.birth_year == 2013
    assert after.user_id is None


@pytest.mark.django_db
def test_download_holds_every_field_but_the_systems_own(full_profile) -> None:  # type: ignore[no-untyped-def]
    data = volunteer_personal_data(volunteer=full_profile)
    expected = {name for name, cls in Volunteer.DATA_CLASSES.items() if cls is not DataClass.SYSTEM}
    assert expected <= set(data)
    assert not {"search_text", "guardian_consent_recorded_by", "updated_at"} & set(data)
    assert data["iin"] == full_profile.iin and data["birth_date"] == "2013-05-17"
    assert data["languages"] == ["kk", "ru"] and data["skills"] == [str(full_profile.skills.get())]
    assert data["account_email"] == full_profile.user.email

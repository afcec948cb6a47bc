"""Bulk changes on the roster: one change for the ticked people, each through the profile service
(its rules and history), refusals reported by name, other regions' people untouched."""

import pytest
from django.contrib.messages import get_messages

from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, SkillFactory, VolunteerFactory
from volunteers.models import Volunteer


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
class TestRosterBulk:
    def test_sets_status_for_the_ticked_and_records_history(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        a, b, untouched = (VolunteerFactory(region=almaty) for _ in range(3))
        response = client_for(alice).post(
            "/roster/bulk/",
            {"ids": [a.pk, b.pk], "action": "status", "status": "paused", "next": "/roster/?q=x"},
        )
        assert response.status_code == 302 and response.url == "/roster/?q=x"
        for person in (a, b):
            person.refresh_from_db()
            assert person.status == "paused"
            assert person.changes.filter(action="update", changed_by=alice).exists()
        untouched.refresh_from_db()
        assert untouched.status == "active"

    def test_other_regions_people_do_not_exist_for_the_bulk_change(self, alice, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        client_for(alice).post(
            "/roster/bulk/", {"ids": [astana_volunteer.pk], "action": "status", "status": "archived"}
        )
        astana_volunteer.refresh_from_db()
        assert astana_volunteer.status == "active"
        assert not astana_volunteer.changes.filter(action="update").exists()

    def test_adds_a_skill_and_puts_in_a_detachment(self, alice, almaty) -> None:  # type: ignore[no-untyped-def]
        person = VolunteerFactory(region=almaty)
        skill = SkillFactory(code="first-aid")
        detachment = DetachmentFactory(region=almaty)
        client = client_for(alice)
        client.post("/roster/bulk/", {"ids": [person.pk], "action": "skill", "skill": skill.pk})
        client.post(
            "/roster/bulk/", {"ids": [person.pk], "action": "detachment", "detachment": detachment.pk}
        )
        person.refresh_from_db()
        assert list(person.skills.all()) == [skill] and person.detachment == detachment

    def test_refusals_are_reported_by_name_and_do_not_undo_the_others(self, alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        adult = VolunteerFactory(region=almaty, last_name="Омаров")
        other_school = DetachmentFactory(region=astana)
        nora_scope_detachment = DetachmentFactory(region=almaty)
        client = client_for(alice)
        # A detachment of another region is not even offered: the form refuses it.
        response = client.post(
            "/roster/bulk/", {"ids": [adult.pk], "action": "detachment", "detachment": other_school.pk}
        )
        assert response.status_code == 302 and _messages(response)
        adult.refresh_from_db()
        assert adult.detachment is None
        # A minor awaiting consent cannot be made active; the adult in the same batch is changed.
        minor = MinorFactory(region=almaty, last_name="Бекова", status=Volunteer.Status.AWAITING_GUARDIAN)
        adult.status = "paused"
        adult.save()
        response = client.post(
            "/roster/bulk/",
            {"ids": [adult.pk, minor.pk], "action": "status", "status": "active"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        messages = _messages(response)
        assert any(m.startswith(minor.full_name) for m in messages)
        adult.refresh_from_db()
        minor.refresh_from_db()
        assert adult.status == "active" and minor.status == Volunteer.Status.AWAITING_GUARDIAN
        del nora_scope_detachment

    def test_garbage_is_a_message_not_a_500(self, alice) -> None:  # type: ignore[no-untyped-def]
        client = client_for(alice)
        for data in (
            {},
            {"ids": ["x"], "action": "status", "status": "paused"},
            {"ids": [1], "action": "nope"},
        ):
            response = client.post("/roster/bulk/", data)
            assert response.status_code == 302
            assert _messages(response)
        assert client.get("/roster/bulk/").status_code == 405

    def test_volunteer_and_curator_have_no_bulk(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = client_for(bob.user).post(
            "/roster/bulk/", {"ids": [bob.pk], "action": "status", "status": "archived"}
        )
        assert response.status_code == 404
        bob.refresh_from_db()
        assert bob.status == "active"

    def test_member_of_a_detachment_of_another_region_is_refused_by_the_model(self, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        from django.core.exceptions import ValidationError

        person = VolunteerFactory(region=almaty)
        person.detachment = DetachmentFactory(region=astana)
        with pytest.raises(ValidationError) as exc:
            person.full_clean(exclude=["user", "skills"])
        assert "detachment" in exc.value.error_dict


@pytest.mark.django_db
def test_the_bulk_bar_labels_name_its_own_selects(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """Each label of the bar names its select, and no id on the page is used twice (a screen
    reader reading "Detachment" in the bar must land on the bar's select, not the filter's)."""
    import re

    VolunteerFactory(region=almaty)
    html = client_for(alice).get("/roster/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for field in ("action", "status", "detachment", "skill"):
        assert f'<label for="id_bulk_{field}">' in html
        assert re.search(
            rf'<select name="{field}"[^>]*id="id_bulk_{field}"|<select[^>]*id="id_bulk_{field}"', html
        )

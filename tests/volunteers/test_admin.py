import pytest

from tests.conftest import client_for
from tests.factories import DetachmentFactory


@pytest.mark.django_db
class TestAdminScope:
    def test_coordinator_admin_lists_only_own_region(self, alice, bob, astana_volunteer, astana) -> None:  # type: ignore[no-untyped-def]
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        client = client_for(alice)
        listing = client.get("/admin/volunteers/volunteer/")
        assert listing.status_code == 200
        assert list(listing.context["cl"].result_list) == [bob]
        assert client.get(f"/admin/volunteers/volunteer/{astana_volunteer.pk}/change/").status_code == 302
        other = DetachmentFactory(region=astana)
        assert other not in list(client.get("/admin/volunteers/detachment/").context["cl"].result_list)

    def test_only_national_staff_assign_roles(self, alice, nora) -> None:  # type: ignore[no-untyped-def]
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        assert client_for(alice).get("/admin/volunteers/user/").status_code == 403
        assert client_for(alice).get("/admin/regions/coordinatorassignment/").status_code == 403
        assert client_for(nora).get("/admin/volunteers/user/").status_code == 200
        assert client_for(nora).get("/admin/regions/coordinatorassignment/").status_code == 200

    def test_admin_search_does_not_500(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).get("/admin/volunteers/volunteer/", {"q": "Қасым"})
        assert response.status_code == 200
        assert bob in list(response.context["cl"].result_list)


@pytest.mark.django_db
def test_admin_search_finds_phone_in_any_written_form(nora, bob) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    national = "8 " + bob.phone[2:5] + " " + bob.phone[5:]
    response = client_for(nora).get("/admin/volunteers/volunteer/", {"q": national})
    assert list(response.context["cl"].result_list) == [bob]


@pytest.mark.django_db
def test_admin_edit_is_recorded_in_history(nora, bob) -> None:  # type: ignore[no-untyped-def]
    bob.refresh_from_db()
    client = client_for(nora)
    form = client.get(f"/admin/volunteers/volunteer/{bob.pk}/change/").context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if name == "skills":
            data[name] = [s.pk for s in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif name == "languages":
            data[name] = '["kk"]'
        else:
            data[name] = value
    data["locality"] = "Түрксіб ауданы"
    data["phone"] = "8 705 765 43 21"
    response = client.post(f"/admin/volunteers/volunteer/{bob.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    bob.refresh_from_db()
    assert bob.phone == "+77057654321" and bob.locality == "Түрксіб ауданы"
    change = bob.changes.get(action="update")
    assert change.changed_by == nora
    assert {"locality", "phone"} <= set(change.fields)


@pytest.mark.django_db
def test_skills_catalogue_is_for_coordinators(alice, bob) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import SkillFactory

    skill = SkillFactory(code="first-aid")
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    client = client_for(alice)
    assert client.get("/admin/volunteers/skill/").status_code == 200
    assert client.get(f"/admin/volunteers/skill/{skill.pk}/delete/").status_code == 403  # national staff only
    bob.refresh_from_db()
    bob.user.is_staff = True
    bob.user.save(update_fields=["is_staff"])
    assert client_for(bob.user).get("/admin/volunteers/skill/").status_code == 403

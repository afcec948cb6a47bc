"""Campaigns and shifts in the admin are national staff's; sign-ups there are read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events import services
from events.models import Shift
from tests.conftest import client_for

from .factories import ShiftFactory


@pytest.mark.django_db
class TestEventsAdmin:
    def test_coordinator_with_staff_flag_finds_no_admin(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        client = client_for(alice)
        for url in [
            "/admin/events/campaign/",
            f"/admin/events/campaign/{shift.campaign_id}/change/",
            "/admin/events/shift/",
            f"/admin/events/shift/{shift.pk}/change/",
            f"/admin/events/signup/{signup.pk}/change/",
        ]:
            assert client.get(url).status_code == 404, url

    def test_national_staff_see_campaigns_shifts_and_signups(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        client = client_for(nora)
        for url in ["/admin/events/campaign/", "/admin/events/shift/", "/admin/events/signup/"]:
            assert client.get(url).status_code == 200, url
        assert client.get(f"/admin/events/signup/{signup.pk}/change/").status_code == 200

    def test_signups_are_read_only(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        shift = ShiftFactory()
        signup = services.signup_create(shift=shift, volunteer=bob, by=None)
        client = client_for(nora)
        response = client.post(f"/admin/events/signup/{signup.pk}/change/", {"status": "cancelled"})
        assert response.status_code == 403
        assert client.post(f"/admin/events/signup/{signup.pk}/delete/", {"post": "yes"}).status_code == 403
        signup.refresh_from_db()
        assert signup.status == "confirmed"

    def test_fewer_places_than_confirmed_is_refused_in_the_admin_too(self, nora, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import VolunteerFactory

        shift = ShiftFactory(capacity=2)
        services.signup_create(shift=shift, volunteer=bob, by=None)
        services.signup_create(shift=shift, volunteer=VolunteerFactory(region=almaty), by=None)
        response = client_for(nora).post(f"/admin/events/shift/{shift.pk}/change/", {"capacity": "1"})
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "2" in errors["capacity"][0]
        shift.refresh_from_db()
        assert shift.capacity == 2

    def test_the_services_rules_are_form_errors_in_the_admin(self, nora) -> None:  # type: ignore[no-untyped-def]
        # A deadline after the start was refused by the service while saving: a 500.
        from django.forms import modelform_factory

        from events.admin import ShiftAdminForm

        shift = ShiftFactory()
        form_class = modelform_factory(Shift, form=ShiftAdminForm, fields=["signup_deadline", "capacity"])
        late = form_class(
            {
                "signup_deadline": (shift.starts_at + timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
                "capacity": "5",
            },
            instance=shift,
        )
        assert not late.is_valid() and "signup_deadline" in late.errors
        fine = form_class(
            {
                "signup_deadline": (shift.starts_at - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
                "capacity": "5",
            },
            instance=shift,
        )
        assert fine.is_valid(), fine.errors

"""The one place access is decided: each scope's predicate, condition, decorator and permission."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import NotFound

from front_offices.models import FrontOffice
from regions import scoping
from tests.factories import DetachmentFactory, UserFactory, VolunteerFactory
from volunteers.models import Volunteer


@pytest.mark.django_db
class TestRegionScope:
    def test_national_staff_see_every_region(self, nora) -> None:  # type: ignore[no-untyped-def]
        assert scoping.scoped_region_ids(nora) is None
        assert scoping.scope_q(nora) is None
        assert scoping.manages_regions(nora) and not scoping.is_regional_coordinator(nora)
        assert scoping.region_queryset_for(nora).count() == 20

    def test_coordinator_sees_the_assigned_regions_only(self, alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        assert scoping.scoped_region_ids(alice) == frozenset({almaty.pk})
        assert scoping.manages_regions(alice) and scoping.is_regional_coordinator(alice)
        assert scoping.may_manage_region(alice, almaty.pk) and not scoping.may_manage_region(alice, astana.pk)
        assert list(scoping.region_queryset_for(alice)) == [almaty]

    def test_everybody_else_sees_nothing(self, bob, almaty) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=almaty)
        bob.refresh_from_db()
        for user in (bob.user, AnonymousUser()):
            assert scoping.scoped_region_ids(user) == frozenset()
            assert not scoping.manages_regions(user)
            assert not scoping.scope_queryset(Volunteer.objects.all(), user).exists()

    def test_inactive_coordinator_loses_the_scope(self, alice) -> None:  # type: ignore[no-untyped-def]
        alice.is_active = False
        assert scoping.scoped_region_ids(alice) == frozenset()

    def test_region_ids_are_read_once_per_request(self, alice) -> None:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx:
            for _ in range(5):
                scoping.scoped_region_ids(alice)
        assert len(ctx.captured_queries) == 1

    def test_scope_through_a_relation(self, alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        mine = DetachmentFactory(region=almaty)
        DetachmentFactory(region=astana)
        member = VolunteerFactory(region=almaty, detachment=mine)
        qs = scoping.scope_queryset(Volunteer.objects.all(), alice, region_field="detachment__region")
        assert list(qs) == [member]

    def test_lookup_outside_the_scope_or_malformed_is_404(self, alice, astana_volunteer) -> None:  # type: ignore[no-untyped-def]
        for pk in (astana_volunteer.pk, "abc", None):
            with pytest.raises(Http404):
                scoping.get_scoped_object_or_404(Volunteer.objects.all(), alice, pk=pk)


@pytest.mark.django_db
class TestCuratorAndOfficeScopes:
    def test_curator_sees_own_detachments_besides_any_region_scope(self, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        teacher = UserFactory()
        own = DetachmentFactory(region=astana, curator=teacher)
        DetachmentFactory(region=almaty)
        assert scoping.is_curator(teacher)
        condition = scoping.region_or_curator_q(teacher)
        assert condition is not None
        assert list(own.__class__.objects.filter(condition)) == [own]

    def test_office_staff_see_their_own_office(self, almaty, astana) -> None:  # type: ignore[no-untyped-def]
        clerk = UserFactory()
        own = FrontOffice.objects.create(name="A", region=almaty, address="x")
        FrontOffice.objects.create(name="B", region=astana, address="y")
        own.staff.add(clerk)
        assert scoping.is_office_staff(clerk)
        assert scoping.staffed_office_ids(clerk) == frozenset({own.pk})
        condition = scoping.office_scope_q(clerk)
        assert condition is not None
        assert list(FrontOffice.objects.filter(condition)) == [own]

    def test_nobody_is_curator_or_staff_by_default(self, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        assert not scoping.is_curator(bob.user) and not scoping.is_office_staff(bob.user)


@pytest.mark.django_db
class TestDecoratorAndPermission:
    def _view(self, request):  # type: ignore[no-untyped-def]
        return HttpResponse("ok")

    def test_decorator_sends_anonymous_to_log_in_and_answers_404_outside(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        view = scoping.region_scope_required(self._view)
        request = RequestFactory().get("/roster/?q=1")
        request.user = AnonymousUser()
        response = view(request)
        assert (
            response.status_code == 302 and response["Location"] == "/accounts/login/?next=/roster/%3Fq%3D1"
        )
        bob.refresh_from_db()
        request.user = bob.user
        with pytest.raises(Http404):
            view(request)
        request.user = alice
        assert view(request).status_code == 200

    def test_drf_permission_hides_the_endpoint(self, alice, bob) -> None:  # type: ignore[no-untyped-def]
        permission = scoping.ManagesRegions()
        request = RequestFactory().get("/api/volunteers/")
        bob.refresh_from_db()
        request.user = bob.user
        with pytest.raises(NotFound):
            permission.has_permission(request, None)
        request.user = alice
        assert permission.has_permission(request, None)
        request.user = AnonymousUser()
        assert permission.has_permission(request, None) is False

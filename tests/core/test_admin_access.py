"""Every URL the admin site has, as every persona.

The admin is national staff's alone (volunteer_net/admin_site.py, regions/admin_mixins.py): for
anybody else who is logged in it does not exist (404), an anonymous visitor is sent to its login.
The URLs are read from the admin site itself — every registered model's changelist, add, change,
delete and history pages, the user password page, the site's own views — so that a model
registered tomorrow is covered without touching this file, and a URL of a new kind fails until
somebody decides here what national staff should get from it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client

from accounts.audit import audit_record
from accounts.models import AuditEntry, User
from events.services import signup_create
from front_offices.models import FrontOffice, OpeningHours, ScheduleException
from regions.models import CoordinatorAssignment
from tests.conftest import client_for
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import PASSWORD, DetachmentFactory, SkillFactory, UserFactory
from tests.routes import walk
from volunteers.models import Skill, Volunteer, VolunteerChange
from volunteers.services import volunteer_update

# What national staff may write in the admin, model by model. Reading is always allowed. A model
# registered without a line here fails `test_every_registered_model_is_classified`: decide first
# whether the admin may write it at all, or whether that goes through the app's services.
NATIONAL_STAFF_WRITES: dict[str, set[str]] = {
    "accounts.user": {"add", "change"},
    "accounts.auditentry": set(),  # written by the services; a trail nobody edits  # deleting an account is the owner's ("Delete my account")
    "regions.region": {"change"},  # the 20 regions are fixed by law
    "regions.coordinatorassignment": {"add", "change", "delete"},
    "volunteers.skill": {"add", "change"},  # profiles refer to skills
    "volunteers.volunteer": set(),  # personal data: the roster pages and their services
    "volunteers.volunteerchange": set(),  # the history is written by the services
    "detachments.detachment": set(),  # coordinators' pages (curator assignment included)
    "front_offices.frontoffice": {"add", "change", "delete"},  # staff assignment lives here
    "front_offices.scheduleexception": {"add", "change", "delete"},  # holidays and closed dates
    "front_offices.openinghours": {"add", "change", "delete"},  # slots follow via the hourly sync
    "events.campaign": {"add", "change"},  # cancelled, never deleted: sign-ups and hours hang on it
    "events.shift": {"add", "change"},  # an edit goes through the service
    "events.signup": set(),  # sign-ups, attendance and hours are the services'
}

NON_NATIONAL = [
    "volunteer",
    "curator",
    "office_staff",
    "coordinator",
    "coordinator_with_staff_flag",
    "other_coordinator",
]
NATIONAL = ["national_staff", "superuser"]


@dataclass(frozen=True)
class AdminUrl:
    kind: str  # "changelist", "add", …, "index", "login", …
    url: str
    model: type[Model] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower if self.model else ""


@pytest.fixture
def world(alice, bob, charlie, nora, astana_volunteer, almaty, astana) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A row of every registered model, made the way the app makes them, and the personas."""
    curator = UserFactory(email="curator@example.kz", is_staff=True)
    DetachmentFactory(region=almaty, curator=curator)
    clerk = UserFactory(email="clerk@example.kz", is_staff=True)
    office = FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 1")
    office.staff.add(clerk)
    ScheduleException.objects.create(date=datetime.date(2026, 12, 16), reason="Тәуелсіздік күні")
    OpeningHours.objects.create(office=office, weekday=0, opens=datetime.time(9), closes=datetime.time(18))
    SkillFactory(code="first-aid")
    shift = ShiftFactory(campaign=CampaignFactory(region=almaty))
    signup_create(shift=shift, volunteer=bob, by=alice)
    volunteer_update(volunteer=bob, changed_by=alice, data={"locality": "Алматы, Медеу ауданы"})
    superuser = User.objects.create_superuser(email="root@example.kz", password=PASSWORD)
    audit_record(actor=nora, action=AuditEntry.Action.VIEWED, subject=bob, region_code=almaty.code)
    bob.refresh_from_db()
    return {
        "users": {
            "volunteer": bob.user,
            "curator": curator,
            "office_staff": clerk,
            "coordinator": alice,
            "coordinator_with_staff_flag": alice,
            "other_coordinator": charlie,
            "national_staff": nora,
            "superuser": superuser,
        },
        # The object each model's pages are opened for: the one a side door would be after.
        "objects": {
            User: bob.user,
            Volunteer: bob,
            CoordinatorAssignment: alice.coordinator_assignments.get(),
        },
    }


def _client(persona: str, world: dict[str, Any]) -> Client:
    if persona == "anonymous":
        return Client()
    user = world["users"][persona]
    if persona == "coordinator_with_staff_flag":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return client_for(user)


def _object_of(model: type[Model], world: dict[str, Any]) -> Model:
    obj = world["objects"].get(model) or model._default_manager.order_by("pk").first()
    assert obj is not None, f"add a row of {model._meta.label} to the `world` fixture"
    return obj


_PARAM = re.compile(r"<(?:\w+:)?\w+>")


def admin_urls(world: dict[str, Any]) -> list[AdminUrl]:
    """Every pattern of the admin site as a URL one can open."""
    by_prefix = {f"{m._meta.app_label}/{m._meta.model_name}/": m for m in admin.site._registry}
    skill = Skill.objects.order_by("pk").first()
    assert skill is not None
    urls: list[AdminUrl] = []
    for route, pattern in walk(admin.site.get_urls()):
        model = next((m for prefix, m in by_prefix.items() if route.startswith(prefix)), None)
        if model is not None:
            obj = _object_of(model, world)
            tail = route.removeprefix(f"{model._meta.app_label}/{model._meta.model_name}/")
            suffix = (pattern.name or "").removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
            kind = {
                "changelist": "changelist",
                "add": "add",
                "change": "change",
                "delete": "delete",
                "history": "history",
                "auth_user_password_change": "password",
            }.get(suffix)
            if pattern.name is None and tail == "<path:object_id>/":
                kind = "old_change"  # Django's redirect from the pre-1.9 change URL
            assert kind is not None, f"admin URL {route!r} ({pattern.name}): classify it in this test"
            urls.append(AdminUrl(kind, "/admin/" + _PARAM.sub(str(obj.pk), route), model))
        elif pattern.name == "app_list":
            for label in sorted({m._meta.app_label for m in admin.site._registry}):
                urls.append(AdminUrl("app_list", f"/admin/{label}/"))
        elif pattern.name == "view_on_site":
            ct = ContentType.objects.get_for_model(Skill)
            urls.append(AdminUrl("view_on_site", f"/admin/r/{ct.pk}/{skill.pk}/", Skill))
        elif pattern.name == "autocomplete":
            urls.append(AdminUrl("autocomplete", "/admin/autocomplete/?" + _autocomplete_query("a")))
        elif pattern.name is None and route == "(?P<url>.*)$":
            urls.append(AdminUrl("catch_all", "/admin/no-such-page/"))
        else:
            assert pattern.name in {
                "index",
                "login",
                "logout",
                "password_change",
                "password_change_done",
                "jsi18n",
            }, f"admin URL {route!r} ({pattern.name}): classify it in this test"
            urls.append(AdminUrl(pattern.name, "/admin/" + route))
    return urls


def _autocomplete_query(term: str) -> str:
    """The query of the first autocomplete field of the admin (the staff of a front office)."""
    for model, model_admin in admin.site._registry.items():
        for field in model_admin.autocomplete_fields:
            return (
                f"app_label={model._meta.app_label}&model_name={model._meta.model_name}"
                f"&field_name={field}&term={term}"
            )
    raise AssertionError("no autocomplete field left: drop the autocomplete checks")


def _expected_for_national_staff(entry: AdminUrl, persona: str) -> int:
    writes = NATIONAL_STAFF_WRITES.get(entry.label, set())
    return {
        "changelist": 200,
        "add": 200 if "add" in writes else 403,
        "change": 200,  # a read-only admin shows the object without a form
        "delete": 200 if "delete" in writes else 403,
        "history": 200,
        # A password is its owner's to choose; only the superuser may set one (regions/admin.py).
        "password": 200 if persona == "superuser" else 403,
        "old_change": 302,
        "index": 200,
        "app_list": 200,
        "login": 302,  # already logged in: on to the index
        "logout": 405,  # POST only
        "password_change": 200,
        "password_change_done": 200,
        "autocomplete": 200,
        "jsi18n": 200,
        # The shortcut redirects to a model's public page; none of ours has one.
        "view_on_site": 302 if entry.model and hasattr(entry.model, "get_absolute_url") else 404,
        "catch_all": 404,
    }[entry.kind]


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in admin.site._registry} | {
        "staff": list(FrontOffice.staff.through.objects.order_by("pk").values())
    }


@pytest.mark.django_db
class TestAdminUrlsByPersona:
    def test_every_registered_model_is_classified(self) -> None:
        registered = {m._meta.label_lower for m in admin.site._registry}
        assert registered == set(NATIONAL_STAFF_WRITES), "classify the new admin in NATIONAL_STAFF_WRITES"

    def test_every_admin_is_derived_from_national_staff_admin(self) -> None:
        from regions.admin_mixins import NationalStaffAdmin, NationalStaffPermissions

        for model, model_admin in admin.site._registry.items():
            assert isinstance(model_admin, NationalStaffAdmin), model
            for inline in model_admin.inlines:
                assert issubclass(inline, NationalStaffPermissions), (model, inline)

    def test_national_staff_may_write_what_the_table_says(self, world) -> None:  # type: ignore[no-untyped-def]
        from django.test import RequestFactory

        for persona in NATIONAL:
            request = RequestFactory().get("/admin/")
            request.user = world["users"][persona]
            for model, model_admin in admin.site._registry.items():
                obj = _object_of(model, world)
                granted = {
                    action
                    for action, allowed in [
                        ("add", model_admin.has_add_permission(request)),
                        ("change", model_admin.has_change_permission(request, obj)),
                        ("delete", model_admin.has_delete_permission(request, obj)),
                    ]
                    if allowed
                }
                assert granted == NATIONAL_STAFF_WRITES[model._meta.label_lower], (persona, model)

    def test_anonymous_visitor_is_sent_to_the_admin_login(self, world) -> None:  # type: ignore[no-untyped-def]
        client = _client("anonymous", world)
        before = _snapshot()
        wrong = []
        for entry in admin_urls(world):
            for method in ("get", "post"):
                response = getattr(client, method)(entry.url)
                if entry.kind == "login":
                    ok = response.status_code == 200
                elif entry.kind == "logout":
                    ok = response.status_code == 302 and response["Location"] == "/admin/"
                else:
                    ok = response.status_code == 302 and response["Location"].startswith(
                        "/admin/login/?next="
                    )
                if not ok:
                    wrong.append((method, entry.url, response.status_code))
        assert wrong == []
        assert _snapshot() == before

    @pytest.mark.parametrize("persona", NON_NATIONAL)
    def test_nobody_but_national_staff_finds_an_admin(self, world, persona: str) -> None:  # type: ignore[no-untyped-def]
        client = _client(persona, world)
        before = _snapshot()
        wrong = []
        for entry in admin_urls(world):
            for method in ("get", "post"):
                response = getattr(client, method)(entry.url)
                if response.status_code != 404:
                    wrong.append((method, entry.url, response.status_code))
        assert wrong == []
        assert _snapshot() == before
        # Still logged in: the admin's logout did not exist for them either.
        assert client.get("/me/").status_code in {200, 302}
        assert "_auth_user_id" in client.session

    @pytest.mark.parametrize("persona", NATIONAL)
    def test_national_staff_get_what_they_may_do(self, world, persona: str) -> None:  # type: ignore[no-untyped-def]
        client = _client(persona, world)
        wrong = []
        for entry in admin_urls(world):
            response = client.get(entry.url)
            expected = _expected_for_national_staff(entry, persona)
            if response.status_code != expected:
                wrong.append((entry.url, response.status_code, expected))
        assert wrong == []

    @pytest.mark.parametrize("persona", NATIONAL)
    def test_national_staff_cannot_write_past_the_table(self, world, persona: str) -> None:  # type: ignore[no-untyped-def]
        client = _client(persona, world)
        before = _snapshot()
        refused = []
        for entry in admin_urls(world):
            action = {"add": "add", "change": "change", "delete": "delete", "password": "password"}.get(
                entry.kind
            )
            if action is None or action in NATIONAL_STAFF_WRITES[entry.label]:
                continue
            if action == "password" and persona == "superuser":
                continue
            # A form as full as the model: whatever the admin would take, it must take nothing.
            data = {
                "post": "yes",
                "last_name": "Changed",
                "name": "Changed",
                "password1": "x",
                "password2": "x",
            }
            response = client.post(entry.url, data)
            if response.status_code != 403:
                refused.append((entry.url, response.status_code))
        assert refused == []
        assert _snapshot() == before


@pytest.mark.django_db
class TestAdminLoginPage:
    def test_coordinator_with_staff_flag_cannot_log_in_to_the_admin(self, alice, client) -> None:  # type: ignore[no-untyped-def]
        alice.is_staff = True
        alice.save(update_fields=["is_staff"])
        response = client.post("/admin/login/", {"username": alice.email, "password": PASSWORD})
        assert response.status_code == 200
        assert response.context["form"].errors
        assert "_auth_user_id" not in client.session

    def test_national_staff_log_in_to_the_admin(self, nora, client) -> None:  # type: ignore[no-untyped-def]
        response = client.post(
            "/admin/login/", {"username": nora.email, "password": PASSWORD, "next": "/admin/"}
        )
        assert response.status_code == 302
        assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
class TestAdminQueryString:
    """National staff filter lists by the filters declared, with values that make sense."""

    @pytest.mark.parametrize(
        "query",
        [
            "iin__startswith=7",
            "phone__contains=7",
            "iin__regex=(",
            "guardian_name=x",
            "email__startswith=v",
            "birth_date__year=1996",
            "user__email__startswith=b",
            "status__startswith=a",
            "region__name_en__startswith=A",
            "status=%00",
            "status__in=%00",
            "region__id__exact=%00",
            "region=%00",
            "region__isnull=%00",
        ],
    )
    def test_volunteer_list_refuses_undeclared_and_malformed_filters(self, nora, bob, query: str) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).get(f"/admin/volunteers/volunteer/?{query}")
        assert response.status_code == 400

    def test_declared_filters_still_work(self, nora, bob, astana_volunteer, almaty) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).get(
            f"/admin/volunteers/volunteer/?region__id__exact={almaty.pk}&status=active"
        )
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [bob]

    def test_every_list_refuses_lookups_on_its_columns(self, world) -> None:  # type: ignore[no-untyped-def]
        client = client_for(world["users"]["national_staff"])
        wrong = []
        for model, model_admin in admin.site._registry.items():
            declared = {f for f in model_admin.list_filter if isinstance(f, str)}
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            for field in model._meta.concrete_fields:
                if field.name in declared:
                    continue
                for query in (f"{field.name}__startswith=7", f"{field.name}=7", f"{field.attname}__gt=0"):
                    response = client.get(f"{url}?{query}")
                    if response.status_code != 400:
                        wrong.append((url, query, response.status_code))
            for name in declared:
                response = client.get(f"{url}?{name}=%00")
                if response.status_code != 400:
                    wrong.append((url, f"{name}=%00", response.status_code))
        assert wrong == []

    def test_nul_in_the_search_box_is_a_clear_400(self, world) -> None:  # type: ignore[no-untyped-def]
        # The project-wide NUL guard (volunteer_net.middleware) answers before the admin runs.
        client = client_for(world["users"]["national_staff"])
        client.cookies["django_language"] = "en"
        for model, model_admin in admin.site._registry.items():
            if not model_admin.search_fields:
                continue
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            response = client.get(url, {"q": "a\x00"})
            assert response.status_code == 400, url
            assert "400" in response.content.decode() or response.templates, url

    def test_nul_in_an_autocomplete_term_is_refused(self, world) -> None:  # type: ignore[no-untyped-def]
        response = client_for(world["users"]["national_staff"]).get(
            "/admin/autocomplete/?" + _autocomplete_query("%00")
        )
        assert response.status_code == 400

    def test_every_admin_search_survives_nul(self, world) -> None:  # type: ignore[no-untyped-def]
        """Any admin's search may be reached by an autocomplete, which hands the term over as it came."""
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/autocomplete/")
        request.user = world["users"]["national_staff"]
        for model, model_admin in admin.site._registry.items():
            if model_admin.get_search_fields(request):
                queryset, _ = model_admin.get_search_results(request, model._default_manager.all(), "a\x00")
                assert list(queryset) == [], model

    def test_autocomplete_still_finds_people(self, world) -> None:  # type: ignore[no-untyped-def]
        response = client_for(world["users"]["national_staff"]).get(
            "/admin/autocomplete/?" + _autocomplete_query("clerk")
        )
        assert [r["text"] for r in response.json()["results"]] == [str(world["users"]["office_staff"])]

    def test_malformed_selection_for_an_action_is_a_bad_request(self, world) -> None:  # type: ignore[no-untyped-def]
        client = client_for(world["users"]["national_staff"], password_confirmed=True)
        before = _snapshot()
        response = client.post(
            "/admin/regions/coordinatorassignment/",
            {"action": "delete_selected", ACTION_CHECKBOX_NAME: ["\x00"], "post": "yes"},
        )
        assert response.status_code == 400
        response = client.post(
            "/admin/regions/coordinatorassignment/",
            {"action": "delete_selected", ACTION_CHECKBOX_NAME: ["abc"]},
        )
        assert response.status_code == 400
        assert _snapshot() == before

    def test_malformed_staff_id_on_the_office_form_is_a_field_error(self, world, almaty) -> None:  # type: ignore[no-untyped-def]
        office = FrontOffice.objects.get()
        for bad, status in (("\x00", 400), ("abc", 200)):
            response = client_for(world["users"]["national_staff"]).post(
                f"/admin/front_offices/frontoffice/{office.pk}/change/",
                {"name": "Changed", "region": almaty.pk, "address": office.address, "staff": [bad]},
            )
            assert response.status_code == status
            if status == 200:
                assert "staff" in response.context["adminform"].form.errors
        office.refresh_from_db()
        assert office.name == "Алматы фронт-офисі"
        assert list(office.staff.all()) == [world["users"]["office_staff"]]


@pytest.mark.django_db
class TestNoAdminFormWritesAroundAService:
    def test_volunteer_data_has_no_writable_admin(self) -> None:
        """Volunteer profiles and their history appear only in read-only admins, never inline."""
        for model, model_admin in admin.site._registry.items():
            for inline in model_admin.inlines:
                assert inline.model not in {Volunteer, VolunteerChange}, (model, inline)
            if model in {Volunteer, VolunteerChange}:
                assert NATIONAL_STAFF_WRITES[model._meta.label_lower] == set()

    def test_user_admin_edits_the_account_only(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        account = bob.user
        form_fields = set(
            client_for(nora)
            .get(f"/admin/accounts/user/{account.pk}/change/")
            .context["adminform"]
            .form.fields
        )
        assert form_fields <= {f.name for f in User._meta.get_fields()}
        response = client_for(nora, password_confirmed=True).post(
            f"/admin/accounts/user/{account.pk}/change/",
            {
                "email": account.email,
                "full_name": "Support Renamed",
                "is_active": "on",
                "last_name": "Changed",
                "phone": "+77019999999",
                "iin": "960101400123",
                "coordinator_assignments-TOTAL_FORMS": "0",
                "coordinator_assignments-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302
        account.refresh_from_db()
        assert account.full_name == "Support Renamed"
        volunteer = Volunteer.objects.get(pk=bob.pk)
        assert (volunteer.last_name, volunteer.phone, volunteer.iin) == (bob.last_name, bob.phone, bob.iin)
        assert not volunteer.changes.exists()

    def test_national_staff_assign_coordinated_regions_on_the_user_page(self, nora, almaty) -> None:  # type: ignore[no-untyped-def]
        newcomer = UserFactory(email="newcomer@example.kz")
        client = client_for(nora, password_confirmed=True)
        page = client.get(f"/admin/accounts/user/{newcomer.pk}/change/")
        assert [f.formset.prefix for f in page.context["inline_admin_formsets"]] == [
            "coordinator_assignments"
        ]
        response = client.post(
            f"/admin/accounts/user/{newcomer.pk}/change/",
            {
                "email": newcomer.email,
                "full_name": newcomer.full_name,
                "is_active": "on",
                "coordinator_assignments-TOTAL_FORMS": "1",
                "coordinator_assignments-INITIAL_FORMS": "0",
                "coordinator_assignments-0-region": almaty.pk,
            },
        )
        assert response.status_code == 302
        assert list(newcomer.coordinator_assignments.values_list("region_id", flat=True)) == [almaty.pk]

    def test_national_staff_cannot_make_anybody_superuser(self, nora) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora, password_confirmed=True).post(
            f"/admin/accounts/user/{nora.pk}/change/",
            {
                "email": nora.email,
                "full_name": nora.full_name,
                "is_active": "on",
                "is_national_staff": "on",
                "is_staff": "on",
                "is_superuser": "on",
                "coordinator_assignments-TOTAL_FORMS": "0",
                "coordinator_assignments-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302
        nora.refresh_from_db()
        assert not nora.is_superuser

    def test_national_staff_cannot_reset_a_superusers_password(self, nora) -> None:  # type: ignore[no-untyped-def]
        root = User.objects.create_superuser(email="root@example.kz", password=PASSWORD)
        client = client_for(nora)
        assert client.get(f"/admin/accounts/user/{root.pk}/password/").status_code == 403
        response = client.post(
            f"/admin/accounts/user/{root.pk}/password/",
            {"password1": "n3w-Passw0rd!", "password2": "n3w-Passw0rd!"},
        )
        assert response.status_code == 403
        root.refresh_from_db()
        assert root.check_password(PASSWORD)

    def test_users_are_not_deleted_in_the_admin(self, nora, bob) -> None:  # type: ignore[no-untyped-def]
        bob.refresh_from_db()
        response = client_for(nora).post(f"/admin/accounts/user/{bob.user_id}/delete/", {"post": "yes"})
        assert response.status_code == 403
        assert User.objects.filter(pk=bob.user_id).exists()
        assert Volunteer.objects.get(pk=bob.pk).last_name == "Қасымов"

    def test_front_office_admin_saves_reference_data_through_model_validation(self, nora, almaty) -> None:  # type: ignore[no-untyped-def]
        office = FrontOffice.objects.create(
            name="Алматы фронт-офисі", region=almaty, address="Абай даңғылы, 1"
        )
        client = client_for(nora)
        response = client.post(
            f"/admin/front_offices/frontoffice/{office.pk}/change/",
            {
                "name": office.name,
                "region": almaty.pk,
                "address": office.address,
                "visit_minutes": 30,
                "visitors_at_once": 2,
                "latitude": "10",
                "longitude": "76.9",
            },
        )
        assert response.status_code == 200
        assert "latitude" in response.context["adminform"].form.errors
        response = client.post(
            f"/admin/front_offices/frontoffice/{office.pk}/change/",
            {
                "name": office.name,
                "region": almaty.pk,
                "address": office.address,
                "phone": "8 727 250 12 34",
                "visit_minutes": 30,
                "visitors_at_once": 2,
            },
        )
        assert response.status_code == 302
        office.refresh_from_db()
        assert office.phone == "+77272501234"

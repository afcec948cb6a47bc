"""One profile open in two forms at once (the person's own and a coordinator's, or a curator's):
each save keeps what the other saved meanwhile in the fields it did not touch. A form used to
post every field as it was shown, and the later save put back the old values of fields the
earlier one had changed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, SkillFactory, UserFactory
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """What a browser posts from the page's form that holds `marker` (a field's name)."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append([])
        elif not self.forms or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[-1].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.forms[-1].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1].append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.forms[-1].append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def posted(self) -> dict[str, list[str]]:
        for fields in self.forms:
            if any(name == self.marker for name, _ in fields):
                data: dict[str, list[str]] = {}
                for name, value in fields:
                    data.setdefault(name, []).append(value)
                return data
        raise AssertionError(f"no form with {self.marker}")


def _opened(client: Client, url: str) -> dict[str, list[str]]:
    """The form as the page shows it, before anything is changed in it."""
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields("last_name")
    parser.feed(response.content.decode())
    return parser.posted()


def _save(client: Client, url: str, data: dict[str, list[str]], **changes: str) -> None:
    response = client.post(url, {**data, **{k: [v] for k, v in changes.items()}})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_coordinator_saving_a_name_keeps_the_phone_the_person_changed_meanwhile(alice, bob) -> None:  # type: ignore[no-untyped-def]
    staff_url = reverse("roster:edit", args=[bob.pk])
    staff_form = _opened(client_for(alice), staff_url)
    own = client_for(bob.user, password_confirmed=True)
    _save(own, "/me/edit/", _opened(own, "/me/edit/"), phone="+77015550011", locality="Қаскелең")

    _save(client_for(alice), staff_url, staff_form, last_name="Омаров")

    bob.refresh_from_db()
    assert (bob.last_name, bob.phone, bob.locality) == ("Омаров", "+77015550011", "Қаскелең")
    # The history says who changed what: the person the phone, the coordinator the name.
    changes = [
        (by, sorted(fields)) for by, fields in bob.changes.order_by("pk").values_list("changed_by", "fields")
    ]
    assert changes[-2:] == [(bob.user_id, ["locality", "phone"]), (alice.pk, ["last_name"])]


def test_the_person_saving_their_phone_keeps_the_skills_and_status_staff_set_meanwhile(alice, bob) -> None:  # type: ignore[no-untyped-def]
    skill = SkillFactory()
    own = client_for(bob.user, password_confirmed=True)
    own_form = _opened(own, "/me/edit/")
    staff_url = reverse("roster:edit", args=[bob.pk])
    _save(
        client_for(alice),
        staff_url,
        _opened(client_for(alice), staff_url),
        skills=str(skill.pk),
        locality="Талғар",
    )

    _save(own, "/me/edit/", own_form, phone="+77015550012")

    bob.refresh_from_db()
    assert (bob.phone, bob.locality) == ("+77015550012", "Талғар")
    assert list(bob.skills.all()) == [skill]


def test_a_curator_and_a_coordinator_edit_one_pupil_at_once(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    curator = UserFactory(email="curator@example.kz")
    detachment = DetachmentFactory(region=almaty, curator=curator)
    pupil = MinorFactory(region=almaty, detachment=detachment, status=Volunteer.Status.ACTIVE)
    curator_url = f"/detachments/{detachment.pk}/members/{pupil.pk}/edit/"
    curator_form = _opened(client_for(curator), curator_url)
    staff_url = reverse("roster:edit", args=[pupil.pk])
    _save(client_for(alice), staff_url, _opened(client_for(alice), staff_url), guardian_phone="+77017000001")

    _save(client_for(curator), curator_url, curator_form, first_name="Әлия")

    pupil.refresh_from_db()
    assert (pupil.first_name, pupil.guardian_phone) == ("Әлия", "+77017000001")

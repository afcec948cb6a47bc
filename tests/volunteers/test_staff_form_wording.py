"""Staff fill profile forms for someone else: the area point is "the person's", and there is no
"Use my location", which would have stored where the coordinator or curator stood as the
pupil's or volunteer's area. The person's own form keeps both."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import DetachmentFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
OWN = ("Latitude of my area", "data-locate-label", "data-area-longitude")


def _text(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url, **EN)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_coordinator_edits_the_persons_area_without_a_locate_button(alice, bob) -> None:  # type: ignore[no-untyped-def]
    for url in (reverse("roster:edit", args=[bob.pk]), reverse("roster:create")):
        text = _text(client_for(alice), url)
        assert "Latitude of the person's area" in text and "Longitude of the person's area" in text
        assert not any(own in text for own in OWN)


def test_a_curator_adding_a_pupil_has_no_locate_button(almaty) -> None:  # type: ignore[no-untyped-def]
    curator = UserFactory(email="teacher@example.kz")
    detachment = DetachmentFactory(region=almaty, curator=curator)
    text = _text(client_for(curator), f"/detachments/{detachment.pk}/members/new/")
    assert "Latitude of the person's area" in text
    assert not any(own in text for own in OWN)


def test_the_person_editing_their_own_profile_keeps_my_location(bob) -> None:  # type: ignore[no-untyped-def]
    text = _text(client_for(bob.user), "/me/edit/")
    assert all(own in text for own in OWN)
    assert "the person's area" not in text

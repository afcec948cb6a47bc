"""What a curator or coordinator needs on a phone is in each row of the lists: the phone as a
link that dials, grouped the way it is read aloud (the guardian's too), the minor and consent
flags, and the row's actions. The browser test checks the layout; these check the content."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import DetachmentFactory, MinorFactory, UserFactory, years_ago


def _row(html: str, text: str) -> str:
    rows = [row for row in re.findall(r"<tr[ >].*?</tr>", html, flags=re.S) if text in row]
    assert len(rows) == 1, (text, rows)
    return rows[0]


@pytest.mark.django_db
def test_roster_rows_dial_and_flag_missing_consent(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    waiting = MinorFactory(region=almaty, last_name="Бекова", phone="+77021112233")
    consented = MinorFactory(region=almaty, last_name="Омаров", guardian_consent_at=timezone.now())
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    html = client.get("/roster/").content.decode()

    row = _row(html, waiting.last_name)
    assert '<a href="tel:+77021112233" class="nowrap">+7 702 111 22 33</a>' in row
    assert "minor" in row and "no guardian consent" in row
    row = _row(html, consented.last_name)
    assert "minor" in row and "no guardian consent" not in row


@pytest.mark.django_db
def test_member_rows_show_grouped_guardian_phone_and_actions(almaty) -> None:  # type: ignore[no-untyped-def]
    curator = UserFactory(email="teacher@example.kz")
    detachment = DetachmentFactory(region=almaty, curator=curator)
    member = MinorFactory(
        region=almaty,
        detachment=detachment,
        birth_date=years_ago(12),
        last_name="Бекова",
        phone="+77021112233",
        guardian_phone="+77017654321",
    )
    client = client_for(curator)
    client.cookies["django_language"] = "en"
    row = _row(client.get(f"/detachments/{detachment.pk}/").content.decode(), member.last_name)
    assert '<a href="tel:+77021112233" class="nowrap">+7 702 111 22 33</a>' in row
    assert '<a href="tel:+77017654321" class="nowrap">+7 701 765 43 21</a>' in row
    assert "+77017654321<" not in row  # never the raw stored form as text
    assert f'href="/detachments/{detachment.pk}/members/{member.pk}/guardian-consent/"' in row
    assert f'href="/detachments/{detachment.pk}/members/{member.pk}/edit/"' in row
    assert "required before any activity" in row


@pytest.mark.django_db
def test_profile_shows_the_guardian_phone_grouped(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    minor = MinorFactory(region=almaty, guardian_phone="+77017654321")
    html = client_for(alice).get(f"/roster/{minor.pk}/").content.decode()
    assert '<a href="tel:+77017654321" class="nowrap">+7 701 765 43 21</a>' in html

"""Curators are invited by e-mail, within the inviter's region, and become curators only on
accepting the mailed link (an account is made then for a new address).

The reported bug: an Almaty coordinator made the Astana coordinator a curator by typing their
address, and Astana then saw the Almaty pupils' guardians.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from detachments.invitation_links import invitation_token
from detachments.models import CuratorInvitation, Detachment
from front_offices.models import FrontOffice
from regions.models import CoordinatorAssignment
from tests.conftest import client_for, mailed_link
from tests.factories import PASSWORD, DetachmentFactory, MinorFactory, UserFactory, VolunteerFactory

NEW_PASSWORD = "Samal-Tau-2026-kz"


@pytest.fixture
def old_curator(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="old.teacher@example.kz", full_name="Сәуле Жақыпова")


@pytest.fixture
def detachment(almaty, old_curator):  # type: ignore[no-untyped-def]
    return DetachmentFactory(
        region=almaty, curator=old_curator, school_name="№ 25 мектеп-гимназия", school_number="25"
    )


@pytest.fixture
def invite(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Post the detachment's edit form with a curator's address as `user`, as a coordinator
    does, letting the mail go out (the test's transaction never commits)."""

    def _invite(user: Any, detachment: Detachment, email: str, *, lang: str = "kk") -> Any:
        client = client_for(user)
        client.cookies["django_language"] = lang
        data = {
            "school_name": detachment.school_name,
            "school_number": detachment.school_number,
            "locality": detachment.locality,
            "region": detachment.region_id,
            "latitude": detachment.latitude or "",
            "longitude": detachment.longitude or "",
            "curator_email": email,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/detachments/{detachment.pk}/edit/", data)

    return _invite


def en(client: Client | None = None) -> Client:
    """A client that reads the pages in English, so that tests can quote the messages."""
    client = client or Client()
    client.cookies["django_language"] = "en"
    return client


def _link(index: int = -1) -> str:
    return mailed_link(mail.outbox[index], "/detachments/invitations/")


@pytest.mark.django_db
class TestInvite:
    def test_coordinator_invites_by_mail_and_nothing_changes_until_accepted(  # type: ignore[no-untyped-def]
        self, alice, detachment, old_curator, invite
    ) -> None:
        response = invite(alice, detachment, "  New.Teacher@Example.kz ", lang="ru")
        assert response.status_code == 302 and response.url == f"/detachments/{detachment.pk}/"
        invitation = CuratorInvitation.objects.get()
        assert invitation.email == "new.teacher@example.kz" and invitation.invited_by == alice
        assert invitation.detachment == detachment and invitation.is_pending()
        detachment.refresh_from_db()
        assert detachment.curator == old_curator, "the old curator stays until the invitation is accepted"
        assert not User.objects.filter(email="new.teacher@example.kz").exists()
        # The mail is in the inviter's language (no profile says otherwise), with both parts.
        message = mail.outbox[0]
        assert message.to == ["new.teacher@example.kz"]
        assert "куратором" in message.subject and "№ 25 мектеп-гимназия" in message.subject
        assert _link() == f"/detachments/invitations/{invitation_token(invitation)}/"
        html = message.alternatives[0][0]
        assert f"/detachments/invitations/{invitation_token(invitation)}/" in html
        # The detachment page lists it, with the way to revoke it.
        page = client_for(alice).get(f"/detachments/{detachment.pk}/")
        assert list(page.context["invitations"]) == [invitation]
        assert f"/detachments/{detachment.pk}/invitations/{invitation.pk}/revoke/" in page.content.decode()

    def test_mail_is_in_the_invitees_profile_language(self, alice, detachment, bob, invite) -> None:  # type: ignore[no-untyped-def]
        bob.preferred_language = "ru"
        bob.save()
        invite(alice, detachment, bob.user.email, lang="kk")
        assert "куратором" in mail.outbox[0].subject

    def test_curators_do_not_see_the_invitations(self, alice, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        page = client_for(old_curator).get(f"/detachments/{detachment.pk}/")
        assert page.status_code == 200 and not page.context["invitations"]
        assert "new.teacher@example.kz" not in page.content.decode()

    def test_a_second_invitation_to_the_same_address_replaces_the_first(
        self, alice, detachment, invite
    ) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        first_link = _link()
        invite(alice, detachment, "new.teacher@example.kz")
        first, second = CuratorInvitation.objects.order_by("id")
        assert first.revoked_at is not None and second.is_pending()
        assert Client().get(first_link).status_code == 410
        assert Client().get(_link()).status_code == 200

    def test_unchanged_curator_address_sends_nothing(self, alice, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        assert invite(alice, detachment, old_curator.email.upper()).status_code == 302
        assert not CuratorInvitation.objects.exists() and not mail.outbox
        detachment.refresh_from_db()
        assert detachment.curator == old_curator

    def test_emptied_address_removes_the_curator(self, alice, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        assert invite(alice, detachment, "").status_code == 302
        detachment.refresh_from_db()
        assert detachment.curator is None and not mail.outbox

    def test_inactive_account_is_refused(self, alice, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        UserFactory(email="pending@example.kz", is_active=False)
        response = invite(alice, detachment, "pending@example.kz")
        assert response.status_code == 200
        assert [e.code for e in response.context["form"].errors.as_data()["curator_email"]] == ["inactive"]
        assert not CuratorInvitation.objects.exists() and not mail.outbox


@pytest.mark.django_db
class TestTiedToAnotherRegion:
    """A person with a role or a profile in another region is refused, with the reason by the
    address typed; nothing is sent and the detachment keeps its curator."""

    @staticmethod
    def _refused(response: Any, detachment: Detachment, curator: User) -> None:
        assert response.status_code == 200
        errors = response.context["form"].errors.as_data()
        assert [e.code for e in errors["curator_email"]] == ["other_region"]
        assert "curator_email" in response.content.decode()
        assert not CuratorInvitation.objects.exists() and not mail.outbox
        detachment.refresh_from_db()
        assert detachment.curator == curator

    def test_the_astana_coordinator_cannot_be_made_an_almaty_curator(  # type: ignore[no-untyped-def]
        self, alice, charlie, detachment, old_curator, invite
    ) -> None:
        minor = MinorFactory(region=detachment.region, detachment=detachment, guardian_name="Бекова Гүлжан")
        self._refused(invite(alice, detachment, "charlie@example.kz"), detachment, old_curator)
        # So Astana's coordinator sees nothing of the Almaty pupils or their guardians.
        charlie_client = client_for(charlie)
        assert charlie_client.get(f"/detachments/{detachment.pk}/").status_code == 404
        assert charlie_client.get(f"/roster/{minor.pk}/").status_code == 404

    def test_volunteer_of_another_region(self, alice, astana, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        VolunteerFactory(region=astana, with_account=True, email="astana.volunteer@example.kz")
        self._refused(invite(alice, detachment, "astana.volunteer@example.kz"), detachment, old_curator)

    def test_curator_in_another_region(self, alice, astana, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        teacher = UserFactory(email="astana.teacher@example.kz")
        DetachmentFactory(region=astana, curator=teacher, locality="Астана")
        self._refused(invite(alice, detachment, teacher.email), detachment, old_curator)

    def test_front_office_staff_of_another_region(
        self, alice, astana, detachment, old_curator, invite
    ) -> None:  # type: ignore[no-untyped-def]
        clerk = UserFactory(email="astana.office@example.kz")
        office = FrontOffice.objects.create(name="Астана фронт-офисі", region=astana, address="Абай, 1")
        office.staff.add(clerk)
        self._refused(invite(alice, detachment, clerk.email), detachment, old_curator)

    def test_coordinator_of_both_regions(self, alice, astana, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        both = UserFactory(email="both@example.kz")
        CoordinatorAssignment.objects.create(user=both, region=detachment.region)
        CoordinatorAssignment.objects.create(user=both, region=astana)
        self._refused(invite(alice, detachment, both.email), detachment, old_curator)

    def test_new_detachment_with_a_refused_curator_is_not_created(self, alice, almaty, charlie) -> None:  # type: ignore[no-untyped-def]
        response = client_for(alice).post(
            "/detachments/new/",
            {
                "school_name": "Абай атындағы мектеп",
                "locality": "Алматы",
                "region": almaty.pk,
                "curator_email": charlie.email,
            },
        )
        assert response.status_code == 200 and "curator_email" in response.context["form"].errors
        assert not Detachment.objects.exists() and not CuratorInvitation.objects.exists()

    def test_people_of_the_same_region_may_be_invited(  # type: ignore[no-untyped-def]
        self, alice, almaty, bob, detachment, invite
    ) -> None:
        # bob volunteers in Almaty and works in an Almaty office: both tie him to this region.
        office = FrontOffice.objects.create(name="Алматы фронт-офисі", region=almaty, address="Абай, 10")
        office.staff.add(bob.user)
        assert invite(alice, detachment, bob.user.email).status_code == 302
        assert CuratorInvitation.objects.get().email == bob.user.email

    def test_national_staff_may_invite_anyone(self, nora, charlie, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        assert invite(nora, detachment, charlie.email).status_code == 302
        invitation = CuratorInvitation.objects.get()
        assert invitation.email == charlie.email and invitation.invited_by == nora


@pytest.mark.django_db
class TestTheCuratorIsAnAdult:
    """A pupil's address typed for the teacher's: the child would read the classmates' and their
    parents' details."""

    def test_a_volunteer_under_18_is_not_invited(self, alice, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        pupil = MinorFactory(region=detachment.region, with_account=True, email="pupil@example.kz")
        response = invite(alice, detachment, pupil.user.email, lang="en")
        assert response.status_code == 200
        assert response.context["form"].errors["curator_email"] == [
            "This address is a volunteer's under 18: a curator sees the pupils' and their guardians' "
            "details, so the curator is an adult."
        ]
        assert not CuratorInvitation.objects.exists() and not mail.outbox
        detachment.refresh_from_db()
        assert detachment.curator == old_curator

    def test_nor_made_curator_by_an_invitation_sent_before_their_profile(  # type: ignore[no-untyped-def]
        self, alice, detachment, old_curator, invite
    ) -> None:
        invitee = UserFactory(email="young@example.kz")
        assert invite(alice, detachment, invitee.email).status_code == 302
        MinorFactory(region=detachment.region, user=invitee, email=invitee.email)
        client = en(client_for(invitee))
        response = client.post(_link())
        assert response.status_code == 409 and "so the curator is an adult" in response.context["error"]
        detachment.refresh_from_db()
        assert detachment.curator == old_curator

    def test_an_adult_volunteer_of_the_region_is(self, alice, bob, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        assert invite(alice, detachment, bob.user.email).status_code == 302


@pytest.mark.django_db
class TestAccept:
    def test_existing_account_logs_in_then_accepts_and_replaces_the_old_curator(  # type: ignore[no-untyped-def]
        self, alice, bob, detachment, old_curator, invite
    ) -> None:
        invite(alice, detachment, "someone.else@example.kz")
        invite(alice, detachment, bob.user.email)
        link = _link()
        client = Client()
        # Not logged in: the page asks to log in as the invited address, and comes back after.
        page = client.get(link)
        assert page.status_code == 200 and page.context["mode"] == "login"
        assert f"/accounts/login/?next={quote(link)}" in page.content.decode()
        login = client.post(
            f"/accounts/login/?next={link}", {"username": bob.user.email, "password": PASSWORD}
        )
        assert login.status_code == 302
        page = client.get(login.url)
        assert page.status_code == 200 and page.context["mode"] == "accept"
        detachment.refresh_from_db()
        assert detachment.curator == old_curator, "opening the link changes nothing"

        response = client.post(link)
        assert response.status_code == 302 and response.url == f"/detachments/{detachment.pk}/"
        detachment.refresh_from_db()
        assert detachment.curator == bob.user
        accepted = CuratorInvitation.objects.get(email=bob.user.email)
        assert accepted.accepted_at is not None and accepted.accepted_by == bob.user
        # The post is filled: the other invitation no longer works.
        other = CuratorInvitation.objects.get(email="someone.else@example.kz")
        assert other.revoked_at is not None and other.accepted_at is None
        # The new curator runs the detachment; the old one no longer sees it.
        assert client.get(f"/detachments/{detachment.pk}/").status_code == 200
        assert client_for(old_curator).get(f"/detachments/{detachment.pk}/").status_code == 404

    def test_new_address_sets_a_password_and_becomes_curator(self, alice, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        link = _link()
        client = Client()
        page = client.get(link)
        assert page.status_code == 200 and page.context["mode"] == "new"
        # A mistake first: nothing is created.
        response = client.post(
            link, {"full_name": "Ирина Ковалёва", "password1": NEW_PASSWORD, "password2": "x"}
        )
        assert response.status_code == 200 and "password2" in response.context["form"].errors
        assert not User.objects.filter(email="new.teacher@example.kz").exists()

        response = client.post(
            link, {"full_name": "  Ирина   Ковалёва ", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 302 and response.url == f"/detachments/{detachment.pk}/"
        user = User.objects.get(email="new.teacher@example.kz")
        # Active at once: the mailed link proved the address.
        assert user.is_active and user.full_name == "Ирина Ковалёва" and user.check_password(NEW_PASSWORD)
        detachment.refresh_from_db()
        assert detachment.curator == user
        invitation = CuratorInvitation.objects.get()
        assert invitation.accepted_by == user
        # Logged in, on the detachment's page.
        assert client.get(response.url).status_code == 200
        # And the account logs in with the chosen password from now on.
        login = Client().post("/accounts/login/", {"username": user.email, "password": NEW_PASSWORD})
        assert login.status_code == 302

    def test_weak_password_is_a_field_error(self, alice, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        response = Client().post(_link(), {"full_name": "Ирина", "password1": "12345", "password2": "12345"})
        assert response.status_code == 200 and "password1" in response.context["form"].errors
        assert not User.objects.filter(email="new.teacher@example.kz").exists()

    def test_another_account_cannot_accept(self, alice, bob, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        client = client_for(bob.user)
        page = client.get(_link())
        assert page.status_code == 200 and page.context["mode"] == "other_user"
        assert client.post(_link()).status_code == 200
        detachment.refresh_from_db()
        assert detachment.curator == old_curator
        assert CuratorInvitation.objects.get().is_pending()

    def test_a_tie_to_another_region_since_the_invitation_is_refused(  # type: ignore[no-untyped-def]
        self, alice, astana, bob, detachment, old_curator, invite
    ) -> None:
        invite(alice, detachment, bob.user.email)
        CoordinatorAssignment.objects.create(user=bob.user, region=astana)
        response = en(client_for(bob.user)).post(_link())
        assert response.status_code == 409 and "another region" in response.context["error"]
        detachment.refresh_from_db()
        assert detachment.curator == old_curator
        assert CuratorInvitation.objects.get().accepted_at is None


@pytest.mark.django_db
class TestLinksThatNoLongerWork:
    def test_expired(self, alice, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        CuratorInvitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
        client = en()
        page = client.get(_link())
        assert page.status_code == 410 and "expired" in page.context["error"]
        response = client.post(
            _link(), {"full_name": "X Y", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 410
        assert not User.objects.filter(email="new.teacher@example.kz").exists()
        detachment.refresh_from_db()
        assert detachment.curator == old_curator
        # Nor is it listed as awaiting an answer.
        assert not client_for(alice).get(f"/detachments/{detachment.pk}/").context["invitations"]

    @pytest.mark.parametrize("how", ["assignment_removed", "deactivated"])
    def test_the_inviter_has_left_the_region(
        self, alice, bob, nora, detachment, old_curator, invite, how
    ) -> None:  # type: ignore[no-untyped-def]
        """Alice, about to be taken off Almaty, invites her own other address (and an existing
        account): once she is off, neither link makes anybody the curator of Almaty's pupils."""
        invite(alice, detachment, "alice.other@example.kz")
        new_address_link = _link()
        invite(alice, detachment, bob.user.email)
        account_link = _link()
        if how == "assignment_removed":
            CoordinatorAssignment.objects.filter(user=alice).delete()
        else:
            User.objects.filter(pk=alice.pk).update(is_active=False)

        client = en()
        page = client.get(new_address_link)
        assert page.status_code == 410 and "no longer coordinates" in page.context["error"]
        response = client.post(
            new_address_link, {"full_name": "X Y", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 410
        assert not User.objects.filter(email="alice.other@example.kz").exists()
        assert en(client_for(bob.user)).post(account_link).status_code == 410
        detachment.refresh_from_db()
        assert detachment.curator == old_curator
        assert not CuratorInvitation.objects.filter(accepted_at__isnull=False).exists()
        # Nor are they listed as awaiting an answer that cannot come.
        assert client_for(nora).get(f"/detachments/{detachment.pk}/").context["invitations"] == []

    def test_an_invitation_of_national_staff_still_works(self, nora, bob, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        invite(nora, detachment, bob.user.email)
        assert client_for(bob.user).post(_link()).status_code == 302
        detachment.refresh_from_db()
        assert detachment.curator == bob.user

    def test_revoked_on_the_detachment_page(self, alice, detachment, old_curator, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        invitation = CuratorInvitation.objects.get()
        revoke_url = f"/detachments/{detachment.pk}/invitations/{invitation.pk}/revoke/"
        # A GET (a reloaded tab) changes nothing: the branded 405 page.
        assert client_for(alice).get(revoke_url).status_code == 405
        response = client_for(alice).post(revoke_url)
        assert response.status_code == 302 and response.url == f"/detachments/{detachment.pk}/"
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None
        page = en().get(_link())
        assert page.status_code == 410 and "withdrawn" in page.context["error"]
        assert Client().post(_link(), {"full_name": "X"}).status_code == 410
        assert not client_for(alice).get(f"/detachments/{detachment.pk}/").context["invitations"]
        # A revoked invitation cannot be revoked again (it is no longer listed).
        assert client_for(alice).post(revoke_url).status_code == 404

    def test_used(self, alice, bob, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, bob.user.email)
        client = en(client_for(bob.user))
        assert client.post(_link()).status_code == 302
        again = client.post(_link())
        assert again.status_code == 410 and "already been accepted" in again.context["error"]
        # The new curator is shown the way to the detachment rather than a dead end.
        assert f'href="/detachments/{detachment.pk}/"' in again.content.decode()
        assert Client().get(_link()).status_code == 410

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # altered signature
            lambda token: "eyJpIjo5OTl9:1vAAAA:forged",  # made up
            lambda token: "x",
        ],
    )
    def test_forged(self, alice, detachment, old_curator, invite, mangle) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        token = _link().rstrip("/").rsplit("/", 1)[-1]
        url = f"/detachments/invitations/{mangle(token)}/"
        page = en().get(url)
        assert page.status_code == 404 and "not valid" in page.context["error"]
        response = Client().post(
            url, {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 404
        assert not User.objects.filter(email="new.teacher@example.kz").exists()

    def test_a_signed_link_to_an_invitation_that_is_gone(self, alice, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        link = _link()
        CuratorInvitation.objects.all().delete()
        assert Client().get(link).status_code == 404


@pytest.mark.django_db
class TestScope:
    def test_charlie_cannot_invite_into_an_almaty_detachment(self, charlie, detachment, old_curator) -> None:  # type: ignore[no-untyped-def]
        client = client_for(charlie)
        assert client.get(f"/detachments/{detachment.pk}/edit/").status_code == 404
        response = client.post(
            f"/detachments/{detachment.pk}/edit/",
            {
                "school_name": "X",
                "locality": "Алматы",
                "region": detachment.region_id,
                "curator_email": "charlie.friend@example.kz",
            },
        )
        assert response.status_code == 404
        assert not CuratorInvitation.objects.exists() and not mail.outbox
        detachment.refresh_from_db()
        assert detachment.curator == old_curator

    def test_charlie_cannot_revoke_an_almaty_invitation(self, alice, charlie, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        invitation = CuratorInvitation.objects.get()
        url = f"/detachments/{detachment.pk}/invitations/{invitation.pk}/revoke/"
        assert client_for(charlie).post(url).status_code == 404
        # Nor may the curator, who runs the detachment but does not choose its curator.
        assert client_for(detachment.curator).post(url).status_code == 404
        invitation.refresh_from_db()
        assert invitation.is_pending()

    def test_an_invitation_of_another_detachment_is_404(self, alice, almaty, detachment, invite) -> None:  # type: ignore[no-untyped-def]
        invite(alice, detachment, "new.teacher@example.kz")
        other = DetachmentFactory(region=almaty)
        invitation = CuratorInvitation.objects.get()
        response = client_for(alice).post(f"/detachments/{other.pk}/invitations/{invitation.pk}/revoke/")
        assert response.status_code == 404
        invitation.refresh_from_db()
        assert invitation.is_pending()


@pytest.mark.django_db(transaction=True)
def test_two_invitees_accepting_at_once_leave_one_curator(regions_in_transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Both pages were opened before either accepted. One becomes the curator; the other is told
    the invitation was withdrawn (the post is filled), rather than replacing the first or the
    two waiting on each other's rows."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from detachments import services
    from regions.models import Region

    almaty = Region.objects.get(code="75")
    coordinator = UserFactory(email="alice@example.kz")
    CoordinatorAssignment.objects.create(user=coordinator, region=almaty)
    detachment = DetachmentFactory(region=almaty)
    invitees = [UserFactory(email=f"teacher{n}@example.kz") for n in range(2)]
    invitations = [
        services.curator_invite(detachment=detachment, email=u.email, by=coordinator) for u in invitees
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(invitation: CuratorInvitation, user: User) -> None:
        try:
            barrier.wait(timeout=10)
            services.curator_invitation_accept(invitation=invitation, user=user)
            outcomes.append("curator")
        except ValidationError as exc:
            outcomes.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=pair) for pair in zip(invitations, invitees, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["curator", "revoked"]
    detachment.refresh_from_db()
    winner = CuratorInvitation.objects.get(accepted_at__isnull=False)
    assert detachment.curator == winner.accepted_by
    assert CuratorInvitation.objects.filter(revoked_at__isnull=False).count() == 1

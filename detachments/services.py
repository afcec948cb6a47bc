"""Writes for school detachments and the invitations of their curators."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.models import User
from accounts.services_common import mail_send, model_update, refuse_unknown_fields
from regions.scoping import is_national_staff, may_manage_region
from volunteers.models import Volunteer

from . import extensions, selectors
from .invitation_links import invitation_url
from .models import CuratorInvitation, Detachment

# What a detachment's form may write; the key and creation time are the system's. The form sets
# `curator` only to remove one: a new curator comes by invitation (curator_invite).
DETACHMENT_FIELDS = ("school_name", "school_number", "locality", "region", "latitude", "longitude", "curator")


@transaction.atomic
def detachment_create(*, data: dict[str, Any], invite_email: str = "", by: User | None = None) -> Detachment:
    """`data` may hold DETACHMENT_FIELDS only; any other key is refused with TypeError.

    With `invite_email`, the curator's invitation is sent from `by` in the same transaction: an
    invitation that is refused leaves no detachment behind.
    """
    refuse_unknown_fields(fields=DETACHMENT_FIELDS, data=data)
    detachment = Detachment(**data)
    detachment.full_clean()
    detachment.save()
    if invite_email:
        curator_invite(detachment=detachment, email=invite_email, by=_inviter(by))
    return detachment


@transaction.atomic
def detachment_update(
    *, detachment: Detachment, data: dict[str, Any], invite_email: str = "", by: User | None = None
) -> Detachment:
    """`data` may hold DETACHMENT_FIELDS only; any other key is refused with TypeError.
    With `invite_email`, as detachment_create.

    A detachment left without its curator gives up what it went to as a whole (see
    extensions.CURATOR_GONE_HOOKS): pupils never go without their curator."""
    # Changes are found against the row on file, locked and read afresh, never against the
    # caller's copy: the edit page's ModelForm has already written the typed values into its
    # instance while validating, so that copy compared equal to itself and nothing was saved.
    current = (
        Detachment.objects.select_for_update(of=("self",)).select_related("curator").get(pk=detachment.pk)
    )
    removed = current.curator
    if "region" in data:
        _refuse_move_if_tied(current, data["region"])
    model_update(instance=current, fields=DETACHMENT_FIELDS, data=data)
    if removed is not None and current.curator_id is None:
        for hook in extensions.CURATOR_GONE_HOOKS:
            hook(detachment=current, curator=removed, by=by)
    if removed is not None and current.curator_id != removed.pk:
        # The curator read the pupils' and guardians' details: their API tokens go with the
        # post, as a coordinator's go with a region (accounts.services.user_rights_reduced).
        accounts_services.user_rights_reduced(user=removed)
    # Keep the caller's instance in step with what was saved.
    detachment.refresh_from_db()
    if invite_email:
        curator_invite(detachment=detachment, email=invite_email, by=_inviter(by))
    return detachment


def curator_account_closed(*, user: User) -> None:
    """The curator's account is being deleted (on its owner's request) or deactivated (national
    staff's way of removing an account): each detachment they curated is left without a curator,
    as when a coordinator removes one, and gives up what it went to (extensions.
    CURATOR_GONE_HOOKS), telling no one at the closed address. A deactivated account that comes
    back is made curator again by the coordinator, as any new curator is."""
    with transaction.atomic():
        released = False
        for detachment in (
            Detachment.objects.select_for_update(of=("self",)).filter(curator=user).order_by("pk")
        ):
            detachment.curator = None
            detachment.save(update_fields=["curator"])
            for hook in extensions.CURATOR_GONE_HOOKS:
                hook(detachment=detachment, curator=None, by=None)
            released = True
        if released:
            # Whichever way the account was closed, its tokens do not outlive the post.
            accounts_services.user_rights_reduced(user=user)


def _refuse_move_if_tied(detachment: Detachment, region: Any) -> None:
    """A detachment's pupils and the help it goes to are its region's: moved elsewhere, the
    pupils would stay behind with a detachment of another region whose curator there still
    reads them, and it would keep places on requests it can no longer take."""
    region_id = getattr(region, "pk", region)
    if region_id == detachment.region_id:
        return
    if Volunteer.objects.filter(detachment=detachment, anonymized_at__isnull=True).exists():
        raise ValidationError(
            {
                "region": ValidationError(
                    _(
                        "This detachment has members, and they belong to its region. Move them to "
                        "another detachment or remove them before moving it to another region."
                    ),
                    code="has_members",
                )
            }
        )
    for refusal in extensions.MOVE_REFUSALS:
        error = refusal(detachment=detachment)
        if error is not None:
            raise ValidationError({"region": error})


def _inviter(by: User | None) -> User:
    if by is None:
        raise TypeError("an invitation needs the user who sends it (by=)")
    return by


# Curator invitations -----------------------------------------------------------------------


def _email_error(message: str, code: str) -> ValidationError:
    # Keyed by the detachment form's field, so that the page shows it by the address typed.
    return ValidationError({"curator_email": [ValidationError(message, code=code)]})


def _refuse_if_tied_elsewhere(*, user: User, detachment: Detachment, invited_by: User | None) -> None:
    """A curator sees the detachment's pupils and their guardians: a person with a role or a
    profile in another region (a coordinator there, say) would carry that data out of the
    region. National staff, who see every region anyway, may decide otherwise."""
    if invited_by is not None and is_national_staff(invited_by):
        return
    if selectors.regions_tied_to(user=user) - {detachment.region_id}:
        raise _email_error(
            _(
                "This person already has a role or a volunteer profile in another region, so "
                "they cannot curate a detachment here. Ask national staff if this is intended."
            ),
            "other_region",
        )


def _curator_minor_message() -> str:
    return _(
        "This address is a volunteer's under 18: a curator sees the pupils' and their guardians' "
        "details, so the curator is an adult."
    )


def _is_minor(user: User) -> bool:
    profile = Volunteer.objects.filter(user=user, anonymized_at__isnull=True).first()
    return profile is not None and profile.is_minor()


@transaction.atomic
def curator_invite(
    *, detachment: Detachment, email: str, by: User, language: str | None = None
) -> CuratorInvitation:
    """Mail an invitation to curate `detachment` to `email`; the person becomes the curator on
    accepting it (curator_invitation_accept). Refused, with an error on "curator_email", for a
    person tied to another region (see _refuse_if_tied_elsewhere), an inactive account, the
    current curator and a volunteer under 18. An earlier open invitation to the same address is
    replaced.

    The mail is in the language of the invitee's volunteer profile if they have one, else in
    `language` (the inviter's page's, by default the active one).
    """
    if not may_manage_region(by, detachment.region_id):
        raise PermissionDenied
    email = " ".join(email.split()).lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise _email_error(_("Enter a valid e-mail address."), "invalid") from exc
    existing = User.objects.filter(email__iexact=email).first()
    profile = None
    if existing is not None:
        if existing.pk == detachment.curator_id:
            raise _email_error(_("This person is already the detachment's curator."), "already_curator")
        if not existing.is_active:
            raise _email_error(
                _(
                    "The account of this address is not active: its registration has not been "
                    "confirmed or it was deactivated."
                ),
                "inactive",
            )
        _refuse_if_tied_elsewhere(user=existing, detachment=detachment, invited_by=by)
        profile = Volunteer.objects.filter(user=existing, anonymized_at__isnull=True).first()
        if profile is not None and profile.is_minor():
            # A pupil's address typed for the teacher's: the child would read the classmates'
            # and their parents' details.
            raise _email_error(_curator_minor_message(), "minor")
    now = timezone.now()
    # A new invitation to the same address replaces the open one: only the latest link works.
    CuratorInvitation.objects.filter(
        detachment=detachment, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = CuratorInvitation.objects.create(
        detachment=detachment,
        email=email,
        invited_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.CURATOR_INVITATION_DAYS),
    )
    mail_language = (
        profile.preferred_language
        if profile is not None
        else (language or translation.get_language() or settings.LANGUAGE_CODE)
    )
    mail_send(
        to=email,
        template="detachments/emails/curator_invitation",
        context={
            "link": invitation_url(invitation),
            "detachment": detachment,
            "region": detachment.region,
            "inviter": by.full_name or by.email,
            "valid_until": invitation.expires_at,
            "has_account": existing is not None,
        },
        language=mail_language,
    )
    return invitation


def _lock(invitation: CuratorInvitation) -> tuple[Detachment, CuratorInvitation]:
    """Lock the detachment, then the invitation, and read both afresh. Always in this order:
    an acceptance also lapses the detachment's other invitations, so two invitees accepting at
    once queue on the detachment instead of each holding an invitation the other needs."""
    detachment = Detachment.objects.select_for_update().get(pk=invitation.detachment_id)
    locked = (
        CuratorInvitation.objects.select_for_update(of=("self",))
        .select_related("invited_by")
        .get(pk=invitation.pk)
    )
    return detachment, locked


@transaction.atomic
def curator_invitation_accept(*, invitation: CuratorInvitation, user: User) -> Detachment:
    """The invitee, logged in with the invited address, accepts: they become the detachment's
    curator, replacing the one before, and the detachment's other open invitations lapse."""
    detachment, locked = _lock(invitation)
    selectors.invitation_check_usable(invitation=locked)
    if not user.is_active or user.email.lower() != locked.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."), code="other_account")
    # Checked again: the person may have taken a role elsewhere since the invitation was sent.
    try:
        _refuse_if_tied_elsewhere(user=user, detachment=detachment, invited_by=locked.invited_by)
    except ValidationError as exc:
        raise ValidationError(
            _(
                "You have a role or a volunteer profile in another region, so you cannot curate "
                "this detachment. Contact the regional coordinator who invited you."
            ),
            code="other_region",
        ) from exc
    if _is_minor(user):
        # Checked again: a profile may have been made since the invitation was sent.
        raise ValidationError(_curator_minor_message(), code="minor")
    now = timezone.now()
    previous_id = detachment.curator_id
    detachment.curator = user
    detachment.save(update_fields=["curator"])
    if previous_id is not None and previous_id != user.pk:
        for hook in extensions.CURATOR_TAKEN_OVER_HOOKS:
            hook(detachment=detachment)
        # The curator replaced loses the post, and with it their API tokens.
        accounts_services.user_rights_reduced(user=User.objects.get(pk=previous_id))
    locked.accepted_at = now
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    # The post is filled: another invitee accepting later must not replace this curator.
    CuratorInvitation.objects.filter(
        detachment=detachment, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    return detachment


@transaction.atomic
def curator_invitation_accept_new(
    *, invitation: CuratorInvitation, full_name: str, password: str
) -> tuple[User, Detachment]:
    """An invitee without an account accepts: the account is made, active at once (the mailed
    link proves the address), and becomes the curator."""
    _detachment, locked = _lock(invitation)
    selectors.invitation_check_usable(invitation=locked)
    if User.objects.filter(email__iexact=locked.email).exists():
        raise ValidationError(
            _("An account with this address exists now: log in to accept the invitation."),
            code="account_exists",
        )
    name = " ".join(full_name.split())
    errors: dict[str, list[ValidationError]] = {}
    if not name:
        errors["full_name"] = [ValidationError(_("Enter your full name."), code="required")]
    try:
        password_validation.validate_password(password, User(email=locked.email, full_name=name))
    except ValidationError as exc:
        errors["password1"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    user = accounts_services.user_create(email=locked.email, password=password, full_name=name[:200])
    detachment = curator_invitation_accept(invitation=locked, user=user)
    return user, detachment


@transaction.atomic
def curator_invitation_revoke(*, invitation: CuratorInvitation, by: User) -> None:
    """The coordinator takes an invitation back: its link stops working at once."""
    locked = CuratorInvitation.objects.select_for_update().select_related("detachment").get(pk=invitation.pk)
    if not may_manage_region(by, locked.detachment.region_id):
        raise PermissionDenied
    if locked.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."), code="accepted")
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])

"""Reads for school detachments, scoped: coordinators see their regions' detachments, a curator
the ones they run (see regions/scoping.py); and the invitations of curators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from regions.models import CoordinatorAssignment, Region
from regions.scoping import get_object_or_404, may_manage_region, region_queryset_for
from volunteers.models import Volunteer
from volunteers.selectors import detachment_scope

from .invitation_links import invitation_id
from .models import CuratorInvitation, Detachment, school_display_name


def detachment_queryset_for(user: Any) -> QuerySet[Detachment]:
    return detachment_scope(user)


def detachment_list(*, user: Any, region: int | None = None) -> QuerySet[Detachment]:
    qs = detachment_queryset_for(user).select_related("region", "curator")
    if region:
        qs = qs.filter(region_id=region)
    return qs.annotate(member_count=Count("members", filter=Q(members__anonymized_at__isnull=True)))


def detachment_list_region(*, user: Any, code: str) -> Region:
    """The region of the list's `?region=<code>` (the overview's per-region count links there):
    one of the user's regions or of the detachments they curate. Any other answers 404, so the
    filter tells nothing of a region outside the person's scope."""
    visible = Region.objects.filter(
        Q(pk__in=region_queryset_for(user).values("pk"))
        | Q(pk__in=detachment_queryset_for(user).values("region_id"))
    )
    return get_object_or_404(visible, code=code)


def detachment_get(*, user: Any, pk: Any) -> Detachment:
    return get_object_or_404(detachment_queryset_for(user).select_related("region", "curator"), pk=pk)


def _members(detachment: Detachment) -> QuerySet[Volunteer]:
    return (
        Volunteer.objects.filter(detachment=detachment, anonymized_at__isnull=True)
        .select_related("region")
        .order_by("last_name", "first_name", "id")
    )


def detachment_members(*, detachment: Detachment) -> QuerySet[Volunteer]:
    """The detachment's page lists its pupils without their IIN: the list never shows it, and
    every IIN read is decrypted (personal-data law 94-V: no more than the purpose needs)."""
    return _members(detachment).defer("iin")


def detachment_member_get(*, detachment: Detachment, pk: Any) -> Volunteer:
    return get_object_or_404(_members(detachment), pk=pk)


# Curator invitations -----------------------------------------------------------------------


def regions_tied_to(*, user: Any) -> set[int]:
    """The regions a person's roles and profile tie them to: regions they coordinate, the
    region of their volunteer profile, of the detachments they curate and of the front offices
    they work in. A curator sees the detachment's pupils and their guardians, so the role is
    given only to people of that region (see services.curator_invite)."""
    ids = set(CoordinatorAssignment.objects.filter(user=user).values_list("region_id", flat=True))
    ids |= set(
        Volunteer.objects.filter(user=user, anonymized_at__isnull=True).values_list("region_id", flat=True)
    )
    ids |= set(Detachment.objects.filter(curator=user).values_list("region_id", flat=True))
    ids |= set(user.front_offices.values_list("region_id", flat=True))
    return ids


def pending_invitations(*, detachment: Detachment) -> list[CuratorInvitation]:
    """Invitations whose link still works, newest first: not one whose inviter has left the
    region since (invitation_check_usable refuses its link), which would wait for an answer
    that cannot come."""
    still_open = detachment.curator_invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")
    return [
        invitation
        for invitation in still_open
        if may_manage_region(invitation.invited_by, detachment.region_id)
    ]


def pending_invitation_get(*, detachment: Detachment, pk: Any) -> CuratorInvitation:
    return get_object_or_404(
        detachment.curator_invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True), pk=pk
    )


def invitation_for_token(*, token: str) -> CuratorInvitation:
    """The invitation a link names, whatever its state (the page says why it cannot be used);
    a ValidationError (code "invalid") for a link that names none."""
    pk = invitation_id(token)
    invitation = (
        CuratorInvitation.objects.select_related("detachment__region", "detachment__curator", "invited_by")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if invitation is None:
        raise ValidationError(
            _("This invitation link is not valid. Check that it was copied whole."), code="invalid"
        )
    return invitation


def invitation_check_usable(*, invitation: CuratorInvitation) -> None:
    """A ValidationError saying why an invitation's link no longer works, in the words the
    invitation page shows; nothing while it does."""
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."), code="accepted")
    if invitation.revoked_at is not None:
        raise ValidationError(
            _(
                "This invitation has been withdrawn. Ask the regional coordinator if you think it is a mistake."
            ),
            code="revoked",
        )
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            _("This invitation has expired. Ask the regional coordinator to send a new one."),
            code="expired",
        )
    # An invitation is the inviter's authority handed on: it lapses with it. A coordinator taken
    # off the region (or deactivated) could otherwise still accept one sent to their own other
    # address, and curate the region's pupils after leaving it.
    if not may_manage_region(invitation.invited_by, invitation.detachment.region_id):
        raise ValidationError(
            _(
                "This invitation no longer works: whoever sent it no longer coordinates the "
                "detachment's region. Ask the regional coordinator to send a new one."
            ),
            code="inviter_left",
        )


def invitation_has_account(*, invitation: CuratorInvitation) -> bool:
    """Whether the invited address has an account (to log in with) or needs one made."""
    return User.objects.filter(email__iexact=invitation.email).exists()


def detachment_points() -> QuerySet[Detachment]:
    """Public: detachments that have a point, for the map. Callers read only the school, the
    region and the point (values/values_list): never the curator or the members."""
    return Detachment.objects.filter(latitude__isnull=False, longitude__isnull=False).order_by("pk")


def detachment_display_name(school_name: str, school_number: str) -> str:
    """Detachment.name from the two columns, for reads that fetch values instead of models."""
    return school_display_name(school_name, school_number)

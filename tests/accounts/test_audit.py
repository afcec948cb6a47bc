"""The audit trail every app writes through accounts.audit.audit_record."""

import pytest

from accounts.audit import audit_record, audit_trail_for
from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_record_names_the_subject_and_never_its_values(alice, bob, almaty) -> None:  # type: ignore[no-untyped-def]
    audit_record(actor=alice, action=AuditEntry.Action.VIEWED, subject=bob, region_code=almaty.code)
    audit_record(
        actor=alice,
        action=AuditEntry.Action.EXPORTED,
        subject_type="reports.roster",
        rows=3,
        detail={"format": "csv"},
    )
    [entry] = audit_trail_for(subject_type="volunteers.volunteer", subject_id=bob.pk)
    assert (entry.actor, entry.action, entry.region_code) == (alice, "viewed", almaty.code)
    assert entry.subject_id == str(bob.pk)
    stored = " ".join(str(v) for v in AuditEntry.objects.values_list("subject_type", "subject_id", "detail"))
    assert bob.last_name not in stored and bob.phone not in stored
    assert AuditEntry.objects.get(action="exported").rows == 3


def test_an_anonymous_actor_is_kept_as_nobody(bob) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    entry = audit_record(actor=AnonymousUser(), action=AuditEntry.Action.VIEWED, subject=bob)  # type: ignore[arg-type]
    assert entry.actor is None

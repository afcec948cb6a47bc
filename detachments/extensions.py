"""Places where apps above detachments/ act on what happens to a detachment, without detachments
importing them (care/ sits above: it sends detachments to help requests).

- CURATOR_GONE_HOOKS: callables(*, detachment, curator, by) run in the transaction that leaves
  a detachment without its curator (`detachment_update`, or the curator's account deleted);
  `curator` is the one removed, None when their account itself is gone (nobody is written to
  at the address of an account deleted on its owner's request).
  Pupils never go without their curator, so care/ gives the detachment's places on open help
  requests back to them. A hook that raises undoes the change.
- CURATOR_TAKEN_OVER_HOOKS: callables(*, detachment) run inside `curator_invitation_accept`'s
  transaction once a new curator has replaced the one before: care/ tells the new curator
  where the detachment is going (the one before no longer sees any of it).
- MOVE_REFUSALS: callables(*, detachment) -> ValidationError | None, asked before a detachment
  moves to another region: why it may not (care/: it still goes to its region's requests).
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ValidationError

from accounts.models import User

from .models import Detachment


class CuratorGoneHook(Protocol):
    def __call__(self, *, detachment: Detachment, curator: User | None, by: User | None) -> object: ...


class CuratorTakenOverHook(Protocol):
    def __call__(self, *, detachment: Detachment) -> object: ...


class MoveRefusal(Protocol):
    def __call__(self, *, detachment: Detachment) -> ValidationError | None: ...


CURATOR_GONE_HOOKS: list[CuratorGoneHook] = []
CURATOR_TAKEN_OVER_HOOKS: list[CuratorTakenOverHook] = []
MOVE_REFUSALS: list[MoveRefusal] = []


def register_curator_gone_hook(hook: CuratorGoneHook) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if hook not in CURATOR_GONE_HOOKS:
        CURATOR_GONE_HOOKS.append(hook)


def register_move_refusal(refusal: MoveRefusal) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if refusal not in MOVE_REFUSALS:
        MOVE_REFUSALS.append(refusal)


def register_curator_taken_over_hook(hook: CuratorTakenOverHook) -> None:
    """Idempotent: ready() may run more than once in tests."""
    if hook not in CURATOR_TAKEN_OVER_HOOKS:
        CURATOR_TAKEN_OVER_HOOKS.append(hook)

"""A create form sent twice saves once.

On a phone with a slow connection people press "Save" again while the first press is still on
its way, or go back and press it again: each press used to add a record (a second pupil, a
second walk-in visit, an announcement sent to everyone twice). Every create form carries a
hidden one-time key (`{% form_once_key %}`, next to `{% csrf_token %}`), and its view is wrapped
in `@submitted_once`: the key, with the digest of what was filled in, is claimed by a row of
accounts.FormKey in the same transaction as the view's write. A second press of the same filled
form finds the first one's row and lands on its result, saying it was already saved. Two
parallel presses cannot both pass: the second one's insert waits on the unique index until the
first transaction ends, then fails and reads the committed result.

The view marks what the submission led to with `saved(request, redirect(...))`; any other answer
(the form again with its errors, a preview, a file download) releases the key, so that the
corrected or the next form is saved as usual. A POST without a key (an API client, a page
loaded before this existed) is handled as it always was.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import FormKey, User

FIELD = "form_once"
# Sent by the browser with every POST, different each time: not part of what was filled in.
_NOT_CONTENT = {FIELD, "csrfmiddlewaretoken"}

View = TypeVar("View", bound=Callable[..., HttpResponse])
Answer = TypeVar("Answer", bound=HttpResponseBase)


def posted_key(request: HttpRequest) -> uuid.UUID | None:
    """The form's key as sent, or None without one (or with one that is not a key)."""
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def key_for(request: HttpRequest | None) -> str:
    """The key a form is rendered with: the one it was sent with when it comes back with its
    errors (one form on the screen, one key), else a new one."""
    key = posted_key(request) if request is not None else None
    return (key or uuid.uuid4()).hex


def _digest(request: HttpRequest) -> str:
    content = {
        "path": request.path,
        "post": sorted(
            (name, request.POST.getlist(name)) for name in request.POST if name not in _NOT_CONTENT
        ),
        "files": sorted(
            (name, f.name, f.size) for name in request.FILES for f in request.FILES.getlist(name)
        ),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _earlier(request: HttpRequest, user: User, key: uuid.UUID, digest: str) -> HttpResponse | None:
    """The first submission's result, if this form was already saved (and not too long ago)."""
    url = (
        FormKey.objects.filter(
            user=user, key=key, digest=digest, created_at__gte=timezone.now() - FormKey.KEEP
        )
        .values_list("result_url", flat=True)
        .first()
    )
    if not url:
        return None
    messages.info(request, _("This form had already been saved; nothing was saved again."))
    return HttpResponseRedirect(url)


def _claim(user: User, key: uuid.UUID, digest: str) -> FormKey | None:
    try:
        # A savepoint: the enclosing transaction survives the refusal.
        with transaction.atomic():
            return FormKey.objects.create(user=user, key=key, digest=digest, result_url="")
    except IntegrityError:
        return None


def submitted_once(view: View) -> View:
    """Wrap a create form's view (innermost, under its access decorator): see the module."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = posted_key(request)
        if key is None or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        user = cast(User, request.user)
        digest = _digest(request)
        earlier = _earlier(request, user, key, digest)
        if earlier is not None:
            return earlier
        with transaction.atomic():
            claim = _claim(user, key, digest)
            if claim is not None:
                request._form_once = claim  # type: ignore[attr-defined]
                response = view(request, *args, **kwargs)
                if claim.result_url:
                    claim.save(update_fields=["result_url"])
                else:
                    # Not saved (errors, a preview): the same key may still save this form.
                    claim.delete()
                return response
        # Claimed by a parallel press, whose transaction has ended by now.
        return _earlier(request, user, key, digest) or view(request, *args, **kwargs)

    return cast(View, wrapper)


def saved(request: HttpRequest, response: Answer) -> Answer:
    """Mark `response`, the redirect to what was just created, as the result of the form's key,
    for a repeat of the same form to land on. Returns it."""
    claim: FormKey | None = getattr(request, "_form_once", None)
    if claim is not None:
        claim.result_url = response.get("Location", "")
    return response

"""Whether an address is worth sending someone to right after they log in (the login form's
`next`).

A `next` is taken from the address the person opened before logging in, and it may be one they
cannot use once logged in: a coordinator's page opened by a volunteer (a link passed on in a
chat), a button's address (log out everywhere, confirm an attendance) that only answers a POST,
or the login page itself. Followed blindly, the first thing they see after typing the password
is a "page not found", a "this address is for a button" or the same form again; their own start
page is the better answer.

The views say what they need by marks their decorators leave on them (`mark_post_only`,
`mark_access`): this module knows no app above accounts/, and `functools.wraps` carries the marks
to the outer decorators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from django.urls import Resolver404, get_script_prefix, resolve

_POST_ONLY = "destination_post_only"
_ACCESS = "destination_access"
_NOT_A_DESTINATION = "destination_never"


def mark_post_only(view: Callable[..., Any]) -> None:
    """The view acts on a POST and answers anything else with a 405."""
    setattr(view, _POST_ONLY, True)


def mark_access(view: Callable[..., Any], predicate: Callable[[Any], bool]) -> None:
    """The view exists only for users for whom `predicate` holds (a 404 for the others)."""
    setattr(view, _ACCESS, predicate)


def mark_not_a_destination(view: Callable[..., Any]) -> None:
    """The view is never where a login should end (the login form itself)."""
    setattr(view, _NOT_A_DESTINATION, True)


def _view_of(url: str) -> Callable[..., Any] | None:
    path = unquote(urlsplit(url).path)
    prefix = get_script_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    try:
        return resolve(path).func
    except Resolver404:
        return None


def opens_with_get(url: str) -> bool:
    """Whether `url` (a local address) is a page, not a button's address."""
    view = _view_of(url)
    return view is not None and not getattr(view, _POST_ONLY, False)


def usable_after_login(url: str, user: Any) -> bool:
    """Whether `url` (a local address, already checked as such) opens a page `user` can use
    with a GET: a known address, not a button's, not one their role does not have."""
    view = _view_of(url)
    if view is None:
        return False
    if getattr(view, _POST_ONLY, False) or getattr(view, _NOT_A_DESTINATION, False):
        return False
    view_class = getattr(view, "view_class", None)
    if view_class is not None and getattr(view_class, _NOT_A_DESTINATION, False):
        return False
    predicate = getattr(view, _ACCESS, None)
    return predicate is None or bool(predicate(user))

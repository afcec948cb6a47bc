"""HTTP method restrictions for pages that answer with a page a person can act on.

Django's `require_POST` answers a GET with an empty 405: someone who opened an action's address
(a link shared in a chat, a reloaded tab) sees a blank screen. `require_post` answers the same
405 with its Allow header, but as a branded page that says what happened and links back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, overload

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.log import log_response

from accounts.destinations import mark_post_only

View = TypeVar("View", bound=Callable[..., HttpResponse])


def method_not_allowed(
    request: HttpRequest, *, allowed: Iterable[str], back_url: str | None = None
) -> HttpResponse:
    """The branded 405 page, with the Allow header the status requires (RFC 9110 §15.5.6)."""
    allowed = list(allowed)
    response = render(request, "405.html", {"back_url": back_url or reverse("home")}, status=405)
    response["Allow"] = ", ".join(allowed)
    log_response(
        "Method Not Allowed (%s): %s", request.method, request.path, response=response, request=request
    )
    return response


@overload
def require_post(view: View, /) -> View: ...


@overload
def require_post(*, back: str | None = None, back_kwargs: tuple[str, ...] = ()) -> Callable[[View], View]: ...


def require_post(
    view: View | None = None, /, *, back: str | None = None, back_kwargs: tuple[str, ...] = ()
) -> View | Callable[[View], View]:
    """Only POST reaches the view; other methods get the 405 page.

    `back` names the URL the page links back to (the page whose button sends the POST),
    reversed with the view's keyword arguments named in `back_kwargs`; without it, the home page.
    Put it outermost, as `require_POST` was: the method is refused before any lookup, so the
    answer says nothing about whether the object exists.
    """

    def decorator(func: View) -> View:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST":
                back_url = None
                if back:
                    try:
                        back_url = reverse(back, kwargs={name: kwargs[name] for name in back_kwargs})
                    except (KeyError, NoReverseMatch):
                        back_url = None
                return method_not_allowed(request, allowed=["POST"], back_url=back_url)
            return func(request, *args, **kwargs)

        # A login whose `next` is this address goes to the person's start page instead of here.
        mark_post_only(wrapped)
        return wrapped  # type: ignore[return-value]

    if view is not None:
        return decorator(view)
    return decorator

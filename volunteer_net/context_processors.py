from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from regions.scoping import is_coordinator


def roles(request: HttpRequest) -> dict[str, Any]:
    """Which sections the navigation offers. Lazy: a page that never asks runs no query."""
    user = request.user
    if not user.is_authenticated:
        return {"can_see_roster": False, "can_see_detachments": False}
    from volunteers.selectors import user_is_curator

    return {
        "can_see_roster": SimpleLazyObject(lambda: is_coordinator(user)),
        "can_see_detachments": SimpleLazyObject(lambda: is_coordinator(user) or user_is_curator(user=user)),
    }

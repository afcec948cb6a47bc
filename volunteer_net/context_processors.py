from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from front_offices.selectors import may_see_front_offices
from regions.scoping import curator_or_region_scope, manages_regions


def roles(request: HttpRequest) -> dict[str, Any]:
    """Which sections the navigation offers. Lazy: a page that never asks runs no query."""
    # Error pages may render before the authentication middleware has run (a 400 for a bad Host
    # header): no user yet, an anonymous navigation.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "can_see_roster": False,
            "can_see_detachments": False,
            "can_manage_skills": False,
            "can_see_office_pages": False,
        }
    return {
        "can_see_roster": SimpleLazyObject(lambda: manages_regions(user)),
        "can_see_detachments": SimpleLazyObject(lambda: curator_or_region_scope(user)),
        "can_manage_skills": SimpleLazyObject(lambda: manages_regions(user)),
        "can_see_office_pages": SimpleLazyObject(lambda: may_see_front_offices(user)),
    }

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from regions.scoping import is_coordinator


def roles(request: HttpRequest) -> dict[str, Any]:
    """Navigation needs to know which sections the user has; evaluated lazily per template use."""
    user = request.user
    if not user.is_authenticated:
        return {
            "can_see_roster": False,
            "can_see_detachments": False,
            "CONSENT_VERSION": settings.CONSENT_VERSION,
        }
    from volunteers.selectors import user_is_curator

    coordinator = is_coordinator(user)
    return {
        "can_see_roster": coordinator,
        "can_see_detachments": coordinator or user_is_curator(user=user),
        "CONSENT_VERSION": settings.CONSENT_VERSION,
    }

from typing import Any

from django.db.models import QuerySet

from .models import FrontOffice


def front_offices_of_staff(*, user: Any) -> QuerySet[FrontOffice]:
    """The offices a front-office staff member works in (their scope in the visits module)."""
    if not user.is_authenticated:
        return FrontOffice.objects.none()
    return FrontOffice.objects.filter(staff=user).select_related("region")

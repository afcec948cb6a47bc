from typing import Any

from django.db.models import QuerySet

from regions.scoping import staffed_office_ids

from .models import FrontOffice


def front_offices_of_staff(*, user: Any) -> QuerySet[FrontOffice]:
    """The offices a front-office staff member works in (their scope in the visits module)."""
    return FrontOffice.objects.filter(pk__in=staffed_office_ids(user)).select_related("region")

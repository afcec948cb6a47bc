from django.db.models import QuerySet

from volunteer_net.collation import in_name_order

from .models import Region


def region_list() -> QuerySet[Region]:
    """Regions in KATO code order: the stable order of the API and the map layers."""
    return Region.objects.order_by("code")


def regions_by_name() -> list[Region]:
    """Regions as people read them in a list or a select: in the alphabet of the page's language
    (Алматы near the top in every language, not near the end as its KATO code puts it)."""
    return in_name_order(Region.objects.all(), lambda region: region.name)

"""Demo data: one front office per region, in the regional centre."""

from decimal import Decimal

from regions.models import Region

from .models import FrontOffice


def seed_front_offices() -> int:
    for region in Region.objects.order_by("code"):
        FrontOffice.objects.get_or_create(
            region=region,
            defaults={
                "name": f"{region.center_kk} — еріктілер фронт-офисі",
                "address": f"{region.center_ru}, ул. Абая, 1",
                "latitude": region.latitude + Decimal("0.002"),
                "longitude": region.longitude + Decimal("0.002"),
                "phone": "+77172000000",
                "email": f"office{region.code}@volunteer.kz",
            },
        )
    return FrontOffice.objects.count()

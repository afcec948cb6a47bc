"""Exports hold one batch of rows, whatever their size: the peak memory of writing 20 000 and
100 000 rows (CSV and XLSX, the real writers over a database cursor) differ by little."""

from __future__ import annotations

import datetime
import io
import tracemalloc
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Signup
from reports import services
from reports.registry import EXPORTS
from reports.scope import ReportScope
from tests.events.factories import CampaignFactory, ShiftFactory
from tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


class Sink(io.RawIOBase):
    """Counts the bytes and keeps none: what is measured is the writer, not the file."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        self.size += len(data)
        return len(data)


def peak(scope: ReportScope, file_format: str, tmp_path) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        target = Sink() if file_format == "csv" else str(tmp_path / "out.xlsx")
        services.export_write(export=EXPORTS["signups"], scope=scope, file_format=file_format, target=target)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_peak_memory_does_not_grow_with_rows(almaty, nora, tmp_path, file_format) -> None:  # type: ignore[no-untyped-def]
    volunteer = VolunteerFactory(region=almaty)
    day = datetime.date(2026, 3, 1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    small_shift = ShiftFactory(
        campaign=CampaignFactory(region=almaty), starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    big_shift = ShiftFactory(
        campaign=CampaignFactory(region=almaty),
        starts_at=start + datetime.timedelta(days=31),
        ends_at=start + datetime.timedelta(days=31, hours=2),
    )
    # Cancelled sign-ups may repeat for one person and shift: rows without 100 000 volunteers.
    for shift, n in ((small_shift, 20_000), (big_shift, 80_000)):
        Signup.objects.bulk_create(
            [
                Signup(shift=shift, volunteer=volunteer, status="cancelled", hours=Decimal("1.50"))
                for _ in range(n)
            ],
            batch_size=10_000,
        )
    small = ReportScope(user=nora, start=day, end=day)
    large = ReportScope(user=nora, start=day, end=day + datetime.timedelta(days=40))
    assert Signup.objects.count() == 100_000
    small_peak = peak(small, file_format, tmp_path)
    large_peak = peak(large, file_format, tmp_path)
    # Five times the rows; a writer that kept them would need ~5x. Allow the noise of one batch.
    assert large_peak < small_peak * 1.5 + 2_000_000, (small_peak, large_peak)

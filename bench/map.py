"""Map benchmark: the GeoJSON endpoints at 10,000 features each, beside their floors, and (with
--browser) the /map/ page with those markers in Chromium.

N front offices, N upcoming shifts (published campaigns) and N school detachments spread over the
20 regions are added to the bench database for the measurement and taken away again (rolled
back; the browser's server needs them committed, and deletes them afterwards). For each endpoint:
the median and 95th percentile of the whole request (Django's test client: middleware, DRF,
filters, ETag) and its **floor**: the same SQL, captured from the endpoint, replayed raw through a
cursor, the rows turned into the same FeatureCollection in a plain loop and serialised with
orjson, the fastest JSON library installed, in the same run. The page's figure is the time from
navigation to the first markers drawn.

    make bench-map                       # endpoints and the page in Chromium
    python bench/map.py --scale tenth
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # sets the bench environment before Django starts

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
GROUP = "Map endpoints"
# The features the benchmark adds carry this prefix, so that they can be found and removed.
MARK = "Bench map"
URLS = [
    "/api/map/front-offices/",
    "/api/map/events/",
    "/api/map/detachments/",
    "/api/map/events/?region=75&free=true",
    "/api/map/front-offices/?bbox=70,40,80,50",
    "/api/map/regions/",
]


def seed(n: int) -> None:
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from detachments.models import Detachment
    from events.models import Campaign, Shift
    from front_offices.models import FrontOffice
    from regions.models import Region

    rng = random.Random(11)
    regions = list(Region.objects.order_by("code"))

    def point(region: Region) -> tuple[Decimal, Decimal]:
        # Within ~0.5° of the region's centre: inside Kazakhstan, crowded like a real city map.
        return (
            (region.latitude + Decimal(rng.uniform(-0.5, 0.5))).quantize(Decimal("0.00001")),
            (region.longitude + Decimal(rng.uniform(-0.5, 0.5))).quantize(Decimal("0.00001")),
        )

    offices = []
    detachments = []
    for i in range(n):
        region = regions[i % len(regions)]
        lat, lon = point(region)
        offices.append(
            FrontOffice(
                name=f"{MARK} office {i}", region=region, address=f"Street {i}", latitude=lat, longitude=lon
            )
        )
        lat, lon = point(region)
        detachments.append(
            Detachment(
                school_name=f"{MARK} school {i}",
                school_number=str(i),
                locality="Town",
                region=region,
                latitude=lat,
                longitude=lon,
            )
        )
    FrontOffice.objects.bulk_create(offices, batch_size=2000)
    Detachment.objects.bulk_create(detachments, batch_size=2000)
    today = timezone.localdate()
    campaigns = [
        Campaign.objects.create(
            title=f"{MARK} campaign {region.code}",
            kind=Campaign.Kind.ECOLOGY,
            region=region,
            status=Campaign.Status.PUBLISHED,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=365),
        )
        for region in regions
    ]
    now = timezone.now()
    shifts = []
    for i in range(n):
        campaign = campaigns[i % len(campaigns)]
        lat, lon = point(regions[i % len(regions)])
        starts = now + datetime.timedelta(hours=24 + i % 2000)
        shifts.append(
            Shift(
                campaign=campaign,
                place_name=f"Place {i}",
                address=f"Street {i}",
                latitude=lat,
                longitude=lon,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                capacity=10,
                taken_places=i % 11,
            )
        )
    Shift.objects.bulk_create(shifts, batch_size=2000)


def floor_ms(sql: str, params: Any) -> float:
    """One raw query and the plainest loop that makes the same FeatureCollection, then orjson."""
    import orjson
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        rows = cursor.fetchall()
    features = [
        {
            "type": "Feature",
            "id": row[0],
            "geometry": {"type": "Point", "coordinates": [row[-2], row[-1]]},
            "properties": dict(zip(names, row, strict=True)),
        }
        for row in rows
    ]
    orjson.dumps({"type": "FeatureCollection", "features": features})
    return (time.perf_counter() - started) * 1000


def time_endpoints(urls: list[str], repeat: int) -> list[common.Result]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    results = []
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, (url, first.status_code)
        features = len(first.json()["features"])
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)
        # The one SELECT, replayed as logged. (None: served from the cache, no floor to compare.)
        compiled = ctx.captured_queries[-1]["sql"] if queries else None
        timings, floors, not_modified = [], [], []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            if compiled:
                floors.append(floor_ms(compiled, None))
            started = time.perf_counter()
            assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
            not_modified.append((time.perf_counter() - started) * 1000)
        median, p95 = common.median_p95(timings)
        floor = statistics.median(floors) if floors else None
        ratio = median / floor if floor else None
        result = common.Result(
            group=GROUP,
            figure=f"{url} ({features} features)",
            value=median,
            unit="ms",
            p95=p95,
            runs=repeat,
            queries=queries,
            floor=floor,
            floor_name="raw query + orjson",
            ratio=ratio,
            target="≤ 2× floor",
            met=None if ratio is None else ratio <= 2,
            note=f"304 with ETag {statistics.median(not_modified):.1f} ms; best run {min(timings):.1f} ms"
            + (
                f" vs best floor {min(floors):.1f} ms" if floors else "; served from cache, no SQL to compare"
            ),
        )
        if result.met is False:
            result.note = f"{ratio:.2f}× its floor, target 2×; " + result.note
        results.append(result)
        common.print_result(result)
    return results


def remove_features() -> None:
    from detachments.models import Detachment
    from events.models import Campaign
    from front_offices.models import FrontOffice

    Campaign.objects.filter(title__startswith=MARK).delete()
    FrontOffice.objects.filter(name__startswith=MARK).delete()
    Detachment.objects.filter(school_name__startswith=MARK).delete()


def run(ctx: common.Context) -> list[common.Result]:
    """The endpoints at ctx.scale["map_features"] features each, added for the measurement and
    rolled back afterwards."""
    from django.core.cache import cache
    from django.db import connection, transaction

    n = ctx.scale["map_features"]
    with transaction.atomic():
        started = time.perf_counter()
        seed(n)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE front_offices_frontoffice")
            cursor.execute("ANALYZE events_shift")
            cursor.execute("ANALYZE detachments_detachment")
        print(f"  added {n} offices, shifts and detachments in {time.perf_counter() - started:.1f} s")
        results = time_endpoints(URLS, ctx.repeat)
        transaction.set_rollback(True)
    cache.clear()  # nothing cached from the rolled-back features outlives them
    # The rollback takes the rows back but not what ANALYZE wrote of the tables' size (pg_class is
    # updated in place), and leaves the rows' dead versions: the groups after this one would plan
    # for 10 000 more offices, shifts and detachments than there are, and scan their remains.
    with connection.cursor() as cursor:
        for table in ("front_offices_frontoffice", "events_shift", "detachments_detachment"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return results


def time_page(repeat: int) -> None:
    """Navigation → first markers, and → every collection loaded, at phone and office sizes."""
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    # Production settings: the pages name hashed static files, which WhiteNoise serves from
    # STATIC_ROOT once collected (the server itself is plain WSGI).
    common.collect_static()
    server = LiveServerThread("127.0.0.1", lambda app: app)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        for label, viewport in (
            ("phone 360×740", {"width": 360, "height": 740}),
            ("office 1366×768", {"width": 1366, "height": 768}),
        ):
            firsts, loads, zooms = [], [], []
            for _ in range(repeat):
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                # Tiles never load here (no network): the page must not wait for them.
                page.route(
                    "**/*",
                    lambda route: route.continue_() if route.request.url.startswith(base) else route.abort(),
                )
                started = time.perf_counter()
                page.goto(f"{base}/map/")
                page.wait_for_selector("#map[data-first-markers-ms]", state="attached", timeout=60_000)
                # Recorded by the page itself (from the start of navigation): a busy main thread
                # would delay Playwright's own polling, not the figure.
                firsts.append(float(page.get_attribute("#map", "data-first-markers-ms") or 0))
                page.wait_for_selector("#map[data-loaded=true]", state="attached", timeout=60_000)
                page.wait_for_function(
                    "document.querySelectorAll('#map .marker-cluster, #map .map-marker').length > 0 && "
                    "document.querySelectorAll('.leaflet-marker-pane > *').length >= 3"
                )
                loads.append((time.perf_counter() - started) * 1000)
                # Usable: a zoom step answers (clusters recomputed) without a long freeze.
                started = time.perf_counter()
                page.evaluate("""() => new Promise(done => {
                    const map = document.querySelector('#map');
                    map.querySelector('.leaflet-control-zoom-in').click();
                    setTimeout(done, 0);
                })""")
                page.wait_for_timeout(400)  # Leaflet's zoom animation (0.25 s) and the cluster redraw
                zooms.append((time.perf_counter() - started) * 1000 - 400)
                context.close()
            print(
                f"/map/ {label:18} first markers {statistics.median(firsts):7.0f} ms, "
                f"all collections {statistics.median(loads):7.0f} ms, zoom step +{max(0.0, statistics.median(zooms)):4.0f} ms "
                f"(median of {repeat})"
            )
        browser.close()
    server.terminate()


def main() -> int:
    def extra(parser: Any) -> None:
        parser.add_argument("--browser", action="store_true", help="also time the /map/ page in Chromium")
        parser.add_argument("--page-repeat", type=int, default=3)

    ctx, args = common.standalone(run, __doc__, extra)
    run(ctx)
    if args.browser:
        remove_features()
        seed(ctx.scale["map_features"])
        try:
            time_page(args.page_repeat)
        finally:
            remove_features()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

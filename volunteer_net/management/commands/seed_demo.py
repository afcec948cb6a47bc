from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from care.demo import seed_care
from events.demo import seed_events
from front_offices.demo import seed_front_offices
from reports.summary import compact as compact_report_summaries
from volunteer_net.demo import DEMO_PASSWORD, seed_volunteers
from volunteers.models import Volunteer


class Command(BaseCommand):
    help = (
        "Load deterministic demo data: staff, coordinators, detachments, volunteers, campaigns, "
        "shifts and sign-ups across all 20 regions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--volunteers", type=int, default=600, help="How many volunteers (default 600).")
        parser.add_argument("--detachments", type=int, default=40, help="How many school detachments.")
        parser.add_argument(
            "--shifts", type=int, default=1000, help="How many shifts of demo campaigns (default 1000)."
        )
        parser.add_argument("--signups", type=int, default=4000, help="How many sign-ups (default 4000).")
        parser.add_argument(
            "--visits",
            type=int,
            default=300,
            help="How many front-office visits, past and future (default 300).",
        )
        parser.add_argument(
            "--care",
            type=int,
            default=8,
            help="Beneficiaries per region, with their help requests (default 8).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed; the same seed, the same data."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when volunteers already exist."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Volunteer.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        counts = seed_volunteers(
            count=options["volunteers"], detachments=options["detachments"], seed=options["seed"]
        )
        counts["front_offices"] = seed_front_offices(visits=options["visits"], seed=options["seed"])
        counts |= seed_events(shifts=options["shifts"], signups=options["signups"], seed=options["seed"])
        counts |= seed_care(per_region=options["care"], seed=options["seed"])
        # The reports' maintained tables were rewritten row by row during the bulk loads.
        compact_report_summaries()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts['volunteers']} volunteers, {counts['detachments']} detachments and "
                f"{counts['front_offices']} front offices; {counts['campaigns']} campaigns with "
                f"{counts['shifts']} shifts and {counts['signups']} sign-ups; {counts['beneficiaries']} "
                f"beneficiaries with {counts['help_requests']} help requests. "
                f"Log in as admin@volunteer.kz, coordinator75@volunteer.kz or volunteer@volunteer.kz "
                f"with the password {DEMO_PASSWORD}."
            )
        )

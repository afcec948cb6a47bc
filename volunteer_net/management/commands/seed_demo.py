import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from care.demo import seed_care
from events.demo import seed_events
from front_offices.demo import seed_front_offices
from notifications.demo import seed_messages
from reports import requestsummary, summary
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
        parser.add_argument(
            "--campaigns",
            type=int,
            default=None,
            help="At least this many campaigns (default: every kind in every region, 183).",
        )
        parser.add_argument("--signups", type=int, default=4000, help="How many sign-ups (default 4000).")
        parser.add_argument(
            "--visits",
            type=int,
            default=300,
            help="How many front-office visits, past and future (default 300).",
        )
        parser.add_argument(
            "--visit-past-days",
            type=int,
            default=30,
            help="Days of front-office slots and visits before today (default 30).",
        )
        parser.add_argument(
            "--messages",
            type=int,
            default=0,
            help="Messages of notification history, sent and scheduled (default none).",
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
        steps: list[str] = []
        started = time.perf_counter()

        def lap(step: str) -> None:
            # Each step's seconds: how the benchmark's seeding time is spent.
            nonlocal started
            now = time.perf_counter()
            steps.append(f"{step} {now - started:.1f} s")
            started = now

        counts = seed_volunteers(
            count=options["volunteers"], detachments=options["detachments"], seed=options["seed"]
        )
        lap("volunteers")
        counts["front_offices"] = seed_front_offices(
            visits=options["visits"], seed=options["seed"], past_days=options["visit_past_days"]
        )
        lap("front offices")
        with transaction.atomic():
            # The sign-ups summary is recounted once after the bulk load (summary.triggers_off).
            with summary.triggers_off("events_signup", "reports_signup_summary"):
                counts |= seed_events(
                    shifts=options["shifts"],
                    signups=options["signups"],
                    campaign_count=options["campaigns"],
                    seed=options["seed"],
                )
            summary.rebuild()
        lap("campaigns")
        with transaction.atomic():
            # Likewise the help requests' summary. Targeted help's hours summary keeps its
            # triggers: they are by statement, so each bulk insert of assignments is one upsert
            # per region, day and detachment (no recount afterwards).
            with summary.triggers_off("care_helprequest", *requestsummary.TRIGGERS):
                counts |= seed_care(per_region=options["care"], seed=options["seed"])
            requestsummary.rebuild()
        lap("care")
        messages = seed_messages(count=options["messages"])
        lap("messages")
        # The reports' maintained tables were rewritten row by row during the bulk loads.
        summary.compact()
        lap("compact")
        if options["verbosity"] > 1 or options["messages"]:
            self.stdout.write(f"{messages} messages; " + ", ".join(steps))
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

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from front_offices.demo import seed_front_offices
from volunteer_net.demo import DEMO_PASSWORD, seed_volunteers
from volunteers.models import Volunteer


class Command(BaseCommand):
    help = "Load deterministic demo data: staff, coordinators, detachments, volunteers across all 20 regions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--volunteers", type=int, default=600, help="How many volunteers (default 600).")
        parser.add_argument("--detachments", type=int, default=40, help="How many school detachments.")
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
        counts["front_offices"] = seed_front_offices()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts['volunteers']} volunteers, {counts['detachments']} detachments and "
                f"{counts['front_offices']} front offices. "
                f"Log in as admin@volunteer.kz, coordinator75@volunteer.kz or volunteer@volunteer.kz "
                f"with the password {DEMO_PASSWORD}."
            )
        )

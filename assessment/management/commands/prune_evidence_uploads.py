"""Delete evidence files no item names (uploads kept for a form never sent again), after a day."""

from django.core.management.base import BaseCommand, CommandParser

from assessment.evidence import prune_unreferenced


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24, help="Keep files younger than this.")

    def handle(self, *args, hours: int, **options) -> None:
        deleted = prune_unreferenced(hours)
        self.stdout.write(f"{deleted} unused evidence file{'s' if deleted != 1 else ''} deleted")

"""Import an exported assessment (JSON) into a partnership as a new draft."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment import exports
from assessment.models import Partnership


class Command(BaseCommand):
    help = (
        "Validate a JSON export, then import it into a partnership as a new draft (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--partnership", required=True, help="The partnership's code (UUID).")

    def handle(self, *args, file: str, partnership: str, **options):
        try:
            target = Partnership.objects.get(code=partnership)
        except (Partnership.DoesNotExist, ValidationError):
            raise CommandError(f"No partnership with code {partnership!r}") from None
        try:
            raw = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror})") from None
        try:
            assessment = exports.import_assessment(
                exports.parse_json(raw), partnership=target, user=None
            )
        except exports.ImportProblem as error:
            raise CommandError(
                f"{file}: nothing imported. {len(error.problems)} problem(s):\n"
                + "\n".join(error.problems)
            ) from None
        self.stdout.write(
            f"Imported {assessment.title} into {target.name} as a new draft ({assessment.code})"
        )

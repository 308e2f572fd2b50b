"""Write an assessment's data as JSON (the documented export) or its answers as CSV."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment import exports
from assessment.models import Assessment


class Command(BaseCommand):
    help = "Export an assessment (by its code) as JSON or CSV to standard output."

    def add_arguments(self, parser):
        parser.add_argument("assessment", help="The assessment's code (UUID).")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, assessment: str, format: str, **options):
        try:
            found = Assessment.objects.select_related("partnership", "framework").get(
                code=assessment
            )
        except (Assessment.DoesNotExist, ValidationError):
            raise CommandError(f"No assessment with code {assessment!r}") from None
        if format == "json":
            self.stdout.write(
                json.dumps(exports.export_assessment(found), indent=2, ensure_ascii=False)
            )
        else:
            header, rows = exports.answers_csv_rows(found)
            self.stdout.write(exports.csv_text(header, rows), ending="")

"""Render an assessment's review report to a file (for batch use)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment import pdf
from assessment.models import Assessment


class Command(BaseCommand):
    help = "Write the PDF review report of an assessment (its code) to a file."

    def add_arguments(self, parser):
        parser.add_argument(
            "assessment", help="The assessment's code (UUID), as in its web address."
        )
        parser.add_argument("-o", "--output", required=True, help="Where to write the PDF.")

    def handle(self, *args, assessment: str, output: str, **options):
        try:
            found = Assessment.objects.select_related("partnership", "framework").get(
                code=assessment
            )
        except (Assessment.DoesNotExist, ValidationError):
            raise CommandError(f"No assessment with code {assessment!r}") from None
        if found.is_locked:
            stored = pdf.stored_report(found)
            with stored.file.open("rb") as source:
                body = source.read()
            note = f"stored report, SHA-256 {stored.sha256}, {stored.pages} pages"
        else:
            body, pages = pdf.html_to_pdf(pdf.render_html(found))
            note = f"draft, {pages} pages"
        Path(output).write_bytes(body)
        self.stdout.write(f"Wrote {output} ({len(body):,} bytes; {note})")

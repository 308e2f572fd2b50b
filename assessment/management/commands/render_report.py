"""Render an assessment's review report, or its board pack, to a file (for batch use)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment import pdf
from assessment.models import Assessment


class Command(BaseCommand):
    help = "Write the PDF review report (or --board-pack) of an assessment (its code) to a file."

    def add_arguments(self, parser):
        parser.add_argument(
            "assessment", help="The assessment's code (UUID), as in its web address."
        )
        parser.add_argument("-o", "--output", required=True, help="Where to write the PDF.")
        parser.add_argument(
            "--board-pack", action="store_true", help="The board pack instead of the full report."
        )

    def handle(self, *args, assessment: str, output: str, board_pack: bool = False, **options):
        kind = "board" if board_pack else "report"
        try:
            found = Assessment.objects.select_related("partnership", "framework").get(
                code=assessment
            )
        except (Assessment.DoesNotExist, ValidationError):
            raise CommandError(f"No assessment with code {assessment!r}") from None
        if found.is_locked:
            stored = pdf.stored_report(found, kind)
            with stored.file.open("rb") as source:
                body = source.read()
            note = f"stored {'board pack' if board_pack else 'report'}, SHA-256 {stored.sha256}, {stored.pages} pages"
        else:
            draw = pdf.render_board_html if board_pack else pdf.render_html
            body, pages = pdf.html_to_pdf(draw(found))
            note = f"draft, {pages} pages"
        Path(output).write_bytes(body)
        self.stdout.write(f"Wrote {output} ({len(body):,} bytes; {note})")

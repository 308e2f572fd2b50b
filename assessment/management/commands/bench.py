"""The benchmark's entry point; the benchmark itself lives with the tests, in tests/bench/.

It measures time and queries of the main pages against bare Django baselines, scoring, the PDF
against WeasyPrint alone, a stored PDF; writes docs/benchmarks.md.

Runs on a throwaway test database (never the real one). Times are medians of repeated runs,
reported as ratios to a baseline measured in the same run; they are reported, not asserted.
Query counts are budgets: the command exits non-zero when one is broken.

    python manage.py bench            # the full data set: 200 partnerships x 6 cycles
    python manage.py bench --quick    # a small data set, for CI, so the command cannot rot
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Measure the pages, scoring and the PDF against baselines; write docs/benchmarks.md."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="A small data set (CI).")
        parser.add_argument("--partnerships", type=int, default=None)
        parser.add_argument("--cycles", type=int, default=None)
        parser.add_argument("--repeat", type=int, default=None)
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md")
        )

    def handle(self, *args, quick, partnerships, cycles, repeat, output, **options):
        try:
            from tests.bench.runner import run
        except ImportError as error:
            raise CommandError(
                f"The benchmark lives with the tests (tests/bench/), which cannot be imported "
                f"here ({error}): run it from a checkout of the repository."
            ) from None
        broken = run(
            self.stdout,
            quick=quick,
            partnerships=partnerships,
            cycles=cycles,
            repeat=repeat,
            output=output,
        )
        if broken:
            raise CommandError("Query budgets broken: " + "; ".join(broken))

"""Validate recommendation set files and load them (``--check`` validates only)."""

from django.core.management.base import BaseCommand, CommandError

from assessment.recommendation_sets import RecommendationSetError, load, read


class Command(BaseCommand):
    help = "Validate recommendation set YAML files and load each in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="e.g. fixtures/recommendations/*.yaml")
        parser.add_argument("--check", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args, paths: list[str], check: bool, **options):
        problems: list[str] = []
        for path in paths:
            try:
                data = read(path)
                if check:
                    local = sum(1 for r in data["recommendations"] if r["local_action"])
                    self.stdout.write(
                        f"{path}: valid ({data['slug']} {data['version']}: "
                        f"{len(data['recommendations'])} recommendations, {local} asking for "
                        "local action)"
                    )
                    continue
                loaded, outcome = load(data)
            except RecommendationSetError as error:
                problems += error.problems
                continue
            self.stdout.write(f"{loaded.slug} {loaded.version}: {outcome}")
        if problems:
            count = len(problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''}:\n" + "\n".join(problems)
            )

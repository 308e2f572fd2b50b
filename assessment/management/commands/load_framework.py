"""Validate a question bank file and load it (``--check`` validates only)."""

from django.core.management.base import BaseCommand, CommandError

from assessment.frameworks import FrameworkError, load, read


class Command(BaseCommand):
    help = "Validate a question bank YAML file and load it in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("path", help="e.g. fixtures/frameworks/iicsa-cse-networks.yaml")
        parser.add_argument("--check", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args, path: str, check: bool, **options):
        try:
            data = read(path)
            if check:
                questions = sum(len(t["questions"]) for t in data["themes"])
                self.stdout.write(
                    f"{path}: valid ({data['slug']} {data['version']}: {len(data['themes'])} themes, "
                    f"{questions} questions)"
                )
                return
            framework, outcome = load(data)
        except FrameworkError as error:
            count = len(error.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''}:\n" + "\n".join(error.problems)
            ) from None
        self.stdout.write(f"{framework.slug} {framework.version}: {outcome}")

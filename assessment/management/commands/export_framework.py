"""Print a framework version as JSON (the newest version unless --version is given)."""

import json

from django.core.management.base import BaseCommand, CommandError

from assessment.frameworks import export, with_contents
from assessment.models import Framework


class Command(BaseCommand):
    help = "Write a framework as JSON to standard output."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Django's own --version (its release number) gives way to ours: the framework's version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--version", dest="framework_version", help="Defaults to the newest.")

    def handle(self, *args, slug: str, framework_version: str | None, **options):
        frameworks = with_contents(Framework.objects.filter(slug=slug)).order_by("-loaded_at")
        if framework_version:
            frameworks = frameworks.filter(version=framework_version)
        framework = frameworks.first()
        if framework is None:
            raise CommandError(
                f"No framework {slug!r}"
                + (f" version {framework_version!r}" if framework_version else "")
            )
        self.stdout.write(json.dumps(export(framework), indent=2, ensure_ascii=False))

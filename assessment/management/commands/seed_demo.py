"""Create the fictional demo partnerships and people, and print the logins.

Idempotent: running it again changes nothing that exists. The data is in fixtures/demo.yaml.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessment import yaml_files
from assessment.demo import seed_assessments, seed_moderation, seed_register
from assessment.models import Framework, Membership, Partnership, User

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo.yaml"


class Command(BaseCommand):
    help = "Create fictional demo partnerships and people, and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the logins) if the database already has partnerships.",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if not settings.DEMO_DATA:
            raise CommandError(
                "seed_demo makes demo accounts with a published password, so it refuses when "
                "DEBUG is off. Set DEMO_DATA=true to add them to a demonstration server."
            )
        demo = yaml_files.parse_file(DEMO_FILE)
        if if_empty and Partnership.objects.exists():
            self.stdout.write("The database already has partnerships: no demo data added.")
        else:
            frameworks = list(Framework.objects.all())
            with transaction.atomic():
                for index, spec in enumerate(demo["partnerships"]):
                    partnership = self._partnership(spec, demo["password"])
                    if not frameworks:
                        continue
                    lead_membership = (
                        partnership.memberships.filter(role="lead").select_related("user").first()
                    )
                    if lead_membership is None:
                        raise CommandError(f"{partnership.name}: the demo data names no lead")
                    lead = lead_membership.user
                    for title in seed_assessments(
                        partnership,
                        frameworks,
                        lead,
                        demo["assessments"],
                        index,
                        demo.get("evidence_items"),
                    ):
                        self.stdout.write(f"  {partnership.name}: {title}")
                    shared = seed_moderation(partnership, lead, demo["moderation"])
                    if shared:
                        self.stdout.write(
                            f"  {partnership.name}: {shared} given to three agencies, moderated"
                        )
                    published = demo["register"]["published"]
                    entries = seed_register(
                        partnership,
                        lead,
                        demo["register"],
                        published["approved_on"] if published["partnership"] == index else None,
                    )
                    if entries:
                        self.stdout.write(f"  {partnership.name}: register of {entries} entries")
            if not frameworks:
                self.stdout.write(
                    "No framework is loaded, so no demo self-assessments were created."
                )
        self._print_logins(demo)

    def _partnership(self, spec: dict, password: str) -> Partnership:
        partnership, _ = Partnership.objects.get_or_create(
            name=spec["name"], defaults={"nation": spec["nation"], "area": spec["area"]}
        )
        for person in spec["members"]:
            user, created = User.objects.get_or_create(
                email=person["email"], defaults={"name": person["name"]}
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            Membership.objects.get_or_create(
                partnership=partnership,
                user=user,
                defaults={"role": person["role"], "agency": person["agency"]},
            )
        return partnership

    def _print_logins(self, demo: dict) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo logins (fictional people). Password for all: {demo['password']}"
            )
        )
        for spec in demo["partnerships"]:
            self.stdout.write(f"\n  {spec['name']} ({spec['nation'].title()})")
            for person in spec["members"]:
                self.stdout.write(
                    f"    {person['email']:<32} {person['role']:<12} {person['agency']}"
                )
        self.stdout.write("\nOpen http://127.0.0.1:8000 and sign in with one of these.\n")

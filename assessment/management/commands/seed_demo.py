"""Create fictional demo data and print the logins. Safe to run again: nothing is duplicated."""

from django.core.management.base import BaseCommand

from assessment.models import User

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - fictional demo accounts, printed on purpose


class Command(BaseCommand):
    help = "Create fictional demo data and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database already has users."
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has users: demo data not created.")
            self.print_logins()
            return
        for email, name in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(email=email, defaults={"name": name})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
        self.print_logins()

    def print_logins(self) -> None:
        demo = User.objects.filter(email__in=[email for email, _ in DEMO_PEOPLE])
        if not demo.exists():
            return
        self.stdout.write(
            self.style.SUCCESS("\nDemo logins (all fictional), password: " + DEMO_PASSWORD)
        )
        for user in demo.order_by("email"):
            self.stdout.write(f"  {user.email:<40} {user.name}")
        self.stdout.write("")


DEMO_PEOPLE = [
    ("lead@demo.example", "Dana Demo (partnership lead)"),
]

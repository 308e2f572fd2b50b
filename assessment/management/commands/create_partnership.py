"""Create a partnership and invite its first lead (for site staff)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from assessment.models import Agency, Invitation, Membership, Nation, Partnership, Role, User


class Command(BaseCommand):
    help = (
        "Create a partnership; make --lead its lead (existing account) or print an invitation link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--nation", required=True, choices=Nation.values)
        parser.add_argument("--area", required=True)
        parser.add_argument("--lead", required=True, help="Email address of the first lead.")
        parser.add_argument("--agency", default=Agency.OTHER, choices=Agency.values)

    def handle(self, *args, name, nation, area, lead, agency, **options):
        if Partnership.objects.filter(name__iexact=name).exists():
            raise CommandError(f"A partnership called {name!r} already exists")
        partnership = Partnership.objects.create(name=name, nation=nation, area=area)
        self.stdout.write(f"Created {partnership.name} ({partnership.code})")
        user = User.objects.filter(email__iexact=lead).first()
        if user:
            Membership.objects.create(
                partnership=partnership, user=user, role=Role.LEAD, agency=agency
            )
            self.stdout.write(f"{user.email} is its lead.")
            return
        _, token = Invitation.create(
            partnership=partnership, email=lead, role=Role.LEAD, agency=agency, invited_by=None
        )
        link = settings.SITE_URL + reverse("accept_invitation", args=[token])
        self.stdout.write(f"Send this invitation link to {lead} (works once, for 14 days):\n{link}")

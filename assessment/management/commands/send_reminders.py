"""Send the reminders that depend on the date, and the weekly digests. Safe to run every hour:
each reminder is recorded before it is sent, under a key that names it, so a second run on the
same day (or an overlapping one) sends nothing new."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment import notifications
from assessment.models import Notification


class Command(BaseCommand):
    help = "Send reminders for actions due in 14 days or overdue, and the weekly digests."

    def handle(self, *args, **options):
        now = timezone.now()
        recorded = notifications.due_reminders(timezone.localdate(now))
        # Send what is waiting here, not through the worker: cron may run where no worker is.
        waiting = list(
            Notification.objects.filter(sent_at__isnull=True, in_digest=False).select_related(
                "user"
            )
        )
        sent = notifications.send(waiting)
        digests = notifications.send_digests(now)
        self.stdout.write(
            f"{recorded} reminder{'s' if recorded != 1 else ''} recorded, {sent} email"
            f"{'s' if sent != 1 else ''} sent, {digests} weekly digest{'s' if digests != 1 else ''}"
        )

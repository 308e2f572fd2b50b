"""Email notifications: each one recorded before it is sent, so nothing is sent twice."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    THEME_ASSIGNED = "theme_assigned", "A theme is assigned to your agency"
    SUBMITTED = "submitted", "A self-assessment is submitted for review"
    RETURNED = "returned", "A self-assessment is returned for changes"
    APPROVAL_REQUESTED = "approval_requested", "Your approval is asked for"
    CHALLENGE_RAISED = "challenge_raised", "A challenge is raised on your agency's work"
    CHALLENGE_RESPONDED = "challenge_responded", "A challenge you are part of has a reply"
    CHALLENGE_RESOLVED = "challenge_resolved", "A challenge you are part of is resolved"
    SIGNED_OFF = "signed_off", "A self-assessment is signed off"
    ACTION_ASSIGNED = "action_assigned", "An action is assigned to you"
    ACTION_DUE_SOON = "action_due_soon", "An action of yours is due in 14 days"
    ACTION_OVERDUE = "action_overdue", "An action of yours is overdue (then weekly)"
    DIGEST = "digest", "Weekly digest"


# Sent whatever a person's choices: each asks them to do something only they can do.
ESSENTIAL = frozenset(
    {Kind.APPROVAL_REQUESTED, Kind.CHALLENGE_RAISED, Kind.ACTION_ASSIGNED, Kind.ACTION_OVERDUE}
)
OPTIONAL = tuple(k for k in Kind if k not in ESSENTIAL and k != Kind.DIGEST)


class NotificationSettings(models.Model):
    """What a person has chosen: a weekly digest instead of single emails, and which of the
    non-essential ones to stop."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notification_settings"
    )
    weekly_digest = models.BooleanField(default=False)
    muted = models.JSONField(default=list, blank=True, help_text="Kinds not to send.")
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notification settings of {self.user}"

    @classmethod
    def of(cls, user) -> "NotificationSettings":
        found = cls.objects.filter(user=user).first()
        return found or cls(user=user)


class Notification(models.Model):
    """One email to one person. ``key`` names the event, so that the same reminder (an action
    due, an overdue week) is recorded, and sent, once only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Paragraphs separated by blank lines.")
    url = models.CharField(max_length=500, blank=True)
    in_digest = models.BooleanField(default=False, help_text="Held for the weekly digest.")
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user}"

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]

"""The action plan: owned, dated actions that follow the partnership from cycle to cycle."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessment.models.assessment import Assessment, Imported
from assessment.models.lock import LockedWithAssessment
from assessment.models.partnership import Agency

DUE_SOON_DAYS = 30


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Action(LockedWithAssessment, Imported):
    """What the partnership will do about a gap. The plan is the partnership's working plan: it
    stays open to change after sign-off (the snapshot keeps it as it stood then), and its open
    actions move into each new cycle started from the one they are in, keeping their history."""

    # The plan is live after sign-off: the lock does not apply, and open actions move on.
    locked_after_sign_off = False
    moves_on_after_sign_off = True

    DESCRIPTION_LIMIT = 2000

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="actions")
    raised_in = models.ForeignKey(Assessment, models.SET_NULL, null=True, related_name="+")
    description = models.TextField()
    agency = models.CharField("owning agency", max_length=24, choices=Agency.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due = models.DateField("due date")
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    dropped_reason = models.TextField(blank=True)
    question_codes = models.JSONField(
        default=list, help_text="The questions (gaps) this action answers."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        ordering = ["due", "created"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due < timezone.localdate()

    @property
    def is_due_soon(self) -> bool:
        today = timezone.localdate()
        return self.is_open and today <= self.due <= today + timedelta(days=DUE_SOON_DAYS)

    def owner_role(self) -> str:
        """The owner's role and agency in the partnership, as the plan prints it."""
        if self.owner is None:
            return ""
        # Readers of many actions prefetch the owners' memberships of the partnership into
        # ``partnership_memberships`` (see ``with_owner_roles``): one query, not one per action.
        prefetched = getattr(self.owner, "partnership_memberships", None)
        if prefetched is not None:
            membership = prefetched[0] if prefetched else None
        else:
            membership = self.owner.memberships.filter(
                partnership_id=self.assessment.partnership_id
            ).first()
        if membership is None:
            return "no longer a member"
        return f"{membership.get_role_display()}, {membership.get_agency_display()}"

    def as_data(self) -> dict:
        return {
            "code": str(self.code),
            "description": self.description,
            "agency": self.agency,
            "owner": self.owner.email if self.owner else None,
            # The report names owners by name and role, never by email address.
            "owner_name": self.owner.get_full_name() if self.owner else None,
            "owner_role": self.owner_role(),
            "due": self.due.isoformat(),
            "priority": self.priority,
            "status": self.status,
            "dropped_reason": self.dropped_reason,
            "questions": self.question_codes,
            "notes": [
                {
                    "kind": n.kind,
                    "author": n.author.get_full_name() if n.author else None,
                    "text": n.text,
                    "created": n.created.isoformat(),
                }
                for n in self.notes.all()
            ],
        }


class ActionNote(LockedWithAssessment, Imported):
    """A dated progress note (contributors, leads) or a comment (scrutineers) on an action."""

    lock_parent = "action"
    locked_after_sign_off = False  # progress is recorded on a live plan after sign-off

    PROGRESS, COMMENT = "progress", "comment"
    LIMIT = 2000

    action = models.ForeignKey(Action, models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=8, choices=[(PROGRESS, "Progress"), (COMMENT, "Comment")])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.action}"


def with_owner_roles(actions: models.QuerySet, partnership_id: int) -> models.QuerySet:
    """``actions`` with their owners' memberships of the partnership, for ``owner_role``."""
    from assessment.models.partnership import Membership

    return actions.prefetch_related(
        models.Prefetch(
            "owner__memberships",
            queryset=Membership.objects.filter(partnership_id=partnership_id),
            to_attr="partnership_memberships",
        )
    )

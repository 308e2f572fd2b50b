"""Scrutiny and sign-off: challenges that need a response, the statutory partners' representatives
and their approvals.

Working Together to Safeguard Children 2023 puts the three statutory safeguarding partners in
charge of local arrangements; in Wales the statutory partners of a regional board are the local
authority, the police and the local health board. A cycle is signed off when a representative of
each has approved it (or when the partnership records that its board approved it).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from assessment.models.assessment import Assessment, Status
from assessment.models.framework import Question, Theme
from assessment.models.lock import LockedWithAssessment
from assessment.models.partnership import Membership, Nation, Partnership


class StatutoryPartner(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    INTEGRATED_CARE_BOARD = "integrated_care_board", "Integrated care board"
    LOCAL_HEALTH_BOARD = "local_health_board", "Local health board"


STATUTORY_PARTNERS: dict[str, tuple[str, ...]] = {
    Nation.ENGLAND: (
        StatutoryPartner.LOCAL_AUTHORITY,
        StatutoryPartner.POLICE,
        StatutoryPartner.INTEGRATED_CARE_BOARD,
    ),
    Nation.WALES: (
        StatutoryPartner.LOCAL_AUTHORITY,
        StatutoryPartner.POLICE,
        StatutoryPartner.LOCAL_HEALTH_BOARD,
    ),
}


def statutory_partners(nation: str) -> tuple[str, ...]:
    """The statutory partners whose representatives approve a cycle in ``nation``."""
    return STATUTORY_PARTNERS[nation]


class Representative(models.Model):
    """The member who approves self-assessments for one statutory partner of a partnership."""

    partnership = models.ForeignKey(Partnership, models.CASCADE, related_name="representatives")
    partner = models.CharField(max_length=24, choices=StatutoryPartner.choices)
    membership = models.ForeignKey(Membership, models.CASCADE, related_name="represents")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "partner"], name="one_representative_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} for {self.get_partner_display()}"


class Challenge(LockedWithAssessment):
    """A scrutineer's or lead's question that needs a response, on a question, a theme or the
    whole assessment (both empty). It stays open until someone with the right to comment
    resolves it; every response and note is kept in order.

    Scrutiny goes on after sign-off (a challenge left open at sign-off is still answered), so
    challenges are outside the lock; the snapshot keeps them as they stood at sign-off."""

    locked_after_sign_off = False

    LIMIT = 3000

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="challenges")
    theme = models.ForeignKey(Theme, models.PROTECT, null=True, blank=True, related_name="+")
    question = models.ForeignKey(Question, models.PROTECT, null=True, blank=True, related_name="+")
    # A challenge on an entry of the partnership's register of responses to recommendations. The
    # register belongs to the partnership, so the challenge is held by the cycle open when it was
    # raised (or the latest), and an open one is counted on every open cycle until resolved.
    entry = models.ForeignKey(
        "assessment.RecommendationResponse",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="challenges",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"Challenge on {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def subject(self) -> str:
        if self.entry is not None:
            return f"the register entry {self.entry.number}: {self.entry.title}"
        if self.question is not None:
            return self.question.code
        if self.theme is not None:
            return self.theme.title
        return "the whole self-assessment"

    def agencies_concerned(self, assigned: set[str]) -> set[str] | None:
        """The agencies whose contributors may respond: the question's agencies and the
        theme's assigned agencies; on a register entry, its lead agency. None means every
        agency (a challenge on the whole assessment, a theme nobody has been given, or an
        entry with no lead agency yet)."""
        if self.entry is not None:
            return {self.entry.lead_agency} if self.entry.lead_agency else None
        if self.theme_id is None:
            return None
        agencies = set(assigned)
        if self.question is not None:
            agencies |= set(self.question.agencies)
        return agencies or None

    def as_data(self) -> dict:
        return {
            "code": str(self.code),
            "theme": self.theme.code if self.theme is not None else None,
            "question": self.question.code if self.question is not None else None,
            # Version 5 on: the register entry challenged, as it was named then.
            "entry": {
                "code": str(self.entry.code),
                "number": self.entry.number,
                "title": self.entry.title,
            }
            if self.entry is not None
            else None,
            "raised_by": person(self.raised_by),
            "text": self.text,
            "created": self.created.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "resolved_by": person(self.resolved_by) if self.resolved_at else None,
            "notes": [n.as_data() for n in self.notes.all()],
        }


def challenges_on(assessment: Assessment) -> "models.QuerySet[Challenge]":
    """The challenges a cycle answers for: those it holds and, while it is open, the challenges
    on register entries left open by the partnership's signed-off cycles (the register carries
    from cycle to cycle, and so do the challenges on it until they are resolved)."""
    held = models.Q(assessment=assessment)
    if not assessment.is_locked:
        held |= models.Q(
            entry__isnull=False,
            resolved_at__isnull=True,
            assessment__partnership_id=assessment.partnership_id,
            assessment__status=Status.SIGNED_OFF,
        )
    return Challenge.objects.filter(held)


def person(user) -> str | None:
    """How a person is named in records that are kept: their name, never their email address."""
    return user.get_full_name() if user else None


class ChallengeNote(LockedWithAssessment):
    """A response to a challenge, a further note from the scrutineer, the resolution, or the
    reason a signer gave for leaving it open at sign-off."""

    lock_parent = "challenge"
    locked_after_sign_off = False

    RESPONSE, NOTE, RESOLUTION, LEFT_OPEN = "response", "note", "resolution", "left_open"
    KINDS = [
        (RESPONSE, "Response"),
        (NOTE, "Further note"),
        (RESOLUTION, "Resolved"),
        (LEFT_OPEN, "Left open at sign-off"),
    ]

    challenge = models.ForeignKey(Challenge, models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=10, choices=KINDS)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.challenge}"

    def as_data(self) -> dict:
        return {
            "kind": self.kind,
            "author": person(self.author),
            "text": self.text,
            "created": self.created.isoformat(),
        }


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"
    BOARD = "board", "Approved by the board"


class Approval(LockedWithAssessment):
    """One representative's decision on one round of review, or the record that the board
    approved the cycle. A round starts each time the cycle is submitted for review. Locked with
    the assessment: the decisions that signed it off cannot change afterwards."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="approvals")
    round = models.PositiveIntegerField()
    partner = models.CharField(max_length=24, choices=StatutoryPartner.choices, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    board_meeting = models.DateField(null=True, blank=True)
    recorded_name = models.CharField(max_length=150, blank=True)
    recorded_role = models.CharField(max_length=150, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.assessment}, round {self.round})"

    def as_data(self) -> dict:
        return {
            "round": self.round,
            "partner": self.partner or None,
            "by": person(self.user),
            "decision": self.decision,
            "reason": self.reason,
            "board_meeting": self.board_meeting.isoformat() if self.board_meeting else None,
            "recorded_name": self.recorded_name,
            "recorded_role": self.recorded_role,
            "at": self.created.isoformat(),
        }

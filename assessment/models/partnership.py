"""Partnerships, the people in them and how people are invited."""

import calendar
import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

INVITATION_LIFETIME = timedelta(days=14)


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    CONTRIBUTOR = "contributor", "Contributor"
    SCRUTINEER = "scrutineer", "Scrutineer"
    VIEWER = "viewer", "Viewer"


ROLE_DESCRIPTIONS = {
    Role.LEAD: "Runs the self-assessment: invites people, assigns themes, signs off.",
    Role.CONTRIBUTOR: "Answers the questions and updates the actions of their agency.",
    Role.SCRUTINEER: "Reads everything and comments; changes nothing.",
    Role.VIEWER: "Reads the results and reports, for example a board member.",
}


class Agency(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    YOUTH_SERVICES = "youth_services", "Youth services"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    OTHER = "other", "Other"


class Partnership(models.Model):
    """A local safeguarding partnership (England) or regional board (Wales)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    nation = models.CharField(max_length=10, choices=Nation.choices)
    area = models.CharField(max_length=200, help_text="The local authority area or areas covered.")
    year_starts = models.PositiveSmallIntegerField(
        "reporting year starts in",
        choices=[(m, calendar.month_name[m]) for m in range(1, 13)],
        default=4,
        help_text="The month the partnership's reporting year starts (April in most areas).",
    )
    contact_name = models.CharField("contact's name", max_length=150, blank=True)
    contact_email = models.EmailField(
        "contact's email address",
        blank=True,
        help_text="Who members and scrutineers ask about the self-assessment: usually the business manager.",
    )
    requires_two_factor = models.BooleanField(
        "require two-factor authentication",
        default=False,
        help_text="Members must set up two-factor authentication before they can see anything.",
    )
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    SETTINGS = ["name", "area", "nation", "year_starts", "contact_name", "contact_email"]
    SETTINGS += ["requires_two_factor"]

    def settings(self) -> dict:
        """What a lead changes on the settings page."""
        return {name: getattr(self, name) for name in self.SETTINGS}

    def change_settings(self, **values) -> None:
        for name in self.SETTINGS:
            setattr(self, name, values[name])
        self.save(update_fields=self.SETTINGS)


class LastLeadError(ValidationError):
    pass


class Membership(models.Model):
    """A person's role and agency in one partnership. A person may belong to several."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    agency = models.CharField(max_length=24, choices=Agency.choices)
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        ordering = ["user__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user"], name="one_membership_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.partnership})"

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    def change(self, *, role: str, agency: str) -> None:
        """Change role and agency. Guarantees the partnership keeps at least one lead."""
        with transaction.atomic():
            self._lock_leads()
            # Judge by the stored role: the caller (a form, the admin) may have changed ours already.
            was_lead = Membership.objects.filter(pk=self.pk, role=Role.LEAD).exists()
            if was_lead and role != Role.LEAD and self._other_leads() == 0:
                raise LastLeadError(
                    "There must be at least one lead. Make someone else a lead first."
                )
            self.role, self.agency = role, agency
            self.save()

    def remove(self) -> None:
        """Remove this person from the partnership. Refused for the last lead."""
        with transaction.atomic():
            self._lock_leads()
            was_lead = Membership.objects.filter(pk=self.pk, role=Role.LEAD).exists()
            if was_lead and self._other_leads() == 0:
                raise LastLeadError(
                    "You cannot remove the last lead. Make someone else a lead first."
                )
            self.delete()

    def _lock_leads(self) -> None:
        # Two leads demoting each other at once must not leave the partnership without one:
        # lock the partnership row so the checks run one after the other.
        Partnership.objects.select_for_update().filter(pk=self.partnership_id).first()

    def _other_leads(self) -> int:
        return (
            Membership.objects.filter(partnership_id=self.partnership_id, role=Role.LEAD)
            .exclude(pk=self.pk)
            .count()
        )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(
            accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An emailed, single-use link to join a partnership with a role and agency.

    Only a hash of the token is stored: the link in the email is the only copy of the secret.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=Role.choices)
    agency = models.CharField(max_length=24, choices=Agency.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.partnership}"

    @classmethod
    def create(
        cls, *, partnership: Partnership, email: str, role: str, agency: str, invited_by
    ) -> tuple["Invitation", str]:
        """Create an invitation; returns it with the secret token for the link."""
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation = cls.objects.create(
            partnership=partnership,
            email=email.strip().lower(),
            role=role,
            agency=agency,
            invited_by=invited_by,
            token_hash=_hash_token(token),
            sent_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        return invitation, token

    @classmethod
    def find(cls, token: str) -> "Invitation | None":
        return (
            cls.objects.select_related("partnership").filter(token_hash=_hash_token(token)).first()
        )

    def renew(self) -> str:
        """A fresh token and another 14 days; the old link stops working."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.sent_at = timezone.now()
        self.expires_at = self.sent_at + INVITATION_LIFETIME
        self.save(update_fields=["token_hash", "sent_at", "expires_at"])
        return token

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.cancelled_at:
            return "cancelled"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def accept(self, user) -> Membership:
        """Make ``user`` a member. Works once; refused when expired, cancelled or for another email.

        A person who is already a member keeps their existing role: the invitation is used up.
        """
        with transaction.atomic():
            # Lock the row so a link clicked twice at once is still used only once.
            fresh = Invitation.objects.select_for_update().get(pk=self.pk)
            if fresh.state != "pending":
                raise ValidationError(f"This invitation has been {fresh.state}.")
            if user.email.lower() != fresh.email:
                raise ValidationError("This invitation was sent to a different email address.")
            membership, _ = Membership.objects.get_or_create(
                partnership=fresh.partnership,
                user=user,
                defaults={"role": fresh.role, "agency": fresh.agency},
            )
            fresh.accepted_at = timezone.now()
            fresh.accepted_by = user
            fresh.save(update_fields=["accepted_at", "accepted_by"])
            self.accepted_at, self.accepted_by = fresh.accepted_at, user
        return membership

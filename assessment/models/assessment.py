"""A self-assessment cycle: one partnership's answers to one framework version.

Locking is enforced here, not only in views: once an assessment is signed off, no path (view,
form, admin, command, queryset) can change its answers; reopening needs a lead and a reason.
"""

import hashlib
import json
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessment.models.framework import Framework, Option, Question, Theme
from assessment.models.partnership import Agency, Partnership


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SIGNED_OFF = "signed_off", "Signed off"


class AssessmentLocked(ValidationError):
    """A change to a signed-off assessment."""

    def __init__(
        self,
        message: str = "This self-assessment is signed off and locked. A lead must reopen it first.",
    ):
        super().__init__(message)


class Assessment(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, models.CASCADE, related_name="assessments")
    # PROTECT: a framework version that an assessment uses can never be deleted or replaced.
    framework = models.ForeignKey(Framework, models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    carried_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="carried_into"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Raised on every submission for review: approvals count only in the round they were given.
    review_round = models.PositiveIntegerField(default=0)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-created"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # A signed-off assessment changes only by being reopened (status back to draft).
        if self.pk and self.status == Status.SIGNED_OFF:
            stored = Assessment.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == Status.SIGNED_OFF:
                raise AssessmentLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_locked:
            raise AssessmentLocked()
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status == Status.SIGNED_OFF

    @property
    def latest_snapshot(self) -> "Snapshot | None":
        return self.snapshots.order_by("-created").first()


class Assignment(models.Model):
    """A theme of an assessment given to an agency to answer."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="assignments")
    theme = models.ForeignKey(Theme, models.CASCADE, related_name="+")
    agency = models.CharField(max_length=24, choices=Agency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "theme", "agency"], name="one_assignment_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.theme} assigned to {self.get_agency_display()}"


class AnswerQuerySet(models.QuerySet):
    """Bulk writes would skip the lock and the history, so they are refused on locked assessments."""

    def _refuse_if_locked(self) -> None:
        if self.filter(assessment__status=Status.SIGNED_OFF).exists():
            raise AssessmentLocked()

    def update(self, **kwargs):
        self._refuse_if_locked()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_locked()
        return super().delete()


class Answer(models.Model):
    """One question answered for one assessment, with its evidence ("how do you know?")."""

    EVIDENCE_LIMIT = 5000
    REASON_LIMIT = 1000
    TEXT_LIMIT = 5000

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.PROTECT, related_name="+")
    # Chosen option ids: one for single choice and yes/no, any number for multiple choice.
    selected = models.JSONField(default=list, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True, help_text="For counts.")
    date_value = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    text = models.TextField(blank=True)
    evidence = models.TextField("how do you know?", blank=True)
    not_applicable = models.BooleanField(default=False)
    not_applicable_reason = models.TextField(blank=True)
    needs_reconfirmation = models.BooleanField(default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    agency = models.CharField(max_length=24, choices=Agency.choices, blank=True)
    updated = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every save; stale saves are refused."
    )

    history = HistoricalRecords()
    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.code} in {self.assessment}"

    def save(self, *args, **kwargs):
        status = (
            Assessment.objects.filter(pk=self.assessment_id)
            .values_list("status", flat=True)
            .first()
        )
        if status == Status.SIGNED_OFF:
            raise AssessmentLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.assessment.is_locked:
            raise AssessmentLocked()
        return super().delete(*args, **kwargs)

    VALUE_FIELDS = (
        "selected",
        "numerator",
        "denominator",
        "number",
        "date_value",
        "period_start",
        "period_end",
        "text",
        "evidence",
        "not_applicable",
        "not_applicable_reason",
    )

    @property
    def values(self) -> dict:
        """What the answer says, without who or when: the fields a person fills in."""
        return {name: getattr(self, name) for name in self.VALUE_FIELDS}

    @property
    def has_value(self) -> bool:
        kind = self.question.kind
        if kind in ("single", "yes_no", "multiple"):
            return bool(self.selected)
        if kind == "indicator":
            return self.numerator is not None and self.denominator is not None
        if kind == "count":
            return self.number is not None
        if kind == "date":
            return self.date_value is not None
        return bool(self.text.strip())

    @property
    def is_complete(self) -> bool:
        """Answered in full: N/A with a reason, or a value with its evidence."""
        if self.not_applicable:
            return bool(self.not_applicable_reason.strip())
        return self.has_value and bool(self.evidence.strip())

    @property
    def percentage(self) -> float | None:
        if self.numerator is None or not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    def chosen_options(self, options: list[Option]) -> list[Option]:
        return [o for o in options if o.pk in self.selected]

    def as_data(self, options: list[Option] | None = None) -> dict:
        """The answer as plain data, for snapshots, history and exports."""
        options = options if options is not None else list(self.question.options.all())
        return {
            "question": self.question.code,
            "selected": [
                {"label": o.label, "level": o.level, "points": o.points}
                for o in self.chosen_options(options)
            ],
            "numerator": self.numerator,
            "denominator": self.denominator,
            "number": self.number,
            "date": self.date_value.isoformat() if self.date_value else None,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "text": self.text,
            "evidence": self.evidence,
            "not_applicable": self.not_applicable,
            "not_applicable_reason": self.not_applicable_reason,
            "answered_by": self.answered_by.email if self.answered_by else None,
            "agency": self.agency,
            "updated": self.updated.isoformat(),
            "version": self.version,
        }


class Comment(models.Model):
    """A scrutineer's or lead's comment on an answer (question) or on a whole theme.

    Comments never change answers, and may be added at any stage, including after sign-off.
    """

    LIMIT = 3000

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="comments")
    theme = models.ForeignKey(Theme, models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, models.PROTECT, null=True, blank=True, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.question.code if self.question else self.theme}"


class Snapshot(models.Model):
    """Everything an assessment said when it was signed off, frozen, with its SHA-256."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="snapshots")
    created = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    data = models.JSONField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Snapshot of {self.assessment} ({self.sha256[:12]})"

    @staticmethod
    def canonical(data: dict) -> bytes:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def digest(cls, data: dict) -> str:
        return hashlib.sha256(cls.canonical(data)).hexdigest()

    def verify(self) -> bool:
        return self.digest(self.data) == self.sha256


class Reopening(models.Model):
    """A lead reopened a signed-off assessment; the reason is kept with the old snapshot."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="reopenings")
    snapshot = models.ForeignKey(Snapshot, models.PROTECT, related_name="+")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.assessment} reopened by {self.reopened_by}"


class StoredReport(models.Model):
    """The PDF review report of a signed-off snapshot, rendered once and served from storage."""

    snapshot = models.OneToOneField(Snapshot, models.CASCADE, related_name="report")
    file = models.FileField(upload_to="reports/")
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Report of {self.snapshot.assessment} ({self.sha256[:12]})"

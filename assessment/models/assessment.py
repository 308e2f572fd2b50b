"""A self-assessment cycle: one partnership's answers to one framework version.

Locking is enforced here, not only in views: once an assessment is signed off, no path (view,
form, admin, command, queryset) can change its answers; reopening needs a lead and a reason.
"""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessment.models.framework import Framework, Option, Question, Theme
from assessment.models.lock import AssessmentLocked, LockedQuerySet, LockedWithAssessment, Status
from assessment.models.partnership import Agency, Partnership


class Imported(models.Model):
    """A record that may have come from an imported file. The person importing is its author;
    who the file said recorded it, and when, is kept only as labelled, unverified data."""

    original = models.JSONField(
        null=True, blank=True, help_text="As the imported file gave it: {'by': …, 'at': …}."
    )

    class Meta:
        abstract = True

    @property
    def original_label(self) -> str:
        if not self.original:
            return ""
        by, at = self.original.get("by"), self.original.get("at")
        parts = ["Originally recorded"]
        if by:
            parts.append(f"by {by}")
        if at:
            parts.append(f"on {at}")
        return " ".join(parts) + " (from an imported file)"


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
    _change_reason: str  # the reason django-simple-history stores with the next history row
    objects = LockedQuerySet.as_manager()

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
        if Assessment.objects.filter(pk=self.pk, status=Status.SIGNED_OFF).exists():
            raise AssessmentLocked()
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status == Status.SIGNED_OFF

    def assign(self, assignments: dict) -> list["Assignment"]:
        """Give each theme (key) to its agencies (value: a list), replacing what was there;
        returns the new assignments. Refused once signed off: who answered what is part of the
        signed record."""
        if self.is_locked:
            raise AssessmentLocked(
                "You cannot change theme assignments because this self-assessment is signed off"
            )
        with transaction.atomic():
            self.assignments.all().delete()
            return Assignment.objects.bulk_create(
                Assignment(assessment=self, theme=theme, agency=agency)
                for theme, agencies in assignments.items()
                for agency in agencies
            )

    @property
    def latest_snapshot(self) -> "Snapshot | None":
        return self.snapshots.order_by("-created").first()


class Assignment(LockedWithAssessment):
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


class CarryOutcome(models.TextChoices):
    """What became of an answer carried over from the previous cycle (blank: not carried, or
    still to confirm; see ``Answer.needs_reconfirmation``)."""

    CONFIRMED = "confirmed", "Confirmed without change"
    CHANGED = "changed", "Changed"


class AnswerValues(models.Model):
    """What a person fills in for one question, with who and when, and the version a save
    starts from: the partnership's answer (``Answer``) and an agency's view of the question
    (``AgencyView``) both hold these, so that one form, one set of rules (``answer_rules``)
    and one save path (``workflow.save_answers``) serve both."""

    EVIDENCE_LIMIT = 5000
    REASON_LIMIT = 1000
    TEXT_LIMIT = 5000

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
    carry_outcome = models.CharField(
        max_length=10, choices=CarryOutcome.choices, blank=True, default=""
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The person's word that the free text identifies nobody, kept with the text it was given
    # for (SHA-256 of the texts) and the version it was saved in: a later save of the same text
    # is not questioned again, a changed text is.
    personal_data_confirmed = models.CharField(max_length=64, blank=True, default="")
    personal_data_confirmed_version = models.PositiveIntegerField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    agency = models.CharField(max_length=24, choices=Agency.choices, blank=True)
    updated = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every save; stale saves are refused."
    )

    # Each concrete model declares its own question (a foreign key) and history.
    question: Question
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        abstract = True

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
    def rate(self) -> float | None:
        """An indicator's rate, per 100 or per the framework's base (``Question.per``)."""
        if self.numerator is None or not self.denominator:
            return None
        return round(self.question.per * self.numerator / self.denominator, 1)

    @property
    def author_email(self) -> str | None:
        return self.answered_by.email if self.answered_by else None

    def chosen_options(self, options: Iterable[Option]) -> list[Option]:
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


class Answer(LockedWithAssessment, Imported, AnswerValues):
    """One question answered for one assessment, with its evidence ("how do you know?").

    On a theme given to several agencies this is the partnership answer, settled by moderation
    (``Moderation``) from the agencies' views (``AgencyView``)."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.PROTECT, related_name="+")

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.code} in {self.assessment}"


class Comment(LockedWithAssessment, Imported):
    """A scrutineer's or lead's comment on an answer (question) or on a whole theme.

    Comments never change answers. They are part of the signed record (the report prints them),
    so they are locked with it: after sign-off, comment in the next cycle or reopen.
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
    """Everything an assessment said when it was signed off, frozen, with its SHA-256.

    Built, versioned, read and checked only by ``assessment.snapshots``.
    """

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


class DocumentKind(models.TextChoices):
    """The files rendered from an assessment: its two PDF documents and its data exports."""

    REPORT = "report", "Review report"
    BOARD = "board", "Board pack"
    JSON = "json", "Data (JSON)"
    CSV = "csv", "Answers (CSV)"
    ZIP = "zip", "Data with the evidence files (zip)"


class StoredReport(models.Model):
    """A PDF document of a signed-off snapshot (the review report or the board pack), rendered
    once from the snapshot and served from storage."""

    snapshot = models.ForeignKey(Snapshot, models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=8, choices=DocumentKind.choices, default=DocumentKind.REPORT)
    file = models.FileField(upload_to="reports/")
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "kind"], name="one_stored_report_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.snapshot.assessment} ({self.sha256[:12]})"


class DraftReport(models.Model):
    """A file rendered once for one state of the assessment: a draft's PDF documents, and the
    data exports (of any assessment: its actions live on after sign-off).

    ``fingerprint`` digests everything the file shows (``reports.fingerprint``): the same
    fingerprint means the same file, so it is reused until something in it changes. ``pages``
    is 0 for an export.
    """

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="draft_reports")
    kind = models.CharField(max_length=8, choices=DocumentKind.choices, default=DocumentKind.REPORT)
    fingerprint = models.CharField(max_length=64)
    file = models.FileField(upload_to="reports/drafts/")
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kind", "fingerprint"], name="one_draft_report_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"Draft {self.get_kind_display().lower()} of {self.assessment} ({self.fingerprint[:12]})"

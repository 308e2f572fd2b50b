"""Several agencies, one partnership answer.

When a theme is given to two or more agencies, each gives its own view of every question in
it (``AgencyView``: the same fields as an answer) and submits it for the theme
(``AgencyThemeSubmission``). The lead, or the member the lead names as the theme's moderator
(``ThemeModerator``), reads the views side by side and settles the partnership answer
(``Answer``), recording why (``Moderation``). An agency that does not accept the partnership
answer records its dissent (``Dissent``), which is kept with the signed record.

Everything here is locked with the assessment at sign-off (``models.lock``) and has history.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessment.models.assessment import AnswerValues, Assessment, Imported
from assessment.models.framework import Question, Theme
from assessment.models.lock import LockedWithAssessment
from assessment.models.partnership import Agency


class AgencyView(LockedWithAssessment, Imported, AnswerValues):
    """One agency's answer to one question of a theme given to several agencies."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="agency_views")
    question = models.ForeignKey(Question, models.PROTECT, related_name="+")
    agency = models.CharField(max_length=24, choices=Agency.choices)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question", "agency"], name="one_view_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()}'s view of {self.question.code} in {self.assessment}"

    def save(self, *args, **kwargs):
        # A view belongs to its agency for good: moving it to another would let one agency
        # speak for another.
        if self.pk is not None:
            stored = AgencyView.objects.filter(pk=self.pk).values_list("agency", flat=True).first()
            if stored is not None and stored != self.agency:
                raise ValueError("An agency view cannot be moved to another agency.")
        super().save(*args, **kwargs)


class AgencyThemeSubmission(LockedWithAssessment, Imported):
    """An agency's view of a whole theme, submitted: from then on the other agencies that have
    submitted theirs can read it, and the moderator can settle the partnership answer."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="agency_submissions")
    theme = models.ForeignKey(Theme, models.PROTECT, related_name="+")
    agency = models.CharField(max_length=24, choices=Agency.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "theme", "agency"], name="one_submission_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()}'s view of {self.theme} submitted"


class ThemeModerator(LockedWithAssessment):
    """The member the lead names to settle a theme's partnership answers (leads always may)."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="moderators")
    theme = models.ForeignKey(Theme, models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "theme"], name="one_moderator_per_theme")
        ]

    def __str__(self) -> str:
        return f"{self.user} moderates {self.theme}"


class Moderation(LockedWithAssessment, Imported):
    """How the partnership answer to one question was settled from the agencies' views."""

    NOTE_LIMIT = 3000

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="moderations")
    question = models.ForeignKey(Question, models.PROTECT, related_name="+")
    note = models.TextField()
    # The agency whose view the partnership answer started from (blank: none of them).
    started_from = models.CharField(max_length=24, choices=Agency.choices, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    moderated_at = models.DateTimeField(default=timezone.now)
    # The partnership answer's version this note was written for.
    answer_version = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="one_moderation_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"Moderation of {self.question.code} in {self.assessment}"


class Dissent(LockedWithAssessment, Imported):
    """An agency's recorded disagreement with a moderated partnership answer."""

    LIMIT = 3000

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="dissents")
    question = models.ForeignKey(Question, models.PROTECT, related_name="+")
    agency = models.CharField(max_length=24, choices=Agency.choices)
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question", "agency"], name="one_dissent_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} dissents on {self.question.code}"

"""A self-assessment cycle of one partnership against one framework version."""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from assessment.models.framework import Framework
from assessment.models.partnership import Partnership


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SIGNED_OFF = "signed_off", "Signed off"


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

    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-created"]

    def __str__(self) -> str:
        return self.title

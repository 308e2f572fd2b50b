"""Evidence items: the documents behind the answers, kept by a partnership and reused.

An item belongs to a partnership (not to a cycle), so one problem profile can support several
answers across cycles. ``AnswerEvidence`` attaches an item to one question of one assessment and
is locked with it: nothing is attached or detached once the assessment is signed off. What the
board relied on is kept in the snapshot (each item's dates and SHA-256), and a file that a
signed-off snapshot names is never deleted or replaced (``assessment.evidence``).
"""

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from simple_history.models import HistoricalRecords

from assessment.models.assessment import Assessment
from assessment.models.framework import Question
from assessment.models.lock import LockedWithAssessment
from assessment.models.partnership import Agency, Partnership


class EvidenceKind(models.TextChoices):
    PROBLEM_PROFILE = "problem_profile", "Problem profile"
    AUDIT_REPORT = "audit_report", "Audit report"
    DATA_RETURN = "data_return", "Data return"
    MINUTES = "minutes", "Minutes"
    INSPECTION_REPORT = "inspection_report", "Inspection report"
    POLICY = "policy", "Policy or procedure"
    TRAINING_RECORD = "training_record", "Training record"
    OTHER = "other", "Other"


def evidence_storage() -> Storage:
    """The storage for evidence files (``STORAGES["evidence"]``): never served directly."""
    return storages["evidence"]


def evidence_path(item: "EvidenceItem", filename: str) -> str:
    # Files are stored under a random name: the original name is kept only as data.
    return f"evidence/{item.partnership.code}/{uuid.uuid4().hex}"


class EvidenceItem(models.Model):
    TITLE_LIMIT = 200
    DESCRIPTION_LIMIT = 2000

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=TITLE_LIMIT)
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    agency = models.CharField("owning agency", max_length=24, choices=Agency.choices)
    produced = models.DateField("date produced")
    period_start = models.DateField("period covered from", null=True, blank=True)
    period_end = models.DateField("period covered to", null=True, blank=True)
    review_by = models.DateField("review by", null=True, blank=True)
    description = models.TextField(blank=True)
    file = models.FileField(
        upload_to=evidence_path, storage=evidence_storage, max_length=300, blank=True
    )
    file_name = models.CharField("original file name", max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    link = models.URLField(max_length=500, blank=True)
    # The uploader's word that the file identifies no child, and whether its text warned.
    no_child_data_confirmed = models.BooleanField(default=False)
    personal_data_warned = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated"])

    class Meta:
        ordering = ["-produced", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(link=""),
                name="evidence_has_a_file_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_file(self) -> bool:
        return bool(self.file)


class AnswerEvidence(LockedWithAssessment):
    """An evidence item attached to one question's answer in one assessment."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="evidence_links")
    question = models.ForeignKey(Question, models.PROTECT, related_name="+")
    # RESTRICT: an attached item is detached before it can be deleted (a partnership deleted
    # as a whole takes its items and links together).
    item = models.ForeignKey(EvidenceItem, models.RESTRICT, related_name="links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    added = models.DateTimeField(auto_now_add=True)

    locked_message = (
        "You cannot attach or remove evidence because this self-assessment is signed off"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["added", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question", "item"], name="one_link_per_answer_and_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} for {self.question.code}"

"""Recommendation sets (content) and each partnership's register of its response to them.

A recommendation set is a YAML file in fixtures/recommendations/ (assessment/recommendation_sets.py
loads it); like a framework, a version is immutable once a partnership's register uses it.
The register belongs to the partnership, not to a cycle: it persists from cycle to cycle, and a
signed-off assessment's snapshot keeps it as it stood. Published responses are versioned records,
read through ``assessment.register.published_view`` which knows every schema version.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessment.models.action import Action
from assessment.models.partnership import Agency, Partnership


class Addressee(models.TextChoices):
    UK_GOVERNMENT = "uk_government", "UK government"
    WELSH_GOVERNMENT = "welsh_government", "Welsh Government"
    NATIONAL_BODIES = "national_bodies", "National bodies (policing, crime agency)"
    POLICE_FORCES = "police_forces", "Police forces"
    LOCAL_AUTHORITIES = "local_authorities", "Local authorities"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PARTNERSHIPS = "partnerships", "Safeguarding partnerships"
    OTHER = "other", "Other or unconfirmed"


class RecommendationSet(models.Model):
    slug = models.SlugField(max_length=80)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    source = models.TextField()
    published = models.DateField()
    url = models.URLField(max_length=500)
    framework_slug = models.SlugField(max_length=80, help_text="The question bank it relates to.")
    notes = models.TextField(blank=True, help_text="What could not be confirmed, and why.")
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["published", "slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="one_recommendation_set")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def in_use(self) -> bool:
        """True once any partnership's register responds to it: from then on it never changes."""
        return RecommendationResponse.objects.filter(recommendation__set=self).exists()


class Recommendation(models.Model):
    set = models.ForeignKey(RecommendationSet, models.CASCADE, related_name="recommendations")
    order = models.PositiveSmallIntegerField()
    number = models.CharField(max_length=60, help_text="As the source gives it.")
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="In our words; short quotations attributed.")
    addressed_to = models.JSONField(default=list)
    local_action = models.BooleanField(help_text="Asks something of local agencies.")
    themes = models.JSONField(default=list)
    questions = models.JSONField(default=list)
    citation = models.CharField(max_length=200)
    unconfirmed = models.TextField(blank=True)

    class Meta:
        ordering = ["set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["set", "number"], name="one_recommendation_number")
        ]

    def __str__(self) -> str:
        return f"{self.set.slug} {self.number}: {self.title}"

    @property
    def addressees(self) -> list[str]:
        return [Addressee(a).label for a in self.addressed_to]


class Applies(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "In part"
    NO = "no", "No"
    UNDECIDED = "undecided", "Not decided yet"


class ResponseStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class LocalSource(models.TextChoices):
    PRACTICE_REVIEW = "practice_review", "Local child safeguarding practice review"
    INSPECTION = "inspection", "Inspection finding"
    LOCAL_INQUIRY = "local_inquiry", "Local inquiry finding"
    OTHER = "other", "Other local source"


class RecommendationResponse(models.Model):
    """The partnership's response to one recommendation: a national one from a set, or a local one
    it added itself (a practice review, an inspection finding, a local inquiry's finding)."""

    TEXT_LIMIT = 4000

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, models.CASCADE, related_name="register")
    # PROTECT: a set version that a register uses can never be deleted or replaced.
    recommendation = models.ForeignKey(
        Recommendation, models.PROTECT, null=True, blank=True, related_name="responses"
    )
    local_source = models.CharField(max_length=20, choices=LocalSource.choices, blank=True)
    local_title = models.CharField("title", max_length=200, blank=True)
    local_summary = models.TextField("what it asks", blank=True)
    local_reference = models.CharField("where it comes from", max_length=300, blank=True)
    applies = models.CharField(
        "applies locally", max_length=10, choices=Applies.choices, default=Applies.UNDECIDED
    )
    applies_how = models.TextField("how it applies locally", blank=True)
    response = models.TextField("our response", blank=True)
    lead_agency = models.CharField(max_length=24, choices=Agency.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What a published response shows instead of the owner's name (unless names are chosen).
    owner_role = models.CharField("owner's role", max_length=200, blank=True)
    status = models.CharField(
        max_length=14, choices=ResponseStatus.choices, default=ResponseStatus.NOT_STARTED
    )
    not_accepted_reason = models.TextField(blank=True)
    actions = models.ManyToManyField(Action, blank=True, related_name="recommendation_responses")
    # The evidence items that show the response is in place (issue 18).
    evidence = models.ManyToManyField(
        "assessment.EvidenceItem", blank=True, related_name="register_entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "recommendation"],
                condition=models.Q(recommendation__isnull=False),
                name="one_response_per_recommendation",
            ),
            models.CheckConstraint(
                condition=models.Q(recommendation__isnull=False) | ~models.Q(local_title=""),
                name="response_has_a_recommendation",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_local(self) -> bool:
        return self.recommendation_id is None

    @property
    def title(self) -> str:
        rec = self.recommendation
        return self.local_title if rec is None else rec.title

    @property
    def number(self) -> str:
        rec = self.recommendation
        return "Local" if rec is None else rec.number

    @property
    def source_title(self) -> str:
        rec = self.recommendation
        return self.get_local_source_display() if rec is None else rec.set.title

    @property
    def summary(self) -> str:
        rec = self.recommendation
        return self.local_summary if rec is None else rec.summary

    @property
    def citation(self) -> str:
        rec = self.recommendation
        return self.local_reference if rec is None else rec.citation

    @property
    def question_codes(self) -> list[str]:
        rec = self.recommendation
        return [] if rec is None else list(rec.questions)

    @property
    def next_milestone(self) -> "Milestone | None":
        return next((m for m in self.milestones.all() if not m.done), None)

    @property
    def is_applicable(self) -> bool:
        return self.applies in (Applies.YES, Applies.PARTLY)


class Milestone(models.Model):
    """A dated step in the timetable of a response."""

    TEXT_LIMIT = 500

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(RecommendationResponse, models.CASCADE, related_name="milestones")
    due = models.DateField("date")
    text = models.CharField("what will be done by then", max_length=TEXT_LIMIT)
    done = models.BooleanField(default=False)

    history = HistoricalRecords()
    _change_reason: str  # the reason django-simple-history stores with the next history row

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"{self.due}: {self.text}"

    @property
    def is_overdue(self) -> bool:
        return not self.done and self.due < timezone.localdate()


class PublishedResponse(models.Model):
    """One published version of "Our response to the recommendations", frozen with its PDF."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(Partnership, models.CASCADE, related_name="published_responses")
    version = models.PositiveIntegerField()
    approved_on = models.DateField("date approved")
    show_names = models.BooleanField(default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    schema_version = models.PositiveSmallIntegerField()
    data = models.JSONField()
    file = models.FileField(upload_to="responses/")
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "version"], name="one_published_response_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership} response, version {self.version}"

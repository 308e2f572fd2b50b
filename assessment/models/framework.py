"""The question bank: frameworks, themes, questions, options, benchmarks, practice examples.

The YAML file in fixtures/frameworks/ is the source of truth (assessment/frameworks.py loads it).
A version is immutable once an assessment uses it; question codes are stable across versions.
References are always a report section and paragraph: {"section": "Annex 4", "paragraph": 62}.
"""

from django.db import models

LEVELS = ["poor", "developing", "established", "good"]
DEFAULT_POINTS = {"poor": 0, "developing": 1, "established": 2, "good": 3}


class Level(models.TextChoices):
    POOR = "poor", "Poor"
    DEVELOPING = "developing", "Developing"
    ESTABLISHED = "established", "Established"
    GOOD = "good", "Good"


class Kind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    INDICATOR = "indicator", "Indicator"
    COUNT = "count", "Count"
    YES_NO = "yes_no", "Yes or no"
    DATE = "date", "Date"
    TEXT = "text", "Free text"


CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE, Kind.YES_NO}
BANDED_KINDS = {Kind.MULTIPLE, Kind.INDICATOR, Kind.COUNT, Kind.DATE}


def cite(reference: dict) -> str:
    """'Annex 4 para 62' from {"section": "Annex 4", "paragraph": 62}."""
    return f"{reference['section']} para {reference['paragraph']}"


class Framework(models.Model):
    slug = models.SlugField(max_length=80)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    source = models.TextField()
    source_url = models.URLField(blank=True)
    published = models.DateField(null=True, blank=True)
    sections = models.JSONField(
        default=list, help_text="Citable sections and their paragraph ranges."
    )
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the file's content as loaded."
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="one_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def in_use(self) -> bool:
        """True once any assessment uses this version: from then on it must never change."""
        return self.assessments.exists()


class Theme(models.Model):
    framework = models.ForeignKey(Framework, models.CASCADE, related_name="themes")
    code = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()
    summary = models.TextField()
    report_part = models.CharField(max_length=20)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="one_theme_code")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    theme = models.ForeignKey(Theme, models.CASCADE, related_name="questions")
    code = models.CharField(max_length=12, help_text="Stable across versions, e.g. PP-03.")
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    guidance = models.TextField(help_text="What good looks like.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    weight = models.PositiveSmallIntegerField(default=1)
    required = models.BooleanField(default=True)
    critical = models.BooleanField(default=False)
    agencies = models.JSONField(default=list)
    nations = models.JSONField(default=list)
    references = models.JSONField(default=list)
    bands = models.JSONField(null=True, blank=True)
    indicator = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["theme__order", "order"]
        constraints = [models.UniqueConstraint(fields=["theme", "code"], name="one_question_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def scored(self) -> bool:
        return self.kind in (Kind.SINGLE, Kind.YES_NO) or (
            self.kind in BANDED_KINDS and bool(self.bands)
        )

    def applies_to(self, nation: str) -> bool:
        return nation in self.nations

    @property
    def citations(self) -> list[str]:
        return [cite(r) for r in self.references]


class Option(models.Model):
    question = models.ForeignKey(Question, models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField()
    label = models.TextField()
    level = models.CharField(max_length=12, choices=Level.choices)
    points = models.PositiveSmallIntegerField()
    descriptor = models.TextField()
    references = models.JSONField(default=list)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.label

    @property
    def citations(self) -> list[str]:
        return [cite(r) for r in self.references]


class Benchmark(models.Model):
    """One case study area's figure from the report, for an indicator or count question."""

    question = models.ForeignKey(Question, models.CASCADE, related_name="benchmarks")
    order = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=60)
    value = models.DecimalField(max_digits=12, decimal_places=3)
    qualifier = models.CharField(max_length=20, blank=True)
    unit = models.CharField(max_length=30)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    period = models.CharField(max_length=60, blank=True)
    direction = models.CharField(
        max_length=6, choices=[("lower", "Lower is better"), ("higher", "Higher is better")]
    )
    note = models.TextField(blank=True)
    reference = models.JSONField()

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.area}: {self.display_value}"

    @property
    def display_value(self) -> str:
        value = f"{self.value.normalize():f}"
        unit = "%" if self.unit == "percent" else f" {self.unit}"
        qualifier = (
            f"{self.qualifier} "
            if self.qualifier and self.qualifier not in "<>"
            else self.qualifier
        )
        return f"{qualifier}{value}{unit}"

    @property
    def citation(self) -> str:
        return cite(self.reference)


class PracticeExample(models.Model):
    """Good or poor practice the Inquiry named, in our words."""

    framework = models.ForeignKey(Framework, models.CASCADE, related_name="practice_examples")
    theme = models.ForeignKey(Theme, models.CASCADE, related_name="practice_examples")
    order = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=60)
    kind = models.CharField(
        max_length=4, choices=[("good", "Good practice"), ("poor", "Poor practice")]
    )
    summary = models.TextField()
    reference = models.JSONField()
    questions = models.ManyToManyField(Question, related_name="practice_examples")

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.area} ({self.kind}): {self.summary[:60]}"

    @property
    def citation(self) -> str:
        return cite(self.reference)


class GlossaryTerm(models.Model):
    framework = models.ForeignKey(Framework, models.CASCADE, related_name="glossary")
    order = models.PositiveSmallIntegerField()
    term = models.CharField(max_length=120)
    definition = models.TextField()
    references = models.JSONField(default=list)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.term

    @property
    def citations(self) -> list[str]:
        return [cite(r) for r in self.references]

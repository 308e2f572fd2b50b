"""The question bank: frameworks, themes, questions, options, benchmarks, practice examples.

The YAML file in fixtures/frameworks/ is the source of truth (assessment/frameworks/ loads it).
A version is immutable once an assessment uses it; question codes are stable across versions.
References are always a report section and paragraph: {"section": "Annex 4", "paragraph": 62}.
"""

from django.db import models
from django.utils.text import slugify

from assessment import scoring

LEVELS = list(scoring.LEVELS)
DEFAULT_POINTS = dict(scoring.POINTS)

# The stubs type only the functional API's space-separated names, not its (name, value) pairs.
Level = models.TextChoices("Level", [(level.upper(), level) for level in scoring.LEVELS])  # type: ignore[call-overload]


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
    """'Annex 4 para 62' from {"section": "Annex 4", "paragraph": 62}; for a named document,
    its short title and part: {"document": "hmicfrs-2023", "title": "HMICFRS 2023",
    "part": "recommendation 3"} -> 'HMICFRS 2023, recommendation 3'."""
    if "document" in reference:
        return f"{reference.get('title') or reference['document']}, {reference['part']}"
    return f"{reference['section']} para {reference['paragraph']}"


def anchor(reference: dict) -> str:
    """Where the sources page lists a reference: 'annex-4-para-62' or 'document-hmicfrs-2023'."""
    if "document" in reference:
        return f"document-{reference['document']}"
    return f"{slugify(reference['section'])}-para-{reference['paragraph']}"


# The three rules that may make a question critical (issue 13), in the words the pages use.
CRITICAL_BASES = {
    "unacceptable": "practice the Inquiry called unacceptable",
    "victims_as_offenders": "practice that treats child victims as offenders",
    "statutory_duty": "a breach of a statutory duty",
}


class Framework(models.Model):
    TOLERANCE = 10

    slug = models.SlugField(max_length=80)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    source = models.TextField()
    source_url = models.URLField(blank=True)
    published = models.DateField(null=True, blank=True)
    sections = models.JSONField(
        default=list, help_text="Citable sections and their paragraph ranges."
    )
    # Which rules the file was checked under: 1 for 2022.1 as published, 2 from 2022.2 (a reason
    # for every critical flag, benchmark scope and comparability, a basis for every threshold).
    format = models.PositiveSmallIntegerField(default=1)
    # Named documents beyond the report that references may cite:
    # [{"id": "hmicfrs-2023", "title": "...", "publisher": "...", "date": "2023-12-..",
    #   "url": "..."}]; a reference to one is {"document": "hmicfrs-2023", "part": "..."}.
    documents = models.JSONField(default=list, blank=True)
    # Agencies' figures for one question (an indicator's rate, a count) disagree when they are
    # further apart than this percentage of the larger: the moderation page highlights them.
    # A format 2 file may set it (``tolerance``); otherwise it is TOLERANCE.
    tolerance = models.PositiveSmallIntegerField(default=10)
    # From format 2: how old (in months before the cycle's period starts) the period an
    # evidence item covers may end before the item counts as out of date. Null: no limit.
    evidence_months = models.PositiveSmallIntegerField(null=True, blank=True)
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

    @property
    def version_key(self) -> tuple[int, ...]:
        """ "2022.10" after "2022.2" after "2022.1": versions compared as numbers, whatever the
        order they were loaded in."""
        return tuple(int(part) if part.isdigit() else -1 for part in self.version.split("."))

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
    # Critical in at least one nation; `critical_nations` says which (2022.1 questions are critical
    # in all their nations). Use `is_critical_in(nation)`, never this flag alone, to score.
    critical = models.BooleanField(default=False)
    critical_nations = models.JSONField(default=list, blank=True)
    # {"basis": "unacceptable" | "victims_as_offenders" | "statutory_duty", "text": "...",
    #  "references": [...]} for every critical question from 2022.2 on; null in 2022.1.
    critical_because = models.JSONField(null=True, blank=True)
    # Nations in which the question may be marked not applicable. A non-critical question may be
    # N/A wherever it applies; a critical one only where the framework says so.
    not_applicable_nations = models.JSONField(default=list, blank=True)
    # How an answer from the previous framework version carries into this one:
    # {"mode": "same" | "map" | "none", "from": "<old code>", "options": {"<old position>":
    #  <new position>}} with 1-based option positions as listed in each file. Null: same code, same
    #  meaning ("same").
    carry = models.JSONField(null=True, blank=True)
    agencies = models.JSONField(default=list)
    nations = models.JSONField(default=list)
    references = models.JSONField(default=list)
    bands = models.JSONField(null=True, blank=True)
    indicator = models.JSONField(null=True, blank=True)
    # From format 2: the evidence the question expects, {"kinds": ["problem_profile"],
    # "within_months": 12, "text": "A problem profile dated within 12 months"}; null: none said.
    evidence = models.JSONField(null=True, blank=True)

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
    def critical_citations(self) -> list[str]:
        """Where the reason this question is critical comes from (2022.2 on)."""
        return [cite(r) for r in (self.critical_because or {}).get("references", [])]

    def is_critical_in(self, nation: str) -> bool:
        return self.critical and nation in (self.critical_nations or self.nations)

    def may_be_not_applicable_in(self, nation: str) -> bool:
        return nation in self.not_applicable_nations if self.is_critical_in(nation) else True

    @property
    def carry_rule(self) -> dict:
        """How an answer from the previous framework version reaches this question: {"mode":
        "same" | "map" | "none", "from": old code, "options": {"<old position>": new position}}.
        No rule: the same code with the same meaning."""
        rule = {"mode": "same", "options": {}} | (self.carry or {})
        # Positions as strings: a file may write them as numbers, JSON stores them as text.
        options = {str(old): new for old, new in (rule["options"] or {}).items()}
        return rule | {"from": rule.get("from") or self.code, "options": options}

    @property
    def evidence_months(self) -> int | None:
        """The question's own freshness limit in months, if its framework entry gives one."""
        months = (self.evidence or {}).get("within_months")
        return int(months) if months else None

    @property
    def expected_kinds(self) -> list[str]:
        return list((self.evidence or {}).get("kinds") or [])

    @property
    def per(self) -> int:
        """An indicator's rate is per this many: 100 (a percentage) unless the framework says."""
        return int((self.indicator or {}).get("per", 100))

    @property
    def rate_unit(self) -> str:
        """How an indicator's rate is written after its number: "%" or " per 10,000"."""
        return "%" if self.per == 100 else f" per {self.per:,}"

    @property
    def citations(self) -> list[str]:
        return [cite(r) for r in self.references]

    @property
    def critical_basis(self) -> str:
        """Which of the three rules makes the question critical, in words ('' before 2022.2)."""
        return CRITICAL_BASES.get((self.critical_because or {}).get("basis", ""), "")


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
    def excludes_others(self) -> bool:
        """A multiple-choice option such as "None of these": chosen alone or not at all."""
        return self.label.lower().startswith("none of these")

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
    # Blank where the report gives no direction of better: the figure is context, never ranked.
    direction = models.CharField(
        max_length=6,
        blank=True,
        choices=[("lower", "Lower is better"), ("higher", "Higher is better")],
    )
    note = models.TextField(blank=True)
    # What the figure covers, so that only like-for-like figures are ranked.
    scope = models.CharField(
        max_length=24,
        blank=True,
        choices=[
            ("local_authority", "Local authority area"),
            ("police_force", "Police force area"),
            ("basic_command_unit", "Police basic command unit"),
            ("region", "Region"),
            ("national", "England and Wales"),
            ("other", "Other"),
        ],
    )
    base = models.CharField(max_length=200, blank=True, help_text="What the figure counts.")
    comparable = models.BooleanField(
        default=True, help_text="Like-for-like with what the question asks: may be ranked."
    )
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

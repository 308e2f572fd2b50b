"""Scoring: plain data in, results out. No database, no Django.

The rules (documented for people on the methodology page, which is generated from them):

- Every scored answer sits on a four-level ladder: poor (0 points), developing (1),
  established (2), good (3). Single choice and yes/no take the chosen option's level; multiple
  choice, indicators, counts and dates are placed on the ladder by the bands in the framework.
- A theme's score is the weighted points of its answered questions divided by the most those
  questions could score, as a percentage. Questions marked not applicable count on neither side.
- A theme needs answers to at least half of its scored questions; otherwise its rating is
  "not enough evidence" rather than a score that could mislead.
- A poor answer to a critical question is a critical finding: its theme is rated poor whatever
  else is answered, and the overall rating can be no better than developing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

# The ladder, defined here once; everything else (models, results, demo) derives from it.
LEVELS = ("poor", "developing", "established", "good")
POINTS = {"poor": 0, "developing": 1, "established": 2, "good": 3}
MAX_POINTS = 3
ORDER = {level: rank for rank, level in enumerate(LEVELS)}
GAPS = LEVELS[:2]  # what the Inquiry criticised, or not yet what it looked for
STRENGTHS = LEVELS[2:]
# A theme or overall percentage at or above the threshold earns the rating.
RATING_THRESHOLDS = (("good", 75.0), ("established", 50.0), ("developing", 25.0), ("poor", 0.0))
MINIMUM_COVERAGE = 0.5
NOT_ENOUGH_EVIDENCE = "not_enough_evidence"
RATING_TEXT = {
    "good": "Practice matches or goes beyond what the Inquiry praised.",
    "established": "The practice the Inquiry looked for is in place and mostly works.",
    "developing": "Some of the practice is in place, with clear gaps the Inquiry would recognise.",
    "poor": "Practice resembles what the Inquiry criticised.",
    NOT_ENOUGH_EVIDENCE: "Too few questions are answered to give a fair rating.",
}


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    theme: str
    kind: str
    weight: int = 1
    critical: bool = False
    options: Mapping[int, tuple[str, int]] = field(default_factory=dict)  # id -> (level, points)
    bands: Mapping | None = None  # {"direction", "good", "established", "developing"}

    @property
    def scored(self) -> bool:
        return self.kind in ("single", "yes_no") or (
            self.kind in ("multiple", "indicator", "count", "date") and self.bands is not None
        )


@dataclass(frozen=True)
class AnswerData:
    code: str
    selected: tuple[int, ...] = ()
    numerator: int | None = None
    denominator: int | None = None
    number: int | None = None
    date_value: date | None = None
    not_applicable: bool = False


@dataclass(frozen=True)
class QuestionResult:
    code: str
    theme: str
    weight: int
    critical: bool
    level: str | None  # None when unanswered, not applicable or not scored
    not_applicable: bool = False
    value: float | None = None  # the number the bands were applied to, if any

    @property
    def points(self) -> int | None:
        return None if self.level is None else POINTS[self.level]

    @property
    def earned(self) -> int:
        return 0 if self.level is None else POINTS[self.level] * self.weight

    @property
    def possible(self) -> int:
        return 0 if self.level is None else MAX_POINTS * self.weight

    @property
    def is_critical_finding(self) -> bool:
        return self.critical and self.level == "poor"


@dataclass(frozen=True)
class ThemeResult:
    code: str
    questions: tuple[QuestionResult, ...]
    scored_total: int  # scored questions in the theme (that apply to the partnership)
    answered: int  # of those, answered with a level
    not_applicable: int
    percentage: float | None
    rating: str
    critical_findings: tuple[str, ...]

    @property
    def completeness(self) -> float:
        """Share of the theme's scored questions answered or marked not applicable."""
        if not self.scored_total:
            return 1.0
        return (self.answered + self.not_applicable) / self.scored_total


@dataclass(frozen=True)
class Result:
    themes: tuple[ThemeResult, ...]
    percentage: float | None
    rating: str
    critical_findings: tuple[str, ...]

    def theme(self, code: str) -> ThemeResult:
        return next(t for t in self.themes if t.code == code)

    def question(self, code: str) -> QuestionResult:
        return next(q for t in self.themes for q in t.questions if q.code == code)


def band(value: float, bands: Mapping) -> str:
    """The ladder level of ``value`` under the framework's bands for one question."""
    thresholds = [
        ("good", bands["good"]),
        ("established", bands["established"]),
        ("developing", bands["developing"]),
    ]
    for level, threshold in thresholds:
        if (bands["direction"] == "lower" and value <= threshold) or (
            bands["direction"] == "higher" and value >= threshold
        ):
            return level
    return "poor"


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` (0 if ``earlier`` is not before ``later``)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(0, months)


def score_question(spec: QuestionSpec, answer: AnswerData | None, as_of: date) -> QuestionResult:
    base = {
        "code": spec.code,
        "theme": spec.theme,
        "weight": spec.weight,
        "critical": spec.critical,
    }
    if answer is None:
        return QuestionResult(level=None, **base)
    if answer.not_applicable:
        return QuestionResult(level=None, not_applicable=True, **base)
    if not spec.scored:
        return QuestionResult(level=None, **base)
    value: float | None = None
    if spec.kind in ("single", "yes_no"):
        chosen = [spec.options[i] for i in answer.selected if i in spec.options]
        level = chosen[0][0] if chosen else None
    elif spec.kind == "multiple":
        chosen = [spec.options[i] for i in answer.selected if i in spec.options]
        value = float(sum(points for _, points in chosen))
        level = band(value, spec.bands) if chosen else None
    elif spec.kind == "indicator":
        if answer.numerator is None or not answer.denominator:
            level = None
        else:
            value = 100 * answer.numerator / answer.denominator
            level = band(value, spec.bands)
    elif spec.kind == "count":
        value = None if answer.number is None else float(answer.number)
        level = None if value is None else band(value, spec.bands)
    else:  # date
        value = (
            None if answer.date_value is None else float(months_between(answer.date_value, as_of))
        )
        level = None if value is None else band(value, spec.bands)
    return QuestionResult(level=level, value=value, **base)


def rating_label(rating: str | None) -> str:
    """How a rating (or a ladder level) is written for people."""
    if rating is None:
        return "Not answered"
    return "Not enough evidence" if rating == NOT_ENOUGH_EVIDENCE else rating.title()


def rating_table() -> list[tuple[str, float, str]]:
    """(rating, lowest score, meaning) for the methodology page and the report appendix."""
    return [(name, threshold, RATING_TEXT[name]) for name, threshold in RATING_THRESHOLDS]


def rating_for(percentage: float) -> str:
    return next(name for name, threshold in RATING_THRESHOLDS if percentage >= threshold)


def _percentage(questions: Iterable[QuestionResult]) -> float | None:
    questions = list(questions)
    possible = sum(q.possible for q in questions)
    return None if not possible else 100 * sum(q.earned for q in questions) / possible


def score_theme(code: str, questions: tuple[QuestionResult, ...], scored_total: int) -> ThemeResult:
    answered = sum(1 for q in questions if q.level is not None)
    not_applicable = sum(1 for q in questions if q.not_applicable)
    critical = tuple(q.code for q in questions if q.is_critical_finding)
    percentage = _percentage(questions)
    applicable = scored_total - not_applicable
    if critical:
        rating = "poor"
    elif percentage is None or applicable <= 0 or answered / applicable < MINIMUM_COVERAGE:
        rating = NOT_ENOUGH_EVIDENCE
    else:
        rating = rating_for(percentage)
    return ThemeResult(
        code, questions, scored_total, answered, not_applicable, percentage, rating, critical
    )


def score(specs: Iterable[QuestionSpec], answers: Iterable[AnswerData], as_of: date) -> Result:
    """Score an assessment. ``specs`` are the questions that apply to the partnership, in order."""
    by_code = {a.code: a for a in answers}
    themes: dict[str, list[QuestionResult]] = {}
    totals: dict[str, int] = {}
    for spec in specs:
        themes.setdefault(spec.theme, [])
        totals.setdefault(spec.theme, 0)
        if not spec.scored:
            continue
        totals[spec.theme] += 1
        themes[spec.theme].append(score_question(spec, by_code.get(spec.code), as_of))
    results = tuple(score_theme(code, tuple(qs), totals[code]) for code, qs in themes.items())
    all_questions = [q for t in results for q in t.questions]
    critical = tuple(code for t in results for code in t.critical_findings)
    percentage = _percentage(all_questions)
    scored_total = sum(totals.values())
    answered = sum(1 for q in all_questions if q.level is not None)
    applicable = scored_total - sum(1 for q in all_questions if q.not_applicable)
    if percentage is None or applicable <= 0 or answered / applicable < MINIMUM_COVERAGE:
        rating = NOT_ENOUGH_EVIDENCE
    else:
        rating = rating_for(percentage)
        if critical and rating in ("good", "established"):
            rating = "developing"
    return Result(results, percentage, rating, critical)


def compare_with_benchmarks(
    value: float, figures: Iterable[tuple[str, float]], direction: str
) -> dict:
    """Where a partnership's figure sits among the case study areas' figures.

    Returns the areas it does better than, worse than, and equals, given the direction of better.
    """
    better, worse, same = [], [], []
    for area, figure in figures:
        if value == figure:
            same.append(area)
        elif (value < figure) == (direction == "lower"):
            better.append(area)
        else:
            worse.append(area)
    return {"better_than": better, "worse_than": worse, "same_as": same}

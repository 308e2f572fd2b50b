"""Scoring: plain data in, results out. No database, no Django.

The rules (documented for people on the methodology page, which is generated from them):

- Every scored answer sits on a four-level ladder: poor (0 points), developing (1),
  established (2), good (3). Single choice and yes/no take the chosen option's level; multiple
  choice, indicators, counts and dates are placed on the ladder by the bands in the framework.
- A theme's score is the weighted points of its answered questions divided by the most those
  questions could score, as a percentage. Questions marked not applicable count on neither side.
- A theme needs answers to at least half of its scored questions; otherwise its rating is
  "not enough evidence" rather than a score that could mislead.
- Indicators are a rate: numerator over denominator, per 100 (a percentage) unless the framework
  asks for another base, such as per 10,000 children.
- A poor answer to a critical question is a critical finding: its theme is rated poor whatever
  else is answered, and the overall rating can be no better than developing.
- A critical question left unanswered, or marked not applicable where the framework does not
  allow that in the partnership's nation, is a "critical question not answered". It is listed
  with the results, its theme is rated "not enough evidence" rather than given a rating (unless a
  critical finding already makes the theme poor), and the overall rating can be no better than
  developing. So hiding a critical question never rates a theme above answering it honestly.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
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
# Ratings from worst to best, for comparing two ratings of the same answers. "Not enough
# evidence" is no better than poor: a rating withheld must never look like a reward.
RATING_ORDER = {NOT_ENOUGH_EVIDENCE: 0, "poor": 0, "developing": 1, "established": 2, "good": 3}
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
    # Both resolved for the partnership's nation by the caller (Question.is_critical_in and
    # Question.may_be_not_applicable_in): this module knows nothing of nations.
    na_allowed: bool = True
    per: int = 100  # an indicator's rate is per this many (100: a percentage)

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
    na_allowed: bool = True

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

    @property
    def is_critical_not_answered(self) -> bool:
        """Critical, with no level: unanswered, or N/A where N/A is not allowed."""
        return (
            self.critical
            and self.level is None
            and (not self.not_applicable or not self.na_allowed)
        )


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
    critical_not_answered: tuple[str, ...] = ()

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
    critical_not_answered: tuple[str, ...] = ()

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


def _bands(spec: QuestionSpec) -> Mapping:
    if spec.bands is None:
        raise ValueError(f"{spec.code}: a {spec.kind} question is scored by bands but has none")
    return spec.bands


def score_question(spec: QuestionSpec, answer: AnswerData | None, as_of: date) -> QuestionResult:
    unscored = QuestionResult(
        code=spec.code,
        theme=spec.theme,
        weight=spec.weight,
        critical=spec.critical,
        na_allowed=spec.na_allowed,
        level=None,
    )
    if answer is None:
        return unscored
    if answer.not_applicable:
        return replace(unscored, not_applicable=True)
    if not spec.scored:
        return unscored
    value: float | None = None
    level: str | None
    if spec.kind in ("single", "yes_no"):
        chosen = [spec.options[i] for i in answer.selected if i in spec.options]
        level = chosen[0][0] if chosen else None
    elif spec.kind == "multiple":
        chosen = [spec.options[i] for i in answer.selected if i in spec.options]
        value = float(sum(points for _, points in chosen))
        level = band(value, _bands(spec)) if chosen else None
    elif spec.kind == "indicator":
        if answer.numerator is None or not answer.denominator:
            level = None
        else:
            value = spec.per * answer.numerator / answer.denominator
            level = band(value, _bands(spec))
    elif spec.kind == "count":
        value = None if answer.number is None else float(answer.number)
        level = None if value is None else band(value, _bands(spec))
    else:  # date
        value = (
            None if answer.date_value is None else float(months_between(answer.date_value, as_of))
        )
        level = None if value is None else band(value, _bands(spec))
    return replace(unscored, level=level, value=value)


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


def percentage_of(questions: Iterable[QuestionResult]) -> float | None:
    """Weighted points over the most they could be, as a percentage (None if nothing scored)."""
    questions = list(questions)
    possible = sum(q.possible for q in questions)
    return None if not possible else 100 * sum(q.earned for q in questions) / possible


def score_theme(code: str, questions: tuple[QuestionResult, ...], scored_total: int) -> ThemeResult:
    answered = sum(1 for q in questions if q.level is not None)
    not_applicable = sum(1 for q in questions if q.not_applicable)
    critical = tuple(q.code for q in questions if q.is_critical_finding)
    not_answered = tuple(q.code for q in questions if q.is_critical_not_answered)
    percentage = percentage_of(questions)
    applicable = scored_total - not_applicable
    if critical:
        rating = "poor"
    elif (
        not_answered  # a critical question hidden or skipped: no rating rather than a good one
        or percentage is None
        or applicable <= 0
        or answered / applicable < MINIMUM_COVERAGE
    ):
        rating = NOT_ENOUGH_EVIDENCE
    else:
        rating = rating_for(percentage)
    return ThemeResult(
        code,
        questions,
        scored_total,
        answered,
        not_applicable,
        percentage,
        rating,
        critical,
        not_answered,
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
    return combine(tuple(score_theme(code, tuple(qs), totals[code]) for code, qs in themes.items()))


def combine(results: tuple[ThemeResult, ...]) -> Result:
    """The overall result of scored themes."""
    all_questions = [q for t in results for q in t.questions]
    critical = tuple(code for t in results for code in t.critical_findings)
    not_answered = tuple(code for t in results for code in t.critical_not_answered)
    percentage = percentage_of(all_questions)
    scored_total = sum(t.scored_total for t in results)
    answered = sum(1 for q in all_questions if q.level is not None)
    applicable = scored_total - sum(1 for q in all_questions if q.not_applicable)
    if percentage is None or applicable <= 0 or answered / applicable < MINIMUM_COVERAGE:
        rating = NOT_ENOUGH_EVIDENCE
    else:
        rating = rating_for(percentage)
        if (critical or not_answered) and rating in ("good", "established"):
            rating = "developing"
    return Result(results, percentage, rating, critical, not_answered)


def restrict(result: Result, kept: Mapping[str, tuple[str, str]]) -> Result:
    """``result`` counting only the questions in ``kept``, each reported under another code and
    theme: {code in this result: (code, theme) to report it as}. For comparing cycles on two
    framework versions like for like, over the questions whose meaning did not change."""
    themes: dict[str, list[QuestionResult]] = {}
    for question in (q for t in result.themes for q in t.questions):
        if question.code in kept:
            code, theme = kept[question.code]
            themes.setdefault(theme, []).append(replace(question, code=code, theme=theme))
    return combine(tuple(score_theme(code, tuple(qs), len(qs)) for code, qs in themes.items()))


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

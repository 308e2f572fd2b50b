"""From the database to the scoring functions and back: results, benchmarks, comparisons, trends.

Drafts are scored when asked; a signed-off assessment is scored once, at sign-off, and its
scores are read from the snapshot ever after, so its results never change.
"""

import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import TypeVar

from django.db.models import Case, Prefetch, Q, Value, When
from django.utils import timezone

from assessment import evidence, scoring, snapshots
from assessment.evidence import Coverage, Shown
from assessment.models import (
    AgencyView,
    Answer,
    Assessment,
    Framework,
    Option,
    PracticeExample,
    Question,
    Snapshot,
    Status,
    Theme,
)
from assessment.models.assessment import AnswerValues
from assessment.progress import CarryOver, carry_over, progress
from assessment.scoring import AnswerData, QuestionSpec, Result

R = TypeVar("R", bound=Answer | AgencyView)  # a partnership answer or an agency's view


@dataclass(frozen=True)
class FrameworkContent:
    """What the pages read of one framework version: its themes, questions (with their theme
    and options, in order) and practice examples (by question id). Shared: never change it."""

    themes: dict[str, Theme]
    questions: tuple[Question, ...]
    practice: dict[int, list[PracticeExample]]

    @cached_property
    def by_pk(self) -> dict[int, Question]:
        return {q.pk: q for q in self.questions}


@lru_cache(maxsize=16)
def _framework_content(pk: int, content_hash: str, loaded_at: datetime) -> FrameworkContent:
    questions = tuple(
        Question.objects.filter(theme__framework_id=pk)
        .select_related("theme")
        .prefetch_related(Prefetch("options", Option.objects.order_by("order")))
        .order_by("theme__order", "order")
    )
    practice: dict[int, list[PracticeExample]] = {}
    through = PracticeExample.questions.through.objects.filter(
        question__theme__framework_id=pk
    ).select_related("practiceexample")
    for link in through.order_by("pk"):
        practice.setdefault(link.question_id, []).append(link.practiceexample)
    themes = {t.code: t for t in Theme.objects.filter(framework_id=pk).order_by("order")}
    return FrameworkContent(themes, questions, practice)


def framework_content(framework: Framework) -> FrameworkContent:
    """The framework's content, read once per process.

    A framework version never changes once used (a change is a new version), so there is no
    need to read it on every request. The key holds its content hash and load time, so a
    version loaded afresh (new rows, or an unused version replaced) is read again.
    """
    return _framework_content(framework.pk, framework.content_hash, framework.loaded_at)


def framework_questions(framework: Framework, nation: str) -> list[Question]:
    """The framework's questions that apply in ``nation``, with options, in order."""
    return [q for q in framework_content(framework).questions if q.applies_to(nation)]


def with_questions(answers: list[R], framework: Framework) -> list[R]:
    """The answers (or agencies' views) with their questions from the framework's content (no
    join to read them)."""
    by_pk = framework_content(framework).by_pk
    for answer in answers:
        answer.question = by_pk[answer.question_id]
    return answers


def spec_of(question: Question, nation: str) -> QuestionSpec:
    return QuestionSpec(
        code=question.code,
        theme=question.theme.code,
        kind=question.kind,
        weight=question.weight,
        critical=question.is_critical_in(nation),
        options={o.pk: (o.level, o.points) for o in question.options.all()},
        bands=question.bands,
        na_allowed=question.may_be_not_applicable_in(nation),
        per=question.per,
    )


def data_of(answer: AnswerValues, code: str) -> AnswerData:
    """What scoring reads of an answer, or of an agency's view of the question."""
    return AnswerData(
        code=code,
        selected=tuple(answer.selected),
        numerator=answer.numerator,
        denominator=answer.denominator,
        number=answer.number,
        date_value=answer.date_value,
        not_applicable=answer.not_applicable,
    )


def compute(
    assessment: Assessment, questions: list[Question], answers: list[Answer], as_of: date
) -> Result:
    codes = {q.pk: q.code for q in questions}
    nation = assessment.partnership.nation
    return scoring.score(
        [spec_of(q, nation) for q in questions],
        [data_of(a, codes[a.question_id]) for a in answers if a.question_id in codes],
        as_of,
    )


@dataclass
class Scored:
    """An assessment with its questions, answers and result, ready for the results pages.

    For a signed-off assessment the answers and the result come from its snapshot (``record``),
    never from live rows, and ``check`` says whether the snapshot still matches its fingerprint.
    """

    assessment: Assessment
    questions: list[Question]
    answers: Mapping[int, "Answer | snapshots.RecordedAnswer"]
    result: Result
    record: snapshots.SignedRecord | None = None
    check: snapshots.Check | None = None

    @property
    def frozen(self) -> bool:
        return self.record is not None

    @property
    def by_code(self) -> dict[str, Question]:
        return {q.code: q for q in self.questions}

    @property
    def critical_not_answered(self) -> list[Question]:
        """Critical questions unanswered, or N/A where not allowed: for results, sign-off, PDF."""
        by_code = self.by_code
        return [by_code[c] for c in self.result.critical_not_answered]


def _scored(
    assessment: Assessment,
    questions: list[Question],
    answers: list[Answer],
    snapshot: Snapshot | None,
) -> Scored:
    if snapshot is not None:
        record = snapshots.read(snapshot.data)
        if record.result is not None:
            return Scored(
                assessment,
                questions,
                record.answers_by_question(questions),
                record.result,
                record,
                snapshots.check(snapshot),
            )
    result = compute(assessment, questions, answers, timezone.localdate())
    return Scored(assessment, questions, {a.question_id: a for a in answers}, result)


def scored(assessment: Assessment) -> Scored:
    questions = framework_questions(assessment.framework, assessment.partnership.nation)
    snapshot = snapshots.latest(assessment)
    answers = (
        []
        if snapshot is not None
        else with_questions(
            list(Answer.objects.filter(assessment=assessment).select_related("answered_by")),
            assessment.framework,
        )
    )
    return _scored(assessment, questions, answers, snapshot)


def scored_many(assessments: list[Assessment]) -> list[Scored]:
    """``scored`` for several cycles in a fixed number of queries, whatever their number."""
    questions_by_key: dict[tuple[int, str], list[Question]] = {}
    for assessment in assessments:
        key = (assessment.framework_id, assessment.partnership.nation)
        if key not in questions_by_key:
            questions_by_key[key] = framework_questions(
                assessment.framework, assessment.partnership.nation
            )
    answers: dict[int, list[Answer]] = {}
    for answer in Answer.objects.filter(
        assessment__in=[a for a in assessments if not a.is_locked]
    ).select_related("answered_by"):
        answers.setdefault(answer.assessment_id, []).append(answer)
    latest: dict[int, Snapshot] = {}
    for snapshot in Snapshot.objects.filter(
        assessment__in=[a for a in assessments if a.is_locked]
    ).order_by("created"):
        latest[snapshot.assessment_id] = snapshot  # the latest wins, as in latest_snapshot
    return [
        _scored(
            assessment,
            questions_by_key[(assessment.framework_id, assessment.partnership.nation)],
            with_questions(answers.get(assessment.pk, []), assessment.framework),
            latest.get(assessment.pk),
        )
        for assessment in assessments
    ]


def checks(cycles: list[Scored]) -> list[tuple[str, snapshots.Check]]:
    """The fingerprint check of each signed-off cycle shown, for the page to state."""
    return [(s.assessment.title, s.check) for s in cycles if s.check is not None]


def previous_of(assessment: Assessment) -> Assessment | None:
    """The baseline of a cycle: the latest one before it that the board signed off (the one it
    was carried from, when that is signed off). A draft is never a baseline. One query,
    whatever the cycle was carried from, so that pages showing it keep a constant count."""
    carried = Q(pk=assessment.carried_from_id) if assessment.carried_from_id else Q(pk__in=[])
    return (
        Assessment.objects.filter(
            partnership_id=assessment.partnership_id, status=Status.SIGNED_OFF
        )
        .filter(carried | Q(period_end__lt=assessment.period_end))
        .exclude(pk=assessment.pk)
        .annotate(carried=Case(When(carried, then=Value(1)), default=Value(0)))
        .select_related("partnership", "framework")
        .order_by("-carried", "-period_end")
        .first()
    )


# Carried-over answers ----------------------------------------------------------------------


def carry_over_by_theme(data: "Scored") -> tuple[list[tuple[Theme, CarryOver]], CarryOver]:
    """Each theme's carry-over, and the total, for the results page and the report alike."""
    answers: dict[int, list[Answer | snapshots.RecordedAnswer]] = {}
    themes: dict[int, Theme] = {}
    for question in data.questions:
        themes.setdefault(question.theme_id, question.theme)
        if question.pk in data.answers:
            answers.setdefault(question.theme_id, []).append(data.answers[question.pk])
    rows = [(theme, carry_over(answers.get(pk, []))) for pk, theme in themes.items()]
    return rows, sum((row for _, row in rows), CarryOver())


def baselines(assessment: Assessment) -> list[Assessment]:
    """The partnership's signed-off cycles other than ``assessment``, oldest first."""
    return list(
        Assessment.objects.filter(partnership=assessment.partnership, status=Status.SIGNED_OFF)
        .exclude(pk=assessment.pk)
        .select_related("framework", "partnership")
        .order_by("period_end")
    )


def cycle_label(assessment: Assessment) -> str:
    return assessment.title if assessment.is_locked else f"{assessment.title} (current draft)"


@dataclass
class Trend:
    """The overall and theme scores of a cycle and the signed-off cycles before it, oldest
    first: what the trend page and the report's "Progress over time" both show. The cycle
    itself is the last point, labelled as the current draft when it is not signed off."""

    cycles: list[Scored]  # across framework versions, restricted like for like
    labels: list[str]
    series: dict[str, list[float | None]]
    like_for_like: "LikeForLike | None" = None

    @property
    def assessments(self) -> list[Assessment]:
        return [s.assessment for s in self.cycles]


def trend(assessment: Assessment, current: Scored | None = None) -> Trend:
    earlier = [c for c in baselines(assessment) if c.period_end <= assessment.period_end]
    cycles, kept = like_for_like([*scored_many(earlier), current or scored(assessment)])
    newest = max((s.assessment.framework for s in cycles), key=lambda f: f.version_key)
    series = score_series(cycles, theme_titles(newest))
    return Trend(cycles, [cycle_label(s.assessment) for s in cycles], series, kept)


# Comparing two cycles --------------------------------------------------------------------


@dataclass(frozen=True)
class LikeForLike:
    """Cycles on more than one framework version are compared over the questions whose meaning
    did not change (the newest version's carry rule is "same"), and the page says so."""

    versions: tuple[str, ...]  # oldest first
    compared: int  # questions of the newest version compared
    left_out: int  # its other scored questions
    old_codes: dict[int, dict[str, str]]  # framework id -> {newest code: code in that version}


def like_for_like(cycles: list[Scored]) -> tuple[list[Scored], LikeForLike | None]:
    """``cycles`` restricted to the questions every one of them can be compared on, under the
    newest version's codes and themes; unchanged (and None) when they all use one version."""
    frameworks = {s.assessment.framework_id: s.assessment.framework for s in cycles}
    if len(frameworks) < 2:
        return cycles, None
    newest = max(frameworks.values(), key=lambda f: f.version_key)
    reference = next(s for s in cycles if s.assessment.framework_id == newest.pk)
    codes_in = {
        pk: {q.code for s in cycles if s.assessment.framework_id == pk for q in s.questions}
        for pk in frameworks
    }
    scored_codes = {q.code for t in reference.result.themes for q in t.questions}
    kept = [
        q
        for q in reference.questions
        if q.code in scored_codes
        and q.carry_rule["mode"] == "same"
        and all(q.carry_rule["from"] in codes_in[pk] for pk in frameworks if pk != newest.pk)
    ]
    old_codes = {
        pk: {q.code: q.code if pk == newest.pk else q.carry_rule["from"] for q in kept}
        for pk in frameworks
    }
    restricted = []
    for s in cycles:
        mapping = {
            old_codes[s.assessment.framework_id][q.code]: (q.code, q.theme.code) for q in kept
        }
        restricted.append(replace(s, result=scoring.restrict(s.result, mapping)))
    versions = tuple(f.version for f in sorted(frameworks.values(), key=lambda f: f.version_key))
    return restricted, LikeForLike(versions, len(kept), len(scored_codes) - len(kept), old_codes)


ORDER: dict[str | None, int] = dict([(None, -1), *scoring.ORDER.items()])


@dataclass(frozen=True)
class StalledTheme:
    theme: Theme
    values: list[float]  # its score in each cycle of the window, oldest first


@dataclass(frozen=True)
class StalledQuestion:
    question: Question
    levels: list[str]  # its level in each cycle of the window, oldest first


@dataclass(frozen=True)
class LittleProgress:
    """Themes and questions unchanged or declined over the last ``steps`` steps between cycles:
    what the trend page and the board summary both list."""

    themes: tuple[StalledTheme, ...] = ()
    questions: tuple[StalledQuestion, ...] = ()
    steps: int = 0


def little_or_no_progress(cycles: list[Scored]) -> LittleProgress:
    """Themes and questions unchanged or declined over the last two cycles (three assessments:
    two steps), or over the one step there is. ``cycles`` oldest first."""
    if len(cycles) < 2:
        return LittleProgress()
    window = cycles[-3:]
    themes, questions = [], []
    last = window[-1]
    titles = {q.theme.code: q.theme for q in last.questions}
    for theme in last.result.themes:
        series = [next((t for t in c.result.themes if t.code == theme.code), None) for c in window]
        values = [t.percentage if t else None for t in series]
        known = [v for v in values if v is not None]
        if len(known) == len(values) and all(b <= a for a, b in itertools.pairwise(known)):
            themes.append(StalledTheme(titles[theme.code], known))
    for code, question in last.by_code.items():
        levels = []
        for c in window:
            found = next((q for t in c.result.themes for q in t.questions if q.code == code), None)
            levels.append(found.level if found else None)
        known_levels = [level for level in levels if level is not None]
        if len(known_levels) != len(levels):
            continue
        if (
            all(ORDER[b] <= ORDER[a] for a, b in itertools.pairwise(known_levels))
            and known_levels[-1] != "good"
        ):
            questions.append(StalledQuestion(question, known_levels))
    return LittleProgress(tuple(themes), tuple(questions), len(window) - 1)


def score_series(cycles: list[Scored], titles: dict[str, Theme]) -> dict[str, list]:
    """The overall and each theme's score in every cycle, oldest first, for the trend charts."""
    series = {"Overall": [s.result.percentage for s in cycles]}
    for code, theme in titles.items():
        series[f"{theme.order}. {theme.title}"] = [
            next((t.percentage for t in s.result.themes if t.code == code), None) for s in cycles
        ]
    return series


def theme_titles(framework: Framework) -> dict[str, Theme]:
    return dict(framework_content(framework).themes)


def practice_for(framework: Framework) -> dict[int, list[PracticeExample]]:
    """Good and poor practice examples linked to each question of the framework, by its id."""
    return framework_content(framework).practice


def dashboard(assessments: list[Assessment]) -> dict:
    """The current cycle's completion by theme and agency, its ratings and critical findings,
    and the overall score of every cycle (frozen ones from their snapshots: no rescoring)."""
    current = assessments[0]
    data = scored(current)
    themes = list(current.framework.themes.order_by("order").prefetch_related("questions"))
    rows = progress(current, themes, data.answers, current.assignments.all())
    results = {t.code: t for t in data.result.themes}
    agencies = Counter(a.agency for a in data.answers.values() if a.is_complete)
    history = []
    for assessment in reversed(assessments):
        stored = sorted(assessment.snapshots.all(), key=lambda s: s.created, reverse=True)
        overall = None
        if assessment == current:
            overall = data.result.percentage
        elif assessment.is_locked and stored:
            result = snapshots.read(stored[0].data).result
            overall = result.percentage if result else None
        history.append({"assessment": assessment, "percentage": overall})
    return {
        "current": current,
        "current_result": data.result,
        "theme_rows": [{"progress": row, "result": results.get(row.theme.code)} for row in rows],
        "by_agency": sorted(agencies.items()),
        "critical": [data.by_code[c] for c in data.result.critical_findings],
        "history": history,
    }


# One page model for the results page and the report ------------------------------------


@dataclass
class Finding:
    """One scored question of a theme, as the results page and the report show it."""

    question: Question
    result: scoring.QuestionResult
    answer: "Answer | snapshots.RecordedAnswer | None"
    good: list[PracticeExample]
    poor: list[PracticeExample]
    comments: list = field(default_factory=list)
    evidence: list[Shown] = field(default_factory=list)  # the items behind the answer

    @property
    def chosen(self) -> list[Option]:
        return self.answer.chosen_options(self.question.options.all()) if self.answer else []

    @property
    def option(self) -> Option | None:
        return next(iter(self.chosen), None)

    @property
    def label(self) -> str:
        return scoring.rating_label(self.result.level)


@dataclass
class ThemeFindings:
    """A theme's result with its strengths (good or established) and gaps (poor or developing)."""

    theme: Theme
    result: scoring.ThemeResult
    entries: list[Finding]
    coverage: Coverage | None = None  # the confidence behind the score

    @property
    def strengths(self) -> list[Finding]:
        return [e for e in self.entries if e.result.level in scoring.STRENGTHS]

    @property
    def gaps(self) -> list[Finding]:
        return [e for e in self.entries if e.result.level in scoring.GAPS]

    @property
    def label(self) -> str:
        return scoring.rating_label(self.result.rating)

    @property
    def text(self) -> str:
        return scoring.RATING_TEXT[self.result.rating]


def findings(data: Scored, comments: dict[str, list] | None = None) -> list[ThemeFindings]:
    """Each theme's findings, built once for the results page and for the report."""
    titles = theme_titles(data.assessment.framework)
    examples = practice_for(data.assessment.framework)
    by_code = data.by_code
    comments = comments or {}
    items = evidence.evidence_of(data)
    coverage = evidence.theme_coverage(data, items)
    day = evidence.as_of(data.assessment, data.record)
    out = []
    for theme in data.result.themes:
        entries = []
        for q in theme.questions:
            question = by_code[q.code]
            linked = examples.get(question.pk, [])
            entries.append(
                Finding(
                    question=question,
                    result=q,
                    answer=data.answers.get(question.pk),
                    good=[e for e in linked if e.kind == "good"],
                    poor=[e for e in linked if e.kind == "poor"],
                    comments=comments.get(question.code, []),
                    evidence=evidence.shown(
                        items.get(question.code, []),
                        question=question,
                        assessment=data.assessment,
                        day=day,
                    ),
                )
            )
        out.append(ThemeFindings(titles[theme.code], theme, entries, coverage.get(theme.code)))
    return out

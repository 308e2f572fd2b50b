"""From the database to the scoring functions and back: results, benchmarks, comparisons, trends.

Drafts are scored when asked; a signed-off assessment is scored once, at sign-off, and its
scores are read from the snapshot ever after, so its results never change.
"""

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache

from django.db.models import Prefetch
from django.utils import timezone

from assessment import scoring, snapshots
from assessment.models import (
    Answer,
    Assessment,
    Benchmark,
    Framework,
    Option,
    PracticeExample,
    Question,
    Snapshot,
    Status,
    Theme,
)
from assessment.progress import CarryOver, carry_over, progress
from assessment.scoring import AnswerData, QuestionSpec, Result


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


def _with_questions(answers: list[Answer], framework: Framework) -> list[Answer]:
    """The answers with their questions from the framework's content (no join to read them)."""
    by_pk = framework_content(framework).by_pk
    for answer in answers:
        answer.question = by_pk[answer.question_id]
    return answers


def spec_of(question: Question) -> QuestionSpec:
    return QuestionSpec(
        code=question.code,
        theme=question.theme.code,
        kind=question.kind,
        weight=question.weight,
        critical=question.critical,
        options={o.pk: (o.level, o.points) for o in question.options.all()},
        bands=question.bands,
    )


def data_of(answer: Answer, code: str) -> AnswerData:
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
    return scoring.score(
        [spec_of(q) for q in questions],
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
    answers: dict[int, "Answer | snapshots.RecordedAnswer"]
    result: Result
    record: snapshots.SignedRecord | None = None
    check: snapshots.Check | None = None

    @property
    def frozen(self) -> bool:
        return self.record is not None

    @property
    def by_code(self) -> dict[str, Question]:
        return {q.code: q for q in self.questions}


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
        else _with_questions(
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
            _with_questions(answers.get(assessment.pk, []), assessment.framework),
            latest.get(assessment.pk),
        )
        for assessment in assessments
    ]


def checks(cycles: list[Scored]) -> list[tuple[str, snapshots.Check]]:
    """The fingerprint check of each signed-off cycle shown, for the page to state."""
    return [(s.assessment.title, s.check) for s in cycles if s.check is not None]


def previous_of(assessment: Assessment) -> Assessment | None:
    """The baseline of a cycle: the latest one before it that the board signed off (the one it
    was carried from, when that is signed off). A draft is never a baseline."""
    carried = assessment.carried_from
    if carried is not None and carried.status == Status.SIGNED_OFF:
        return carried
    return (
        Assessment.objects.filter(
            partnership=assessment.partnership,
            status=Status.SIGNED_OFF,
            period_end__lt=assessment.period_end,
        )
        .exclude(pk=assessment.pk)
        .order_by("-period_end")
        .first()
    )


# Carried-over answers ----------------------------------------------------------------------


def carry_over_by_theme(data: "Scored") -> tuple[list[tuple[Theme, CarryOver]], CarryOver]:
    """Each theme's carry-over, and the total, for the results page and the report alike."""
    answers: dict[int, list[Answer]] = {}
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

    cycles: list[Scored]
    labels: list[str]
    series: dict[str, list[float | None]]

    @property
    def assessments(self) -> list[Assessment]:
        return [s.assessment for s in self.cycles]


def trend(assessment: Assessment, current: Scored | None = None) -> Trend:
    earlier = [c for c in baselines(assessment) if c.period_end <= assessment.period_end]
    cycles = [*scored_many(earlier), current or scored(assessment)]
    titles = theme_titles(assessment.framework)
    series = {"Overall": [s.result.percentage for s in cycles]}
    for code, theme in titles.items():
        series[theme.title] = [
            next((t.percentage for t in s.result.themes if t.code == code), None) for s in cycles
        ]
    return Trend(cycles, [cycle_label(s.assessment) for s in cycles], series)


# Comparing two cycles --------------------------------------------------------------------

ORDER = {None: -1, **scoring.ORDER}


@dataclass
class QuestionChange:
    code: str
    text: str
    theme: str
    before: str | None
    after: str | None
    # No level because the question did not apply, rather than because it was not answered.
    before_not_applicable: bool = False
    after_not_applicable: bool = False

    @property
    def change(self) -> str:
        if self.after_not_applicable:
            return "does not apply"
        if self.before is None and self.after is not None:
            return "newly answered"
        if self.after is None:
            return "not answered" if self.before is None else "no longer answered"
        if ORDER[self.after] > ORDER[self.before]:
            return "improved"
        if ORDER[self.after] < ORDER[self.before]:
            return "declined"
        return "unchanged"


def compare(newer: Scored, older: Scored) -> dict:
    """Theme score changes and question changes, matched by question code across versions."""
    older_questions = {q.code: q for t in older.result.themes for q in t.questions}
    changes = []
    for question in newer.questions:
        result = next(
            (q for t in newer.result.themes for q in t.questions if q.code == question.code), None
        )
        if result is None:
            continue  # not scored
        before = older_questions.get(question.code)
        changes.append(
            QuestionChange(
                question.code,
                question.text,
                question.theme.code,
                before.level if before else None,
                result.level,
                bool(before and before.not_applicable),
                result.not_applicable,
            )
        )
    themes = []
    older_themes = {t.code: t for t in older.result.themes}
    titles = {q.theme.code: q.theme for q in newer.questions}
    for theme in newer.result.themes:
        before = older_themes.get(theme.code)
        delta = None
        if before and before.percentage is not None and theme.percentage is not None:
            delta = theme.percentage - before.percentage
        themes.append(
            {"theme": titles[theme.code], "before": before, "after": theme, "delta": delta}
        )
    return {"themes": themes, "questions": changes}


def little_or_no_progress(cycles: list[Scored]) -> dict:
    """Themes and questions unchanged or declined over the last two cycles (three assessments:
    two steps), or over the one step there is. ``cycles`` oldest first."""
    if len(cycles) < 2:
        return {"themes": [], "questions": []}
    window = cycles[-3:]
    steps = list(itertools.pairwise(window))
    themes, questions = [], []
    last = window[-1]
    titles = {q.theme.code: q.theme for q in last.questions}
    for theme in last.result.themes:
        series = [next((t for t in c.result.themes if t.code == theme.code), None) for c in window]
        values = [t.percentage if t else None for t in series]
        if None not in values and all(b <= a for a, b in itertools.pairwise(values)):
            themes.append({"theme": titles[theme.code], "values": values})
    for code, question in last.by_code.items():
        levels = []
        for c in window:
            found = next((q for t in c.result.themes for q in t.questions if q.code == code), None)
            levels.append(found.level if found else None)
        if None in levels:
            continue
        if (
            all(ORDER[b] <= ORDER[a] for a, b in itertools.pairwise(levels))
            and levels[-1] != "good"
        ):
            questions.append({"question": question, "levels": levels})
    return {"themes": themes, "questions": questions, "steps": len(steps)}


# Benchmarks ------------------------------------------------------------------------------


def partnership_figure(question: Question, answer: Answer | None) -> float | None:
    if answer is None or answer.not_applicable:
        return None
    if question.kind == "indicator":
        return None if answer.percentage is None else float(answer.percentage)
    if question.kind == "count":
        return None if answer.number is None else float(answer.number)
    return None


def benchmark_value(benchmark: Benchmark) -> float:
    """A case study figure in the unit of the partnership's own figure (percent for indicators)."""
    if (
        benchmark.unit != "percent"
        and benchmark.denominator
        and benchmark.question.kind == "indicator"
    ):
        return round(100 * float(benchmark.value) / benchmark.denominator, 1)
    return float(benchmark.value)


def benchmark_rows(scored_assessment: Scored) -> list[dict]:
    questions = [q for q in scored_assessment.questions if q.kind in ("indicator", "count")]
    benchmarks = (
        Benchmark.objects.filter(question__in=questions)
        .select_related("question")
        .order_by("order")
    )
    by_question: dict[int, list[Benchmark]] = {}
    for benchmark in benchmarks:
        by_question.setdefault(benchmark.question_id, []).append(benchmark)
    rows = []
    for question in questions:
        figures = by_question.get(question.pk, [])
        if not figures:
            continue
        direction = (question.bands or {}).get("direction") or figures[0].direction
        ours = partnership_figure(question, scored_assessment.answers.get(question.pk))
        values = [(b.area, benchmark_value(b)) for b in figures]
        ordered = sorted(
            zip(values, figures, strict=True),
            key=lambda pair: pair[0][1],
            reverse=direction == "higher",
        )
        comparison = (
            scoring.compare_with_benchmarks(ours, values, direction) if ours is not None else None
        )
        unit = "%" if question.kind == "indicator" else ""
        rows.append(
            {
                "question": question,
                "unit": unit,
                # The chart's bars: ours first, then the areas, best first.
                "bars": [("Your partnership", ours)]
                + [(b.area, dict(values)[b.area]) for _, b in ordered],
                "direction": direction,
                "ours": ours,
                "answer": scored_assessment.answers.get(question.pk),
                "benchmarks": [b for _, b in ordered],
                "values": dict(values),
                "comparison": comparison,
                "sentence": sentence(question, ours, comparison, len(figures)),
            }
        )
    return rows


def sentence(question: Question, ours: float | None, comparison: dict | None, count: int) -> str:
    if ours is None or comparison is None:
        return f"Your partnership has not given this figure yet. The report gives {count} area figure{'s' if count != 1 else ''}."
    unit = "%" if question.kind == "indicator" else ""
    label = question.indicator["numerator"] if question.indicator else question.text
    parts = [f"{ours:g}{unit} ({label.lower()})"]
    better, worse, same = comparison["better_than"], comparison["worse_than"], comparison["same_as"]
    details = []
    if better:
        details.append(
            f"better than {len(better)} of the {count} areas with a figure ({', '.join(better)})"
        )
    if worse:
        details.append(f"worse than {', '.join(worse)}")
    if same:
        details.append(f"the same as {', '.join(same)}")
    return parts[0] + ": " + "; ".join(details) + "."


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
    rows = progress(current, themes, list(data.answers.values()), current.assignments.all())
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
                )
            )
        out.append(ThemeFindings(titles[theme.code], theme, entries))
    return out

"""The comparison of two cycles: one read model for the compare page and the report.

The compare page and the report's "Since last cycle" (in the board summary) and "Compared with"
(under progress over time) all show a ``Comparison``, built once by ``comparison_of`` and
rendered by each template, so the page and the PDF agree by construction.

Rules:
- The baseline is a cycle the board signed off, never a draft (``results.previous_of`` unless
  one is named, and a named one must be one of ``results.baselines``).
- The cycle itself may be the current draft; it is then labelled "(current draft)".
- Across framework versions only the questions whose meaning did not change are compared
  (``results.like_for_like``), and the comparison says so.
"""

from dataclasses import dataclass

from assessment import scoring, snapshots
from assessment.models import Action, Assessment, Status, Theme
from assessment.results import (
    ORDER,
    LikeForLike,
    Scored,
    cycle_label,
    like_for_like,
    previous_of,
    scored,
)

# How many themes the board summary names as the biggest improvements and declines.
BIGGEST = 3


@dataclass(frozen=True)
class QuestionChange:
    code: str
    text: str
    theme: str
    before: str | None
    after: str | None
    # No level because the question did not apply, rather than because it was not answered.
    before_not_applicable: bool = False
    after_not_applicable: bool = False
    acted: bool = False  # an action in the plan by the time of the older cycle named it

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


@dataclass(frozen=True)
class ThemeChange:
    theme: Theme
    before: scoring.ThemeResult | None
    after: scoring.ThemeResult
    delta: float | None  # percentage points, when both cycles have a score


@dataclass(frozen=True)
class Comparison:
    """Theme score changes and question changes from ``older`` (signed off) to ``newer``."""

    newer: Assessment
    older: Assessment
    themes: tuple[ThemeChange, ...]
    questions: tuple[QuestionChange, ...]
    like_for_like: LikeForLike | None
    checks: tuple[tuple[str, snapshots.Check], ...]  # of the signed-off cycles compared

    @property
    def newer_label(self) -> str:
        return cycle_label(self.newer)

    @property
    def older_label(self) -> str:
        return cycle_label(self.older)

    def count(self, change: str) -> int:
        return sum(1 for q in self.questions if q.change == change)

    @property
    def improved(self) -> int:
        return self.count("improved")

    @property
    def declined(self) -> int:
        return self.count("declined")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def newly_answered(self) -> int:
        return self.count("newly answered")

    @property
    def improvements(self) -> tuple[ThemeChange, ...]:
        """The themes that went up most, biggest first (at most ``BIGGEST``)."""
        up = [t for t in self.themes if t.delta is not None and t.delta > 0]
        return tuple(sorted(up, key=lambda t: -(t.delta or 0))[:BIGGEST])

    @property
    def declines(self) -> tuple[ThemeChange, ...]:
        """The themes that went down most, biggest fall first (at most ``BIGGEST``)."""
        down = [t for t in self.themes if t.delta is not None and t.delta < 0]
        return tuple(sorted(down, key=lambda t: t.delta or 0)[:BIGGEST])

    @property
    def with_actions(self) -> tuple[QuestionChange, ...]:
        return tuple(q for q in self.questions if q.acted)

    @property
    def actions_improved(self) -> int:
        return sum(1 for q in self.with_actions if q.change == "improved")


def compare(newer: Scored, older: Scored, acted: frozenset[str] = frozenset()) -> Comparison:
    """Theme score changes and question changes, matched by question code; across framework
    versions, only over the questions whose meaning did not change (see ``like_for_like``).
    ``acted``: codes of questions with an action raised by the time of the older cycle."""
    (older_r, newer_r), kept = like_for_like([older, newer])
    older_questions = {q.code: q for t in older_r.result.themes for q in t.questions}
    newer_questions = {q.code: q for t in newer_r.result.themes for q in t.questions}
    changes = []
    for question in newer_r.questions:
        result = newer_questions.get(question.code)
        if result is None:
            continue  # not scored, or not compared across versions
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
                question.code in acted,
            )
        )
    older_themes = {t.code: t for t in older_r.result.themes}
    titles = {q.theme.code: q.theme for q in newer_r.questions}
    themes = []
    for theme in newer_r.result.themes:
        before_theme = older_themes.get(theme.code)
        delta = None
        if before_theme and before_theme.percentage is not None and theme.percentage is not None:
            delta = theme.percentage - before_theme.percentage
        themes.append(ThemeChange(titles[theme.code], before_theme, theme, delta))
    return Comparison(
        newer=newer.assessment,
        older=older.assessment,
        themes=tuple(themes),
        questions=tuple(changes),
        like_for_like=kept,
        checks=tuple((s.assessment.title, s.check) for s in (older, newer) if s.check),
    )


def acted_on(assessment: Assessment, older: Assessment) -> frozenset[str]:
    """Codes of the questions named by an action raised in the partnership by the time of
    ``older``: did the gaps that had an action improve?"""
    return frozenset(
        code
        for codes in Action.objects.filter(
            raised_in__partnership=assessment.partnership,
            raised_in__period_end__lte=older.period_end,
        ).values_list("question_codes", flat=True)
        for code in codes
    )


def comparison_of(
    assessment: Assessment,
    other: Assessment | None = None,
    *,
    current: Scored | None = None,
) -> Comparison | None:
    """``assessment`` compared with ``other`` (a signed-off cycle of the same partnership), or
    with its baseline (``previous_of``) when none is named; None when there is none.

    The later of the two is the newer. ``current``: ``assessment`` already scored.
    """
    if other is None:
        other = previous_of(assessment)
    if other is None:
        return None
    if other.status != Status.SIGNED_OFF or other.partnership_id != assessment.partnership_id:
        raise ValueError("A cycle is compared only with a signed-off cycle of its partnership")
    this = current or scored(assessment)
    that = scored(other)
    newer, older = (this, that) if other.period_end <= assessment.period_end else (that, this)
    return compare(newer, older, acted_on(assessment, older.assessment))

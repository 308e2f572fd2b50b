"""The summary for the board: one read model for the results page and the report's first section.

``board_summary`` builds a ``BoardSummary`` once; the results page and the PDF each render it,
so they show the same figures by construction. For a signed-off cycle everything comes from its
snapshot (scores, actions, challenges as they stood at sign-off); for a draft, from live rows.
"Since last cycle" compares with the latest signed-off cycle only (see ``comparison``).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from assessment import scoring, snapshots
from assessment.comparison import Comparison, comparison_of
from assessment.governance import challenges_of
from assessment.models import Action, Answer, Assessment, PracticeExample, Question
from assessment.models.action import with_owner_roles
from assessment.results import (
    LittleProgress,
    Scored,
    ThemeFindings,
    Trend,
    findings,
    little_or_no_progress,
    practice_for,
    scored,
    trend,
)


@dataclass(frozen=True)
class CriticalFinding:
    """A critical question answered poor: it puts its theme in the lowest rating."""

    question: Question
    answer: Answer | snapshots.RecordedAnswer | None
    poor: tuple[PracticeExample, ...]  # the criticised practice it resembles


@dataclass(frozen=True)
class BoardSummary:
    data: Scored  # the cycle scored: from its snapshot once signed off
    themes: tuple[ThemeFindings, ...]
    critical: tuple[CriticalFinding, ...]
    not_answered: tuple[Question, ...]  # critical questions not answered
    since: Comparison | None  # with the latest signed-off cycle before this one
    progress: LittleProgress
    challenges: tuple[snapshots.RecordedChallenge, ...]
    actions: tuple[snapshots.RecordedAction, ...]
    as_of: date  # the day overdue actions are counted on: sign-off, or today for a draft

    @property
    def assessment(self) -> Assessment:
        return self.data.assessment

    @property
    def result(self) -> scoring.Result:
        return self.data.result

    @property
    def frozen(self) -> bool:
        return self.data.frozen

    @property
    def label(self) -> str:
        return scoring.rating_label(self.result.rating)

    @property
    def text(self) -> str:
        return scoring.RATING_TEXT[self.result.rating]

    @property
    def open_challenges(self) -> tuple[snapshots.RecordedChallenge, ...]:
        return tuple(c for c in self.challenges if c.is_open)

    @property
    def overdue(self) -> tuple[snapshots.RecordedAction, ...]:
        return tuple(a for a in self.actions if a.is_overdue_on(self.as_of))

    @property
    def not_started(self) -> int:
        return sum(1 for a in self.actions if a.status == "not_started")

    @property
    def in_progress(self) -> int:
        return sum(1 for a in self.actions if a.status == "in_progress")


def actions_of_record(
    assessment: Assessment, record: snapshots.SignedRecord | None
) -> list[snapshots.RecordedAction]:
    """The action plan as signed off, or live while the cycle is open, as recorded actions."""
    if record is not None:
        return list(record.actions)
    return [
        snapshots.read_action(a.as_data())
        for a in with_owner_roles(
            Action.objects.filter(assessment=assessment), assessment.partnership_id
        )
        .select_related("owner", "assessment")
        .prefetch_related("notes__author")
    ]


def challenges_of_record(
    assessment: Assessment, record: snapshots.SignedRecord | None
) -> list[snapshots.RecordedChallenge]:
    """The challenges of the record: as signed off (version 4 on), or live while open. Earlier
    versions did not record them; they show those raised before the sign-off."""
    if record is not None and record.challenges is not None:
        return list(record.challenges)
    live = challenges_of(assessment)
    if record is not None and record.signed_off_at is not None:
        live = live.filter(created__lte=record.signed_off_at)
    return [snapshots.read_challenge(c.as_data()) for c in live]


def as_of(record: snapshots.SignedRecord | None, at: datetime | None = None) -> date:
    if record is not None and record.signed_off_at:
        return timezone.localdate(record.signed_off_at)
    return timezone.localdate(at or timezone.now())


def board_summary(
    assessment: Assessment,
    *,
    data: Scored | None = None,
    themes: list[ThemeFindings] | None = None,
    shown: Trend | None = None,
    at: datetime | None = None,
) -> BoardSummary:
    """The board summary of ``assessment``. The report passes what it has already built
    (``data``, ``themes`` with their comments, the ``shown`` trend) so nothing is built twice;
    ``at`` is when a draft's figures are read (overdue actions), now by default."""
    data = data or scored(assessment)
    themes = themes if themes is not None else findings(data)
    shown = shown or trend(assessment, data)
    examples = practice_for(assessment.framework)
    by_code = data.by_code
    critical = tuple(
        CriticalFinding(
            question=by_code[c],
            answer=data.answers.get(by_code[c].pk),
            poor=tuple(e for e in examples.get(by_code[c].pk, []) if e.kind == "poor"),
        )
        for c in data.result.critical_findings
    )
    return BoardSummary(
        data=data,
        themes=tuple(themes),
        critical=critical,
        not_answered=tuple(data.critical_not_answered),
        since=comparison_of(assessment, current=data),
        progress=little_or_no_progress(shown.cycles),
        challenges=tuple(challenges_of_record(assessment, data.record)),
        actions=tuple(actions_of_record(assessment, data.record)),
        as_of=as_of(data.record, at),
    )

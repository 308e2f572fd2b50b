"""The task list of an assessment: each theme's questions, answers, status and what is missing.

A read model: it changes nothing. The pages draw it, and ``workflow.submit`` counts the gaps
with it rather than trusting its caller.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch

from assessment.models import Answer, Assessment, CarryOutcome, Option, Question, Theme

if TYPE_CHECKING:
    from assessment.snapshots import RecordedAnswer


@dataclass(frozen=True)
class CarryOver:
    """What became of the answers carried over from the previous cycle: each is still to
    confirm, confirmed without change (by whom is on the answer), or changed."""

    carried: int = 0
    confirmed: int = 0
    changed: int = 0
    to_confirm: int = 0

    def __add__(self, other: "CarryOver") -> "CarryOver":
        return CarryOver(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


def carry_over(answers: Iterable["Answer | RecordedAnswer"]) -> CarryOver:
    # The answers of a signed-off cycle come from its snapshot: both kinds have these fields.
    outcomes = Counter(
        "to_confirm" if a.needs_reconfirmation else a.carry_outcome
        for a in answers
        if a.needs_reconfirmation or a.carry_outcome
    )
    return CarryOver(
        carried=outcomes.total(),
        confirmed=outcomes[CarryOutcome.CONFIRMED],
        changed=outcomes[CarryOutcome.CHANGED],
        to_confirm=outcomes["to_confirm"],
    )


@dataclass
class ThemeProgress:
    theme: Theme
    questions: list[Question]
    answers: "dict[int, Answer | RecordedAnswer]"
    agencies: list[str]

    @property
    def applicable(self) -> int:
        return len(self.questions)

    @property
    def complete(self) -> int:
        return sum(1 for q in self.questions if (a := self.answers.get(q.pk)) and a.is_complete)

    @property
    def to_confirm(self) -> int:
        return self.carry.to_confirm

    @property
    def carry(self) -> CarryOver:
        return carry_over(self.answers.values())

    @property
    def missing(self) -> list[Question]:
        """Required questions not yet fully answered (or still to be confirmed)."""
        return [
            q
            for q in self.questions
            if q.required
            and (not (a := self.answers.get(q.pk)) or not a.is_complete or a.needs_reconfirmation)
        ]

    @property
    def status(self) -> str:
        if not self.answers:
            return "Not started"
        if self.to_confirm:
            return "Needs confirming"
        if not self.missing:
            return "Completed"
        return "In progress"


def progress(
    assessment: Assessment,
    themes: list[Theme],
    answers: "list[Answer] | Mapping[int, Answer | RecordedAnswer]",
    assignments,
) -> list[ThemeProgress]:
    """Each theme's questions that apply to the partnership's nation, with their answers."""
    nation = assessment.partnership.nation
    # A signed-off cycle's answers come from its snapshot, already keyed by question id.
    by_question: Mapping[int, Answer | RecordedAnswer] = (
        answers if isinstance(answers, Mapping) else {a.question_id: a for a in answers}
    )
    agencies: dict[int, list[str]] = {}
    for assignment in assignments:
        agencies.setdefault(assignment.theme_id, []).append(assignment.agency)
    out = []
    for theme in themes:
        questions = [q for q in theme.questions.all() if q.applies_to(nation)]
        out.append(
            ThemeProgress(
                theme=theme,
                questions=questions,
                answers={q.pk: by_question[q.pk] for q in questions if q.pk in by_question},
                agencies=sorted(agencies.get(theme.pk, [])),
            )
        )
    return out


def themes_of(assessment: Assessment) -> list[Theme]:
    """The framework's themes with their questions and options, in order."""
    return list(
        assessment.framework.themes.order_by("order").prefetch_related(
            Prefetch(
                "questions",
                Question.objects.order_by("order").prefetch_related(
                    Prefetch("options", Option.objects.order_by("order"))
                ),
            )
        )
    )


def task_list(assessment: Assessment) -> list[ThemeProgress]:
    answers = list(
        Answer.objects.filter(assessment=assessment).select_related("answered_by", "question")
    )
    return progress(assessment, themes_of(assessment), answers, assessment.assignments.all())


def gaps(assessment: Assessment) -> list[tuple[Theme, Question]]:
    """Required questions still to answer in full or to confirm, theme by theme."""
    return [(row.theme, q) for row in task_list(assessment) for q in row.missing]

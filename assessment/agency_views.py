"""Agency views of a theme given to several agencies: who may see and change them, where they
disagree, and what is left to settle. A read model and its rules; changes go through
``workflow.save_answers`` (``agency_view=True``) and ``moderation``.

A theme given to one agency, or to none, has no agency views: its answer is the partnership
answer, as before.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from assessment import scoring
from assessment.models import (
    AgencyThemeSubmission,
    AgencyView,
    Answer,
    Assessment,
    Dissent,
    Membership,
    Moderation,
    Question,
    Role,
    Status,
    Theme,
    ThemeModerator,
    User,
)
from assessment.models.framework import CHOICE_KINDS
from assessment.results import data_of, spec_of
from assessment.settlement import Settlement, agency_label

# Levels this many steps apart on the ladder (poor, developing, established, good) disagree.
LEVEL_STEPS = 2


def assigned_agencies(assessment: Assessment) -> dict[int, list[str]]:
    """Each theme's agencies (by theme id), sorted."""
    out: dict[int, list[str]] = {}
    for theme_id, agency in assessment.assignments.values_list("theme_id", "agency"):
        out.setdefault(theme_id, []).append(agency)
    return {k: sorted(v) for k, v in out.items()}


def is_shared(agencies: Iterable[str]) -> bool:
    """A theme given to two or more agencies: each gives a view, then it is moderated."""
    return len(set(agencies)) >= 2


def shared_theme_ids(assessment: Assessment) -> set[int]:
    return {t for t, agencies in assigned_agencies(assessment).items() if is_shared(agencies)}


def membership_of(assessment: Assessment, user: User) -> Membership | None:
    return Membership.objects.filter(partnership_id=assessment.partnership_id, user=user).first()


def refuse_view_change(
    assessment: Assessment, questions: list[Question], user: User, agency: str
) -> None:
    """The workflow's own check that ``user`` may change ``agency``'s view of ``questions``:
    a lead or contributor of that very agency, on a shared theme given to it, not yet
    submitted, in a draft (leads: until sign-off). Whatever called it (a view, a script, an
    import), one agency can never change another's view."""
    membership = membership_of(assessment, user)
    if membership is None or membership.agency != agency:
        raise PermissionDenied("You can only change your own agency's view.")
    if membership.role not in (Role.LEAD, Role.CONTRIBUTOR):
        raise PermissionDenied("Your role cannot give an agency view.")
    if membership.role != Role.LEAD and assessment.status != Status.DRAFT:
        raise PermissionDenied("Agency views can only be changed while the assessment is a draft.")
    assigned = assigned_agencies(assessment)
    themes = {q.theme_id for q in questions}
    for theme_id in themes:
        agencies = assigned.get(theme_id, [])
        if not is_shared(agencies) or agency not in agencies:
            raise PermissionDenied("This theme is not given to your agency among others.")
    if AgencyThemeSubmission.objects.filter(
        assessment=assessment, theme_id__in=themes, agency=agency
    ).exists():
        raise PermissionDenied("Your agency has submitted its view of this theme.")


def moderator_of(assessment: Assessment, theme: Theme) -> ThemeModerator | None:
    return (
        ThemeModerator.objects.filter(assessment=assessment, theme=theme)
        .select_related("user")
        .first()
    )


def may_moderate(membership: Membership, assessment: Assessment, theme: Theme) -> bool:
    """Leads settle any shared theme until sign-off; the theme's named moderator while it is a
    draft."""
    if assessment.is_locked:
        return False
    if membership.role == Role.LEAD:
        return True
    if membership.role != Role.CONTRIBUTOR or assessment.status != Status.DRAFT:
        return False
    return ThemeModerator.objects.filter(
        assessment=assessment, theme=theme, user_id=membership.user_id
    ).exists()


def may_read_views(
    membership: Membership,
    agency: str,
    *,
    assigned: list[str],
    submitted: set[str],
    moderator: bool,
) -> bool:
    """Whether a member may read ``agency``'s view of a shared theme.

    An agency reads its own view always. Another agency's view is read only once submitted, and
    by an agency given the theme only once it has submitted its own (so that no view is
    written to match another). Leads and the moderator read submitted views to settle them."""
    if membership.agency == agency:
        return True
    if agency not in submitted:
        return False
    if moderator or membership.role == Role.LEAD:
        return True
    if membership.agency in assigned:
        return membership.agency in submitted
    return True


def may_give_view(membership: Membership, assessment: Assessment, assigned: list[str]) -> bool:
    """Whether the member may give their agency's view of a shared theme (before submitting)."""
    if assessment.is_locked or membership.agency not in assigned:
        return False
    if membership.role == Role.LEAD:
        return True
    return membership.role == Role.CONTRIBUTOR and assessment.status == Status.DRAFT


# Disagreement (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """Why the views of one question need settling."""

    levels: bool = False  # chosen levels two steps or more apart
    figures: bool = False  # figures further apart than the framework's tolerance

    def __bool__(self) -> bool:
        return self.levels or self.figures

    @property
    def reason(self) -> str:
        if self.levels and self.figures:
            return "Levels two or more steps apart, and figures beyond the tolerance"
        if self.levels:
            return "Levels two or more steps apart"
        if self.figures:
            return "Figures beyond the tolerance"
        return ""


def disagreement(
    levels: Iterable[str | None], figures: Iterable[float | None], tolerance: int
) -> Disagreement:
    """Whether agencies' views of a question disagree: any two of their ``levels`` on the
    ladder ``LEVEL_STEPS`` or more apart, or any two ``figures`` further apart than
    ``tolerance`` per cent of the larger of the two. Missing levels and figures are ignored."""
    ranks = [scoring.ORDER[level] for level in levels if level is not None]
    apart = bool(ranks) and max(ranks) - min(ranks) >= LEVEL_STEPS
    numbers = [float(f) for f in figures if f is not None]
    beyond = False
    if len(numbers) >= 2:
        low, high = min(numbers), max(numbers)
        beyond = high - low > tolerance / 100 * max(abs(low), abs(high))
    return Disagreement(levels=apart, figures=beyond)


def figure_of(question: Question, view: AgencyView | Answer) -> float | None:
    """The figure a view gives, for comparing: an indicator's rate, or a count."""
    if view.not_applicable:
        return None
    if question.kind == "indicator":
        return view.rate
    if question.kind == "count":
        return None if view.number is None else float(view.number)
    return None


def level_of(question: Question, view: AgencyView | Answer, nation: str, as_of: date) -> str | None:
    """Where a view sits on the ladder, by the same scoring functions as the answers."""
    return scoring.score_question(
        spec_of(question, nation), data_of(view, question.code), as_of
    ).level


def describe_level(question: Question, view: AgencyView | Answer | None, level: str | None) -> str:
    """A short reading of a view: its level, or its chosen option, or that it does not apply."""
    if view is None:
        return "no view"
    if view.not_applicable:
        return "does not apply"
    if level is not None:
        return level
    if question.kind in CHOICE_KINDS:
        chosen = view.chosen_options(list(question.options.all()))
        return ", ".join(o.label for o in chosen) or "not answered"
    figure = figure_of(question, view)
    return f"{figure:g}" if figure is not None else "not answered"


# The read model of one shared theme --------------------------------------------------------


@dataclass
class QuestionViews:
    question: Question
    views: dict[str, AgencyView]  # only the ones the reader may see
    levels: dict[str, str | None]
    answer: Answer | None
    moderation: Moderation | None
    dissents: list[Dissent]
    disagreement: Disagreement

    @property
    def settled(self) -> bool:
        return self.moderation is not None

    def cell(self, agency: str) -> str:
        return describe_level(self.question, self.views.get(agency), self.levels.get(agency))

    @property
    def partnership_level(self) -> str:
        return describe_level(self.question, self.answer, self.levels.get(""))


@dataclass
class ThemeViews:
    theme: Theme
    agencies: list[str]
    submitted: dict[str, AgencyThemeSubmission]
    moderator: ThemeModerator | None
    questions: list[QuestionViews] = field(default_factory=list)

    @property
    def all_submitted(self) -> bool:
        return all(a in self.submitted for a in self.agencies)

    @property
    def to_moderate(self) -> int:
        return sum(1 for q in self.questions if q.disagreement and not q.settled)

    @property
    def moderated(self) -> int:
        return sum(1 for q in self.questions if q.settled)


def theme_views(
    assessment: Assessment,
    theme: Theme,
    questions: list[Question],
    *,
    agencies: list[str],
    visible: Mapping[str, bool] | None = None,
) -> ThemeViews:
    """Every question of a shared theme with the agencies' views (those ``visible`` says the
    reader may see; all when None), their levels, the partnership answer, its moderation and
    any dissent. A fixed number of queries, whatever the number of questions or agencies."""
    nation = assessment.partnership.nation
    today = timezone.localdate()
    by_pk = {q.pk: q for q in questions}
    views: dict[int, dict[str, AgencyView]] = {}
    for view in AgencyView.objects.filter(
        assessment=assessment, question__in=questions, agency__in=agencies
    ).select_related("answered_by"):
        if visible is None or visible.get(view.agency):
            view.question = by_pk[view.question_id]
            views.setdefault(view.question_id, {})[view.agency] = view
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment, question__in=questions)
    }
    moderations = {
        m.question_id: m
        for m in Moderation.objects.filter(
            assessment=assessment, question__in=questions
        ).select_related("moderated_by")
    }
    dissents: dict[int, list[Dissent]] = {}
    for dissent in Dissent.objects.filter(
        assessment=assessment, question__in=questions
    ).select_related("recorded_by"):
        dissents.setdefault(dissent.question_id, []).append(dissent)
    submitted = {
        s.agency: s
        for s in AgencyThemeSubmission.objects.filter(
            assessment=assessment, theme=theme
        ).select_related("submitted_by")
    }
    out = ThemeViews(theme, agencies, submitted, moderator_of(assessment, theme))
    tolerance = assessment.framework.tolerance
    for question in questions:
        these = views.get(question.pk, {})
        levels = {a: level_of(question, v, nation, today) for a, v in these.items()}
        answer = answers.get(question.pk)
        if answer is not None:
            answer.question = question
            levels[""] = level_of(question, answer, nation, today)
        # Only submitted views count towards disagreement: a draft may still change.
        compared = {a: v for a, v in these.items() if a in submitted}
        out.questions.append(
            QuestionViews(
                question=question,
                views=these,
                levels=levels,
                answer=answer,
                moderation=moderations.get(question.pk),
                dissents=dissents.get(question.pk, []),
                disagreement=disagreement(
                    [levels[a] for a in compared],
                    [figure_of(question, v) for v in compared.values()],
                    tolerance,
                ),
            )
        )
    return out


@dataclass(frozen=True)
class SharedProgress:
    """What the task list shows of a shared theme."""

    agencies: tuple[str, ...]
    submitted: tuple[str, ...]
    to_moderate: int
    moderated: int
    questions: int


def shared_progress(
    assessment: Assessment, themes: list[Theme], assigned: dict[int, list[str]] | None = None
) -> dict[int, SharedProgress]:
    """Per shared theme (by id): the agencies that have submitted their views, the questions
    whose views disagree and are not yet moderated, and those moderated."""
    assigned = assigned if assigned is not None else assigned_agencies(assessment)
    nation = assessment.partnership.nation
    out = {}
    for theme in themes:
        agencies = assigned.get(theme.pk, [])
        if not is_shared(agencies):
            continue
        questions = [q for q in theme.questions.all() if q.applies_to(nation)]
        views = theme_views(assessment, theme, questions, agencies=agencies)
        out[theme.pk] = SharedProgress(
            agencies=tuple(agencies),
            submitted=tuple(a for a in agencies if a in views.submitted),
            to_moderate=views.to_moderate,
            moderated=views.moderated,
            questions=len(questions),
        )
    return out


def settlement_line(views: QuestionViews, agencies: list[str]) -> str:
    """How a question was settled, in a sentence: "Police: established; Health: poor;
    partnership: developing, after review of the 2025 audit"."""
    parts = [f"{agency_label(a)}: {views.cell(a)}" for a in agencies if a in views.views]
    line = "; ".join([*parts, f"partnership: {views.partnership_level}"])
    if views.moderation is not None:
        line += f". Why: {views.moderation.note.strip()}"
    return line


# Settlements and per-agency results, for the results page, the PDF and the snapshot ----------


def _shared_themes(assessment: Assessment) -> list[tuple[Theme, list[Question], list[str]]]:
    from assessment.progress import themes_of

    assigned = assigned_agencies(assessment)
    if not any(is_shared(agencies) for agencies in assigned.values()):
        return []  # one query for a self-assessment without shared themes
    nation = assessment.partnership.nation
    return [
        (theme, [q for q in theme.questions.all() if q.applies_to(nation)], assigned[theme.pk])
        for theme in themes_of(assessment)
        if is_shared(assigned.get(theme.pk, []))
    ]


def settlements(assessment: Assessment) -> list[Settlement]:
    """Every question of a shared theme whose submitted views disagreed, or that was
    moderated, or on which an agency dissents, in framework order (live rows)."""
    out = []
    for theme, questions, agencies in _shared_themes(assessment):
        views = theme_views(assessment, theme, questions, agencies=agencies)
        for row in views.questions:
            if not (row.disagreement or row.moderation or row.dissents):
                continue
            shown = [a for a in agencies if a in row.views and a in views.submitted]
            out.append(
                Settlement(
                    theme=theme.code,
                    question=row.question.code,
                    text=row.question.text,
                    views=tuple((a, row.cell(a)) for a in shown),
                    partnership=row.partnership_level if row.moderation else "not settled yet",
                    disagreed=row.disagreement.reason,
                    note=row.moderation.note.strip() if row.moderation else "",
                    started_from=row.moderation.started_from if row.moderation else "",
                    moderated_by=str(row.moderation.moderated_by)
                    if row.moderation and row.moderation.moderated_by
                    else None,
                    dissents=tuple((d.agency, d.text) for d in row.dissents),
                )
            )
    return out


def agency_scores(assessment: Assessment) -> dict[str, scoring.Result]:
    """Each agency's submitted views of the shared themes, scored with the same pure
    functions as the partnership answers (only those themes count)."""
    from assessment.results import compute

    shared = _shared_themes(assessment)
    if not shared:
        return {}
    submitted = set(
        AgencyThemeSubmission.objects.filter(assessment=assessment).values_list(
            "theme_id", "agency"
        )
    )
    agencies = sorted({a for _, _, agencies in shared for a in agencies})
    views = list(AgencyView.objects.filter(assessment=assessment))
    today = timezone.localdate()
    out = {}
    for agency in agencies:
        themes = [
            (t, qs) for t, qs, given in shared if agency in given and (t.pk, agency) in submitted
        ]
        if not themes:
            continue
        questions = [q for _, qs in themes for q in qs]
        pks = {q.pk for q in questions}
        mine = [v for v in views if v.agency == agency and v.question_id in pks]
        out[agency] = compute(assessment, questions, mine, today)
    return out


@dataclass(frozen=True)
class AgencyResultRow:
    theme: Theme
    cells: tuple[tuple[str, scoring.ThemeResult | None], ...]  # (agency, its result)
    partnership: scoring.ThemeResult | None


def agency_results(assessment: Assessment) -> list[AgencyResultRow]:
    """Per shared theme, each agency's result next to the partnership's. A signed-off cycle
    reads both from its snapshot (scored at sign-off, never again)."""
    from assessment.progress import themes_of
    from assessment.results import scored

    data = scored(assessment)
    if data.record is not None:
        by_agency = data.record.agency_scores
        shared_codes = {s.theme for s in data.record.settlements} | {
            t.code for r in by_agency.values() for t in r.themes
        }
        themes = [t for t in themes_of(assessment) if t.code in shared_codes]
        agencies_of = {
            t.code: sorted(
                a for a, r in by_agency.items() if any(x.code == t.code for x in r.themes)
            )
            for t in themes
        }
    else:
        by_agency = agency_scores(assessment)
        shared = _shared_themes(assessment)
        themes = [t for t, _, _ in shared]
        agencies_of = {t.code: given for t, _, given in shared}
    rows = []
    for theme in themes:
        cells = []
        for agency in agencies_of[theme.code]:
            result = by_agency.get(agency)
            found = (
                next((t for t in result.themes if t.code == theme.code), None) if result else None
            )
            cells.append((agency, found))
        partnership = next((t for t in data.result.themes if t.code == theme.code), None)
        rows.append(AgencyResultRow(theme, tuple(cells), partnership))
    return rows

"""Workflows that span several models: start a cycle, save answers, submit, sign off, reopen.

Each is one plain function with keyword-only arguments, run in one transaction. Saving locks
the assessment row first, so that saves, sign-off and reopening of one assessment happen one
after another: an edit either lands before the sign-off snapshot or is refused after it.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from assessment import agency_views, notifications, progress, snapshots
from assessment.answer_rules import EMPTY, is_blank, normalise
from assessment.governance import approval_state, open_challenges, sign_off_problems
from assessment.models import (
    OPEN_STATUSES,
    Action,
    AgencyView,
    Answer,
    AnswerEvidence,
    Assessment,
    AssessmentLocked,
    CarryOutcome,
    Framework,
    Option,
    Partnership,
    Question,
    Reopening,
    Snapshot,
    Status,
    User,
)
from assessment.models.assessment import AnswerValues
from assessment.models.lock import OPEN
from assessment.results import compute, framework_questions
from assessment.tasks import render_stored_report

VALUE_FIELDS = Answer.VALUE_FIELDS


@dataclass
class Change:
    """What a person submitted for one question, and the version of the answer they started from."""

    question: Question
    values: dict
    base_version: int  # 0 when there was no answer on their screen
    still_true: bool = False  # a carried-over answer, confirmed as it stands
    # SHA-256 of the free texts the person confirmed identify nobody (see Answer).
    personal_data_confirmed: str = ""


@dataclass
class Conflict:
    question: Question
    # The answer or agency view; None: the version the page showed is no longer stored.
    theirs: AnswerValues | None
    mine: dict


@dataclass
class SaveResult:
    # Partnership answers, or agency views (``save_answers(agency_view=True)``).
    saved: list[AnswerValues] = field(default_factory=list)
    confirmed: list[AnswerValues] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts


def values_of(answer: AnswerValues | None) -> dict:
    return dict(EMPTY) if answer is None else answer.values


def values_at(answer: AnswerValues | None, version: int) -> dict:
    """What the answer (or agency view) said at ``version`` (the one the person's page was
    drawn from)."""
    if version == 0 or answer is None:
        return normalise(EMPTY)
    history = type(answer).history  # type: ignore[attr-defined]
    record = history.filter(id=answer.pk, version=version).order_by("-history_date").first()
    if record is None:
        return {}  # unknown base: treat any difference as a conflict
    return normalise({f: getattr(record, f) for f in VALUE_FIELDS})


def save_answers(
    *,
    assessment: Assessment,
    changes: list[Change],
    user: User,
    agency: str,
    agency_view: bool = False,
) -> SaveResult:
    """Save a theme's answers in one transaction, or none of them if any was changed meanwhile.

    When the stored version differs from the one the person started from, both sides may have
    changed the answer. If only the other person did (what was submitted is what the page
    showed), theirs stays. If both did, differently, that is a conflict: nothing is written and
    the conflicts are returned so the person can choose. Unchanged answers are not rewritten;
    an unchanged carried-over answer marked ``still_true`` (on the version the person saw) is
    confirmed, and a changed one is recorded as changed.

    With ``agency_view`` the changes are ``agency``'s view of questions in a theme given to
    several agencies (``AgencyView``), not the partnership answer: refused unless ``user`` is a
    member of that agency who may answer, the theme is given to it among others, and it has
    not submitted its view of the theme yet (``agency_views.refuse_view_change``).
    """
    result = SaveResult()
    nation = assessment.partnership.nation
    for change in changes:
        if change.values.get("not_applicable") and not change.question.may_be_not_applicable_in(
            nation
        ):
            # The form says so first; this holds for every other way in (import, scripts).
            raise ValidationError(
                f"{change.question.code} is a critical question: it cannot be marked as not applicable"
            )
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.is_locked:
            raise AssessmentLocked()
        model: type[Answer] | type[AgencyView] = Answer
        rows = Answer.objects.filter(assessment=locked)
        if agency_view:
            agency_views.refuse_view_change(locked, [c.question for c in changes], user, agency)
            model = AgencyView
            rows = AgencyView.objects.filter(assessment=locked, agency=agency)
        current = {
            a.question_id: a
            for a in rows.select_for_update().filter(question__in=[c.question for c in changes])
        }
        to_write, to_confirm = [], []
        for change in changes:
            answer = current.get(change.question.pk)
            stored = normalise(values_of(answer))
            mine = normalise(change.values)
            if mine == stored:
                if (
                    change.still_true
                    and answer is not None
                    and answer.needs_reconfirmation
                    and answer.version == change.base_version
                ):
                    to_confirm.append(answer)
                continue  # nothing new: no write, no conflict
            if answer is None and is_blank(mine):
                continue
            if (answer.version if answer else 0) != change.base_version:
                if mine == values_at(answer, change.base_version):
                    continue  # they changed it, this person did not: keep theirs, no question
                result.conflicts.append(Conflict(change.question, answer, mine))
                continue
            to_write.append((change, answer, mine))
        if result.conflicts:
            return result
        now = timezone.now()
        for change, answer, mine in to_write:
            if answer is None:
                answer = model(assessment=locked, question=change.question, version=0)
            for key, value in mine.items():
                setattr(answer, key, value)
            if answer.needs_reconfirmation or answer.carry_outcome:
                answer.carry_outcome = CarryOutcome.CHANGED
            answer.needs_reconfirmation = False
            answer.answered_by = user
            answer.agency = agency
            answer.updated = now
            answer.version += 1
            answer.personal_data_confirmed = change.personal_data_confirmed
            answer.personal_data_confirmed_version = (
                answer.version if change.personal_data_confirmed else None
            )
            answer._change_reason = "edited"
            answer.save()
            result.saved.append(answer)
        for answer in to_confirm:
            _confirm(answer, user, now)
            result.confirmed.append(answer)
    return result


def _confirm(answer: AnswerValues, user: User, now) -> None:
    """A carried-over answer confirmed as still true, recorded with who and when."""
    answer.needs_reconfirmation = False
    answer.carry_outcome = CarryOutcome.CONFIRMED
    answer.confirmed_by = user
    answer.confirmed_at = now
    answer.version += 1
    answer._change_reason = "confirmed"
    answer.save()


def confirm_answers(*, assessment: Assessment, questions: list[Question], user: User) -> int:
    """Confirm carried-over answers as still true. Returns how many were confirmed."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.is_locked:
            raise AssessmentLocked()
        answers = list(
            Answer.objects.select_for_update().filter(
                assessment=locked, question__in=questions, needs_reconfirmation=True
            )
        )
        now = timezone.now()
        for answer in answers:
            _confirm(answer, user, now)
    return len(answers)


def start_assessment(
    *,
    partnership: Partnership,
    framework: Framework,
    title: str,
    period_start: date,
    period_end: date,
    created_by: User,
    carried_from: Assessment | None = None,
) -> Assessment:
    """Start a cycle, optionally carrying over the answers and evidence of an earlier one.

    Answers are matched by question code, so a cycle can start from one on an older framework
    version: the new version's ``carry`` rule for each question says whether the old answer
    carries, maps to another option, or does not carry (see ``Question.carry_rule``). Carried answers are
    marked to be confirmed or changed.
    """
    with transaction.atomic():
        if carried_from is not None and carried_from.status != Status.SIGNED_OFF:
            raise ValidationError(
                f"{carried_from.title} is not signed off. A new self-assessment can only carry "
                "over from one the board has signed off."
            )
        refuse_second_open_cycle(partnership)
        assessment = Assessment.objects.create(
            partnership=partnership,
            framework=framework,
            title=title,
            period_start=period_start,
            period_end=period_end,
            created_by=created_by,
            carried_from=carried_from,
        )
        if carried_from is not None:
            _carry_over(carried_from, assessment)
            # Open actions move on with the partnership, keeping their history; the cycle they
            # leave keeps them in its snapshot if it was signed off.
            for action in Action.objects.filter(assessment=carried_from, status__in=OPEN_STATUSES):
                action.assessment = assessment
                action._change_reason = f"carried into {assessment.title}"
                action.save()
    return assessment


def refuse_second_open_cycle(partnership: Partnership, *, besides: Assessment | None = None):
    """A partnership works on one self-assessment at a time (a draft or one in review), so that
    every baseline it compares with is one its board signed off. Call inside a transaction:
    the partnership row is locked, so two starts at once cannot both pass."""
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    others = Assessment.objects.filter(partnership=partnership, status__in=OPEN)
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    open_cycle = others.first()
    if open_cycle is not None:
        raise ValidationError(
            f"{open_cycle.title} is still open ({open_cycle.get_status_display().lower()}). "
            "Sign it off before starting or reopening another: a partnership works on one "
            "self-assessment at a time."
        )


def _carried_options(old: AnswerValues, question: Question, rule: dict) -> list[int]:
    """The new version's options for the old answer's choices, by 1-based position in each
    file's list: the same position, or where the map says; a choice the map leaves out is
    dropped (the evidence still carries, to be confirmed or changed)."""
    old_positions = {o.pk: position for position, o in enumerate(old.question.options.all(), 1)}
    new_options = {position: o.pk for position, o in enumerate(question.options.all(), 1)}
    selected = []
    for pk in old.selected:
        position = old_positions.get(pk)
        if rule["mode"] == "map":
            position = rule.get("options", {}).get(str(position))
        if position in new_options:
            selected.append(new_options[position])
    return sorted(selected)


def _carry_over(source: Assessment, target: Assessment) -> None:
    """Each question of the target's framework takes the answer its carry rule names (the same
    question when both cycles use one version), and so do the agencies' views of it. Carried
    answers and views wait to be confirmed; submissions and moderation start again."""
    _carry_rows(Answer, source, target)
    _carry_rows(AgencyView, source, target)


def _carry_rows(model: type[Answer] | type[AgencyView], source: Assessment, target: Assessment):
    nation = target.partnership.nation
    options = Prefetch("options", Option.objects.order_by("order"))
    old_rows: dict[str, list] = {}
    for row in (
        model.objects.filter(assessment=source)
        .select_related("question")
        .prefetch_related(Prefetch("question__options", Option.objects.order_by("order")))
        .order_by("pk")
    ):
        old_rows.setdefault(row.question.code, []).append(row)
    if not old_rows:
        return
    same_version = source.framework_id == target.framework_id
    for question in Question.objects.filter(theme__framework=target.framework).prefetch_related(
        options
    ):
        rule = question.carry_rule if not same_version else {"mode": "same", "from": question.code}
        if rule["mode"] == "none":
            continue
        for old in old_rows.get(rule["from"], []):
            if old.question.kind != question.kind:
                continue
            answer = model(assessment=target, question=question, needs_reconfirmation=True)
            for key in VALUE_FIELDS:
                setattr(answer, key, getattr(old, key))
            answer.selected = _carried_options(old, question, rule)
            if answer.not_applicable and not question.may_be_not_applicable_in(nation):
                # Now critical without N/A: the answer under it comes back, to be confirmed.
                answer.not_applicable, answer.not_applicable_reason = False, ""
            answer.answered_by, answer.agency, answer.updated = (
                old.answered_by,
                old.agency,
                old.updated,
            )
            answer._change_reason = f"carried over from {source.title}"
            answer.save()
            if model is Answer:
                # The evidence behind it comes too, judged afresh against the new cycle's period.
                for item_id, link_by in AnswerEvidence.objects.filter(
                    assessment=source, question=old.question
                ).values_list("item_id", "added_by"):
                    AnswerEvidence.objects.create(
                        assessment=target, question=question, item_id=item_id, added_by_id=link_by
                    )


def submit(*, assessment: Assessment, user: User) -> None:
    """Draft -> in review, when no required question is left to answer or confirm."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.DRAFT:
            raise ValidationError("Only a draft can be submitted for review.")
        gaps = len(progress.gaps(locked))
        if gaps:
            raise ValidationError(
                f"{gaps} required question{'s' if gaps != 1 else ''} still to answer or confirm."
            )
        locked.status = Status.IN_REVIEW
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.review_round += 1
        locked._change_reason = f"submitted for review by {user}"
        locked.save()
        transaction.on_commit(partial(notifications.submitted, locked))
    assessment.refresh_from_db()


def return_to_draft(*, assessment: Assessment, user: User) -> None:
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.IN_REVIEW:
            raise ValidationError("Only an assessment in review can go back to draft.")
        locked.status = Status.DRAFT
        locked._change_reason = f"returned to draft by {user}"
        locked.save()
    assessment.refresh_from_db()


def sign_off(*, assessment: Assessment, user: User) -> Snapshot:
    """In review -> signed off: freeze a snapshot with its SHA-256 and lock the assessment.

    Refused until every statutory partner's representative has approved this round (not only
    the person who submitted it) or the board's approval is recorded, and until every open
    challenge has a reason for being left open. ``signoff.approve`` and
    ``signoff.record_board_approval`` call this when the last approval arrives.
    """
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        problems = sign_off_problems(locked, approval_state(locked), open_challenges(locked))
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        # Scores are frozen with the answers: the results of a signed-off cycle never change.
        questions = framework_questions(locked.framework, locked.partnership.nation)
        answers = list(Answer.objects.filter(assessment=locked))
        result = compute(locked, questions, answers, timezone.localdate(now))
        snapshot = snapshots.freeze(locked, result=result, user=user, at=now)
        locked.status = Status.SIGNED_OFF
        locked.signed_off_at = now
        locked.signed_off_by = user
        locked._change_reason = f"signed off by {user}"
        locked.save()
        # The report is rendered from the snapshot by a worker once the sign-off is committed
        # (and visible to it), so what the board downloads is what it signed, whatever happens
        # to live rows afterwards, and no request waits for WeasyPrint.
        transaction.on_commit(partial(render_stored_report.enqueue, str(locked.code)))
    assessment.refresh_from_db()
    return snapshot


def reopen(*, assessment: Assessment, user: User, reason: str) -> Reopening:
    """Signed off -> draft, with a recorded reason. The snapshot stays as it was."""
    if not reason.strip():
        raise ValidationError("Enter why the self-assessment is being reopened.")
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.SIGNED_OFF:
            raise ValidationError("Only a signed-off assessment can be reopened.")
        refuse_second_open_cycle(locked.partnership, besides=locked)
        reopening = Reopening.objects.create(
            assessment=locked,
            snapshot=locked.latest_snapshot,
            reopened_by=user,
            reason=reason.strip(),
        )
        locked.status = Status.DRAFT
        locked.signed_off_at = None
        locked.signed_off_by = None
        locked._change_reason = f"reopened by {user}: {reason.strip()}"
        locked.save()
    assessment.refresh_from_db()
    return reopening

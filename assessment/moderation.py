"""Workflows of shared themes: submit an agency's view, name a moderator, settle the
partnership answer, record an agency's dissent. Each is one function run in one transaction,
checking who may do it itself (a view, a script or an import gets the same answer).

Agency views are saved with ``workflow.save_answers(..., agency_view=True)``, the partnership
answer with ``moderate`` (which saves it through ``save_answers`` too).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.agency_views import (
    agency_label,
    assigned_agencies,
    is_shared,
    may_moderate,
    membership_of,
    refuse_view_change,
)
from assessment.models import (
    AgencyThemeSubmission,
    AgencyView,
    Assessment,
    AssessmentLocked,
    Dissent,
    Membership,
    Moderation,
    Question,
    Role,
    Theme,
    ThemeModerator,
    User,
)
from assessment.workflow import Change, SaveResult, save_answers


def _locked(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_locked:
        raise AssessmentLocked()
    return locked


def _shared(assessment: Assessment, theme_id: int) -> list[str]:
    agencies = assigned_agencies(assessment).get(theme_id, [])
    if not is_shared(agencies):
        raise ValidationError("This theme is not given to several agencies.")
    return agencies


def submit_view(
    *, assessment: Assessment, theme: Theme, agency: str, user: User
) -> AgencyThemeSubmission:
    """Submit ``agency``'s view of ``theme``: every required question that applies answered in
    full (and every carried-over view confirmed). From then on it cannot be changed, and the
    other agencies that have submitted theirs can read it."""
    nation = assessment.partnership.nation
    questions = [q for q in theme.questions.order_by("order") if q.applies_to(nation)]
    with transaction.atomic():
        locked = _locked(assessment)
        refuse_view_change(locked, questions, user, agency)
        views = {
            v.question_id: v
            for v in AgencyView.objects.filter(
                assessment=locked, agency=agency, question__in=questions
            )
        }
        for view in views.values():
            view.question = next(q for q in questions if q.pk == view.question_id)
        missing = [
            q.code
            for q in questions
            if q.required
            and (
                (view := views.get(q.pk)) is None
                or not view.is_complete
                or view.needs_reconfirmation
            )
        ]
        if missing:
            raise ValidationError(
                f"Answer {', '.join(missing)} in full before submitting "
                f"{agency_label(agency)}'s view"
            )
        submission = AgencyThemeSubmission(
            assessment=locked, theme=theme, agency=agency, submitted_by=user
        )
        submission._change_reason = f"submitted by {user}"
        submission.save()
    return submission


def name_moderator(
    *, assessment: Assessment, theme: Theme, user: User, moderator: Membership | None
) -> ThemeModerator | None:
    """The lead names (or, with None, clears) the member who settles a shared theme."""
    with transaction.atomic():
        locked = _locked(assessment)
        membership = membership_of(locked, user)
        if membership is None or membership.role != Role.LEAD:
            raise PermissionDenied("Only a lead can name a theme's moderator.")
        _shared(locked, theme.pk)
        ThemeModerator.objects.filter(assessment=locked, theme=theme).delete()
        if moderator is None:
            return None
        if moderator.partnership_id != locked.partnership_id or moderator.role not in (
            Role.LEAD,
            Role.CONTRIBUTOR,
        ):
            raise ValidationError("Choose a lead or contributor of this partnership")
        named = ThemeModerator(assessment=locked, theme=theme, user=moderator.user, named_by=user)
        named._change_reason = f"named by {user}"
        named.save()
    return named


def moderate(
    *,
    assessment: Assessment,
    change: Change,
    note: str,
    started_from: str,
    user: User,
) -> SaveResult:
    """Settle the partnership answer to one question of a shared theme from the agencies'
    views, with a note of why. The answer is saved like any other (optimistic concurrency: a
    conflict writes nothing, the note included)."""
    question = change.question
    note = note.strip()
    if not note:
        raise ValidationError(f"{question.code}: enter a moderation note")
    if len(note) > Moderation.NOTE_LIMIT:
        raise ValidationError(
            f"{question.code}: the moderation note must be {Moderation.NOTE_LIMIT:,} characters or fewer"
        )
    with transaction.atomic():
        locked = _locked(assessment)
        agencies = _shared(locked, question.theme_id)
        membership = membership_of(locked, user)
        if membership is None or not may_moderate(membership, locked, question.theme):
            raise PermissionDenied("Only a lead or the theme's moderator can settle it.")
        if started_from and started_from not in agencies:
            raise ValidationError(f"{question.code}: start from a view of an agency given it")
        result = save_answers(assessment=locked, changes=[change], user=user, agency="")
        if not result.ok:
            return result
        moderation = Moderation.objects.filter(assessment=locked, question=question).first()
        if moderation is None:
            moderation = Moderation(assessment=locked, question=question)
        moderation.note = note
        moderation.started_from = started_from
        moderation.moderated_by = user
        moderation.moderated_at = timezone.now()
        moderation.answer_version = (
            locked.answers.filter(question=question).values_list("version", flat=True).first() or 0
        )
        moderation._change_reason = f"moderated by {user}"
        moderation.save()
    return result


def record_dissent(
    *, assessment: Assessment, question: Question, agency: str, text: str, user: User
) -> Dissent:
    """``agency`` does not accept the moderated partnership answer: its reasons are kept (one
    dissent per agency and question, changed until sign-off, with history)."""
    text = text.strip()
    if not text:
        raise ValidationError(f"{question.code}: enter why your agency disagrees")
    if len(text) > Dissent.LIMIT:
        raise ValidationError(
            f"{question.code}: the dissent must be {Dissent.LIMIT:,} characters or fewer"
        )
    with transaction.atomic():
        locked = _locked(assessment)
        agencies = _shared(locked, question.theme_id)
        membership = membership_of(locked, user)
        if (
            membership is None
            or membership.agency != agency
            or membership.role not in (Role.LEAD, Role.CONTRIBUTOR)
        ):
            raise PermissionDenied("You can only record your own agency's dissent.")
        if agency not in agencies:
            raise PermissionDenied("This theme is not given to your agency.")
        if not Moderation.objects.filter(assessment=locked, question=question).exists():
            raise ValidationError(f"{question.code}: the partnership answer is not settled yet")
        dissent = Dissent.objects.filter(
            assessment=locked, question=question, agency=agency
        ).first() or Dissent(assessment=locked, question=question, agency=agency)
        dissent.text = text
        dissent.recorded_by = user
        dissent.recorded_at = timezone.now()
        dissent._change_reason = f"recorded by {user}"
        dissent.save()
    return dissent

"""A self-assessment cycle: start it, see its task list, assign themes, check, submit, sign off."""

import uuid
from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessment import evidence, notifications
from assessment.access import (
    AssessmentAccess,
    AuthenticatedHttpRequest,
    Right,
    assessment_access,
    partnership_access,
)
from assessment.agency_views import shared_progress
from assessment.forms.assessments import AssignmentForm, ReopenForm, StartAssessmentForm
from assessment.governance import challenges_of, open_by_theme, open_challenges
from assessment.models import (
    Answer,
    Approval,
    AssessmentLocked,
    Comment,
    Decision,
    Framework,
    Status,
)
from assessment.progress import task_list
from assessment.workflow import (
    reopen,
    return_to_draft,
    start_assessment,
    submit,
)


@login_required
def start(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.MANAGE)
    # The newest version first, and chosen unless the lead picks another.
    frameworks = sorted(
        Framework.objects.all(), key=lambda f: (f.version_key, f.loaded_at), reverse=True
    )
    # Only a cycle the board signed off is a baseline to carry over from.
    previous = list(
        access.partnership.assessments.filter(status=Status.SIGNED_OFF).order_by("-period_end")
    )
    form = StartAssessmentForm(request.POST or None, frameworks=frameworks, previous=previous)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        framework = next(f for f in frameworks if str(f.pk) == data["framework"])
        carried = next((a for a in previous if str(a.pk) == data["carried_from"]), None)
        try:
            assessment = start_assessment(
                partnership=access.partnership,
                framework=framework,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                created_by=request.user,
                carried_from=carried,
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, f"{assessment.title} has started")
            return redirect("assessment_home", code=assessment.code)
    return render(
        request,
        "assessment/assessments/start.html",
        {"access": access, "form": form, "no_framework": not frameworks},
    )


@login_required
def assessment_home(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The task list: one row per theme with status, assigned agencies and progress."""
    access = assessment_access(request, code)
    rows = task_list(access.assessment)
    mine = access.membership.agency
    if access.membership.role == "contributor":
        # Contributors see the themes given to their agency first.
        rows.sort(key=lambda r: (mine not in r.agencies, r.theme.order))
    gaps = sum(len(r.missing) for r in rows)
    challenges = open_challenges(access.assessment)
    by_theme = open_by_theme(challenges)
    shared = shared_progress(
        access.assessment,
        [row.theme for row in rows],
        assigned={row.theme.pk: row.agencies for row in rows},  # no query of its own
    )
    stale = evidence.out_of_date_by_theme(access.assessment)
    return render(
        request,
        "assessment/assessments/home.html",
        {
            "access": access,
            "assessment": access.assessment,
            "rows": [
                (
                    row,
                    by_theme.get(row.theme.pk, 0),
                    shared.get(row.theme.pk),
                    stale.get(row.theme.pk, 0),
                )
                for row in rows
            ],
            "gaps": gaps,
            "my_agency": mine,
            "open_challenges": challenges,
        },
    )


def locked(request: HttpRequest, access: AssessmentAccess, message: str) -> HttpResponse:
    """The 403 page for a write to a signed-off assessment, saying what cannot change."""
    return render(
        request,
        "assessment/assessments/locked.html",
        {"access": access, "assessment": access.assessment, "message": message},
        status=403,
    )


@login_required
def assign(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code, Right.MANAGE)
    if request.method == "POST" and access.assessment.is_locked:
        return locked(
            request, access, "Who answers each theme cannot change. A lead must reopen it first."
        )
    assessment = access.assessment
    themes = list(assessment.framework.themes.order_by("order"))
    current: dict[int, list[str]] = {}
    for assignment in assessment.assignments.all():
        current.setdefault(assignment.theme_id, []).append(assignment.agency)
    form = AssignmentForm(request.POST or None, themes=themes, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            created = assessment.assign(form.assignments())
        except AssessmentLocked as error:
            raise PermissionDenied(error.messages[0]) from None
        added = [a for a in created if a.agency not in current.get(a.theme_id, [])]
        transaction.on_commit(lambda: notifications.theme_assigned(assessment, added, request.user))
        messages.success(request, "Theme assignments saved")
        return redirect("assessment_home", code=assessment.code)
    return render(
        request,
        "assessment/assessments/assign.html",
        {"access": access, "assessment": assessment, "form": form},
    )


@login_required
def check_answers(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """ "Check your answers" before submitting: every answer, and every gap."""
    access = assessment_access(request, code)
    rows = task_list(access.assessment)
    gaps = [(row.theme, q) for row in rows for q in row.missing]
    return render(
        request,
        "assessment/assessments/check.html",
        {
            "access": access,
            "assessment": access.assessment,
            "rows": rows,
            "gaps": gaps,
            "open_challenges": open_challenges(access.assessment),
        },
    )


def _transition(request, access: AssessmentAccess, action, success: str, **kwargs) -> HttpResponse:
    try:
        action(assessment=access.assessment, user=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("check_answers", code=access.assessment.code)
    messages.success(request, success)
    return redirect("assessment_home", code=access.assessment.code)


@login_required
@require_POST
def submit_for_review(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code, Right.MANAGE)
    return _transition(request, access, submit, "Submitted for review")


@login_required
@require_POST
def back_to_draft(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code, Right.MANAGE)
    return _transition(
        request, access, return_to_draft, "Returned to draft: contributors can change answers again"
    )


@login_required
def reopen_assessment(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code, Right.MANAGE)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reopen(
                assessment=access.assessment, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Reopened. The signed-off version is kept")
            return redirect("assessment_home", code=access.assessment.code)
    return render(
        request,
        "assessment/assessments/reopen.html",
        {"access": access, "assessment": access.assessment, "form": form},
    )


@login_required
def activity(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Everything that happened to the assessment, newest first: answers, status, comments."""
    access = assessment_access(request, code)
    assessment = access.assessment
    answer_events = (
        Answer.history.filter(assessment_id=assessment.pk)
        .select_related("history_user", "question")
        .order_by("-history_date")[:500]
    )
    status_events = assessment.history.select_related("history_user").order_by("-history_date")[
        :200
    ]
    comments = Comment.objects.filter(assessment=assessment).select_related(
        "author", "question", "theme"
    )
    approvals = Approval.objects.filter(assessment=assessment).select_related("user")
    challenges = list(challenges_of(assessment))
    events = sorted(
        chain(
            (
                {
                    "when": a.created,
                    "who": a.user,
                    "what": _approval_event(a),
                }
                for a in approvals
            ),
            (
                {
                    "when": c.created,
                    "who": c.raised_by,
                    "what": f"raised a challenge on {c.subject}",
                    "challenge": c,
                }
                for c in challenges
            ),
            (
                {
                    "when": n.created,
                    "who": n.author,
                    "what": f"{n.get_kind_display().lower()} on the challenge on {c.subject}",
                    "challenge": c,
                }
                for c in challenges
                for n in c.notes.all()
            ),
            (
                {
                    "when": e.history_date,
                    "who": e.history_user,
                    "what": f"{e.question.code}: {e.history_change_reason or 'changed'}",
                    "question": e.question,
                }
                for e in answer_events
            ),
            (
                {
                    "when": e.history_date,
                    "who": e.history_user,
                    "what": e.history_change_reason
                    or ("started" if e.history_type == "+" else "updated"),
                }
                for e in status_events
            ),
            (
                {
                    "when": c.created,
                    "who": c.author,
                    "what": f"commented on {c.question.code if c.question else c.theme.title}",
                }
                for c in comments
            ),
        ),
        key=lambda e: e["when"],
        reverse=True,
    )
    return render(
        request,
        "assessment/assessments/activity.html",
        {"access": access, "assessment": assessment, "events": events},
    )


def _approval_event(approval: Approval) -> str:
    if approval.decision == Decision.BOARD:
        return (
            f"recorded the board's approval at its meeting on {approval.board_meeting:%-d %B %Y} "
            f"({approval.recorded_name}, {approval.recorded_role})"
        )
    partner = approval.get_partner_display().lower()
    if approval.decision == Decision.RETURNED:
        return f"returned it for changes for {partner}: {approval.reason}"
    return f"approved it for {partner}"

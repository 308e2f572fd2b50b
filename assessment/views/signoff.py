"""The sign-off page: what the signers need to see, and the approvals that sign a cycle off."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from assessment.access import AssessmentAccess, AuthenticatedHttpRequest, Right, assessment_access
from assessment.board_summary import board_summary
from assessment.forms.governance import ApprovalForm, BoardApprovalForm, ReturnForm
from assessment.governance import SignOffSummary, approval_state, sign_off_summary
from assessment.models import Status
from assessment.signoff import approve, record_board_approval, return_for_changes


def _page(
    request: AuthenticatedHttpRequest,
    access: AssessmentAccess,
    summary: SignOffSummary,
    *,
    approval_form: ApprovalForm | None = None,
    return_form: ReturnForm | None = None,
    board_form: BoardApprovalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    assessment = access.assessment
    mine = summary.state.represented_by(request.user)
    in_review = assessment.status == Status.IN_REVIEW
    may_decide = in_review and bool(mine)
    unexplained = summary.unexplained
    context = {
        "access": access,
        "assessment": assessment,
        "summary": summary,
        "board": board_summary(assessment, data=summary.scored),
        "mine": mine,
        "already_approved": bool(mine) and all(p.approved for p in mine),
        "approval_form": approval_form
        or (ApprovalForm(unexplained=unexplained) if may_decide else None),
        "return_form": return_form or (ReturnForm() if may_decide else None),
        "board_form": board_form
        or (
            BoardApprovalForm(unexplained=unexplained) if in_review and access.can_manage else None
        ),
        "snapshot": assessment.latest_snapshot if assessment.is_locked else None,
    }
    forms = [f for f in (approval_form, return_form, board_form) if f is not None]
    context["error_form"] = next((f for f in forms if f.errors), None)
    return render(request, "assessment/assessments/sign_off.html", context, status=status)


@login_required
@require_safe
def sign_off_assessment(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    """Everyone in the partnership can see where sign-off stands; the representatives and the
    leads find their forms here."""
    access = assessment_access(request, code)
    return _page(request, access, sign_off_summary(access.assessment))


def _representative_access(request: AuthenticatedHttpRequest, code: uuid.UUID) -> AssessmentAccess:
    access = assessment_access(request, code)
    if not approval_state(access.assessment).represented_by(request.user):
        raise PermissionDenied("Only a statutory partner's named representative can do this.")
    return access


@login_required
@require_POST
def approve_assessment(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    access = _representative_access(request, code)
    summary = sign_off_summary(access.assessment)
    form = ApprovalForm(request.POST, unexplained=summary.unexplained)
    if form.is_valid():
        try:
            snapshot = approve(
                assessment=access.assessment, user=request.user, left_open=form.left_open()
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                "Approved. The self-assessment is now signed off"
                if snapshot
                else "Approved. Sign-off completes when every statutory partner has approved",
            )
            return redirect("sign_off", code=access.assessment.code)
    return _page(request, access, summary, approval_form=form, status=400)


@login_required
@require_POST
def return_assessment(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    access = _representative_access(request, code)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            return_for_changes(
                assessment=access.assessment, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Returned for changes. The self-assessment is a draft again")
            return redirect("assessment_home", code=access.assessment.code)
    return _page(request, access, sign_off_summary(access.assessment), return_form=form, status=400)


@login_required
@require_POST
def board_approval(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code, Right.MANAGE)
    summary = sign_off_summary(access.assessment)
    form = BoardApprovalForm(request.POST, unexplained=summary.unexplained)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_board_approval(
                assessment=access.assessment,
                user=request.user,
                meeting=data["meeting"],
                name=data["name"],
                role=data["role"],
                left_open=form.left_open(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request, "The board's approval is recorded. The self-assessment is signed off"
            )
            return redirect("sign_off", code=access.assessment.code)
    return _page(request, access, summary, board_form=form, status=400)

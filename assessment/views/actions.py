"""The action plan of an assessment: suggestions from the gaps, actions, progress, CSV."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessment import notifications, snapshots
from assessment.access import AssessmentAccess, AuthenticatedHttpRequest, Right, assessment_access
from assessment.exports import csv_response
from assessment.forms.actions import ActionForm, NoteForm, ProgressForm
from assessment.forms.assessments import room_for_a_comment
from assessment.models import (
    Action,
    ActionNote,
    ActionStatus,
    Agency,
    AssessmentLocked,
    Membership,
    Role,
)
from assessment.results import scored
from assessment.views.assessments import locked


def _members(access: AssessmentAccess):
    """Who may be named as an owner: leads and contributors of any agency (scrutiny and
    read-only members do not own actions)."""
    return list(
        Membership.objects.filter(
            partnership=access.partnership, role__in=(Role.LEAD, Role.CONTRIBUTOR)
        )
        .select_related("user")
        .order_by("user__name")
    )


def suggestion_text(question, agency_label: str) -> str:
    """A suggested action as an outcome with a verb and an owner, drawn from the question's
    "good" option (what the report praised), e.g. "Police to make sure classification is
    audited, with changes in recorded numbers explained to the board"."""
    good = next((o for o in question.options.all() if o.level == "good"), None)
    label = (good.label if good else "").strip().rstrip(".")
    for prefix in ("As above, and ", "As above, "):
        if label.startswith(prefix):
            label = label[len(prefix) :]
    if not label or label.lower() in ("yes", "no"):
        outcome = f"the answer to {question.code} becomes “{label or 'good'}”"
    else:
        outcome = label[0].lower() + label[1:]
    return f"{agency_label} to make sure {outcome}"


def suggestions(access: AssessmentAccess, actions: list[Action]) -> list[dict]:
    """A suggested action for every critical finding and every poor answer without one yet."""
    data = scored(access.assessment)
    covered = {code for action in actions for code in action.question_codes}
    out = []
    for theme in data.result.themes:
        for result in theme.questions:
            if result.level != "poor" or result.code in covered:
                continue
            question = data.by_code[result.code]
            agency = question.agencies[0] if question.agencies else ""
            owner = Agency(agency).label if agency in Agency.values else "The partnership"
            out.append(
                {
                    "question": question,
                    "critical": result.is_critical_finding,
                    "text": suggestion_text(question, owner),
                }
            )
    out.sort(key=lambda s: not s["critical"])
    return out


@login_required
def action_plan(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code)
    actions = list(access.assessment.actions.select_related("owner").order_by("due", "created"))
    filters = {key: request.GET.get(key, "") for key in ("agency", "status", "theme", "show")}
    shown = actions
    if filters["agency"] in Agency.values:
        shown = [a for a in shown if a.agency == filters["agency"]]
    if filters["status"] in ActionStatus.values:
        shown = [a for a in shown if a.status == filters["status"]]
    if filters["theme"]:
        shown = [
            a for a in shown if any(c.startswith(filters["theme"] + "-") for c in a.question_codes)
        ]
    if filters["show"] == "overdue":
        shown = [a for a in shown if a.is_overdue]
    elif filters["show"] == "mine":
        shown = [a for a in shown if a.owner_id == request.user.pk]
    elif filters["show"] == "my_agency":
        shown = [a for a in shown if a.agency == access.membership.agency]
    snapshot = snapshots.latest(access.assessment)
    return render(
        request,
        "assessment/actions/plan.html",
        {
            "access": access,
            "assessment": access.assessment,
            "actions": shown,
            "total": len(actions),
            "filters": filters,
            "agencies": Agency.choices,
            "statuses": ActionStatus.choices,
            "themes": access.assessment.framework.themes.order_by("order"),
            "suggested": suggestions(access, actions) if access.may_add_action() else [],
            "may_add": access.may_add_action(),
            "next_cycle": access.assessment.carried_into.order_by("created").first(),
            "frozen": snapshots.read(snapshot.data).actions if snapshot else None,
            "today": timezone.localdate(),
        },
    )


@login_required
def new_action(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code, Right.MANAGE)
    if not access.may_add_action():
        raise PermissionDenied("A later cycle has started: add actions to its plan.")
    data = scored(access.assessment)
    initial = {}
    if request.GET.get("question") in data.by_code:
        question = data.by_code[request.GET["question"]]
        initial = {
            "question_codes": [question.code],
            "description": request.GET.get("text", ""),
            "agency": question.agencies[0] if question.agencies else "",
            "priority": "high" if question.critical else "medium",
        }
    form = ActionForm(
        request.POST or None,
        initial=initial,
        members=_members(access),
        questions=data.questions,
        assessment=access.assessment,
        new=True,
    )
    if request.method == "POST" and form.is_valid():
        action = Action(
            assessment=access.assessment, raised_in=access.assessment, created_by=request.user
        )
        _apply(action, form.cleaned_data)
        action.save()
        if action.owner_id:
            transaction.on_commit(lambda: notifications.action_assigned(action))
        messages.success(request, "Action added to the plan")
        return redirect("action_plan", code=access.assessment.code)
    return render(
        request,
        "assessment/actions/form.html",
        {
            "access": access,
            "assessment": access.assessment,
            "form": form,
            "action": None,
            "for_question": initial.get("question_codes", [None])[0],
        },
    )


def _apply(action: Action, data: dict) -> None:
    action.description = data["description"]
    action.agency = data["agency"]
    action.owner_id = int(data["owner"]) if data["owner"] else None
    action.due = data["due"]
    action.priority = data["priority"]
    action.status = data.get("status", ActionStatus.NOT_STARTED)
    action.dropped_reason = data["dropped_reason"] if action.status == ActionStatus.DROPPED else ""
    action.question_codes = sorted(data["question_codes"])


def _action(access: AssessmentAccess, action_code: uuid.UUID) -> Action:
    return get_object_or_404(
        Action.objects.select_related("owner"), assessment=access.assessment, code=action_code
    )


@login_required
def edit_action(
    request: AuthenticatedHttpRequest, code: uuid.UUID, action: uuid.UUID
) -> HttpResponse:
    """Leads change everything; the owning agency's contributors record status and progress."""
    access = assessment_access(request, code)
    action_obj = _action(access, action)
    if not access.may_update_action(action_obj):
        raise PermissionDenied("You cannot change this action.")
    if access.can_manage:
        initial = {
            "description": action_obj.description,
            "agency": action_obj.agency,
            "owner": str(action_obj.owner_id or ""),
            "due": action_obj.due,
            "priority": action_obj.priority,
            "status": action_obj.status,
            "dropped_reason": action_obj.dropped_reason,
            "question_codes": action_obj.question_codes,
        }
        form: ActionForm | ProgressForm = ActionForm(
            request.POST or None,
            initial=initial,
            members=_members(access),
            questions=scored(access.assessment).questions,
            assessment=access.assessment,
        )
    else:
        form = ProgressForm(
            request.POST or None,
            initial={"status": action_obj.status, "dropped_reason": action_obj.dropped_reason},
        )
    if request.method == "POST" and form.is_valid():
        previous_owner = action_obj.owner_id
        if access.can_manage:
            _apply(action_obj, form.cleaned_data)
        else:
            action_obj.status = form.cleaned_data["status"]
            action_obj.dropped_reason = (
                form.cleaned_data["dropped_reason"]
                if action_obj.status == ActionStatus.DROPPED
                else ""
            )
        try:
            action_obj._change_reason = f"status {action_obj.get_status_display().lower()}"
            action_obj.save()
        except AssessmentLocked as error:
            raise PermissionDenied(error.messages[0]) from None
        note = form.cleaned_data.get("note")
        if note:
            ActionNote.objects.create(
                action=action_obj, kind=ActionNote.PROGRESS, author=request.user, text=note
            )
        if action_obj.owner_id and action_obj.owner_id != previous_owner:
            transaction.on_commit(lambda: notifications.action_assigned(action_obj))
        messages.success(request, "Action updated")
        return redirect("action_detail", code=access.assessment.code, action=action_obj.code)
    return render(
        request,
        "assessment/actions/form.html",
        {"access": access, "assessment": access.assessment, "form": form, "action": action_obj},
    )


def _detail(
    request, access: AssessmentAccess, action: Action, note_form, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "assessment/actions/detail.html",
        {
            "access": access,
            "assessment": access.assessment,
            "action": action,
            "notes": action.notes.select_related("author"),
            "history": action.history.select_related("history_user").order_by("-history_date"),
            "can_update": access.may_update_action(action),
            "note_form": note_form,
        },
        status=status,
    )


@login_required
def action_detail(request: HttpRequest, code: uuid.UUID, action: uuid.UUID) -> HttpResponse:
    """The action, its dated notes and comments, and who changed its status when."""
    access = assessment_access(request, code)
    return _detail(
        request,
        access,
        _action(access, action),
        NoteForm() if access.may(Right.COMMENT) and access.plan_is_live else None,
    )


@login_required
@require_POST
def comment_on_action(
    request: AuthenticatedHttpRequest, code: uuid.UUID, action: uuid.UUID
) -> HttpResponse:
    access = assessment_access(request, code, Right.COMMENT)
    if not access.plan_is_live:
        return locked(request, access, "Comment on its open actions in the next cycle.")
    action_obj = _action(access, action)
    form = NoteForm(request.POST)
    existing = action_obj.notes.filter(kind=ActionNote.COMMENT).count()
    if not (form.is_valid() and room_for_a_comment(form, existing=existing, item="This action")):
        return _detail(request, access, action_obj, form, status=400)
    ActionNote.objects.create(
        action=action_obj,
        kind=ActionNote.COMMENT,
        author=request.user,
        text=form.cleaned_data["text"],
    )
    messages.success(request, "Comment added")
    return redirect("action_detail", code=access.assessment.code, action=action_obj.code)


@login_required
def actions_csv(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """One row per action, every field, with a link back."""
    access = assessment_access(request, code)
    rows = []
    for action in access.assessment.actions.select_related("owner", "raised_in").order_by("due"):
        link = request.build_absolute_uri(
            reverse("action_detail", args=[access.assessment.code, action.code])
        )
        rows.append(
            [
                action.description,
                action.get_agency_display(),
                action.owner.email if action.owner else "",
                action.due.isoformat(),
                action.get_priority_display(),
                action.get_status_display(),
                action.dropped_reason,
                " ".join(action.question_codes),
                action.raised_in.title if action.raised_in else "",
                "yes" if action.is_overdue else "no",
                action.updated.isoformat(timespec="seconds"),
                link,
            ]
        )
    header = [
        "Description",
        "Owning agency",
        "Owner",
        "Due",
        "Priority",
        "Status",
        "Why dropped",
        "Questions",
        "Raised in",
        "Overdue",
        "Last updated",
        "Link",
    ]
    return csv_response(f"action-plan-{access.assessment.code}.csv", header, rows)

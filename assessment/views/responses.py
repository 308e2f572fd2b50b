"""The partnership's register of responses to recommendations: entries, milestones, CSV and
published versions."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessment import register
from assessment.access import Access, AuthenticatedHttpRequest, Right, partnership_access
from assessment.exports import csv_response
from assessment.forms.recommendations import EntryForm, MilestoneForm, ProgressForm, PublishForm
from assessment.models import (
    Action,
    Challenge,
    EvidenceItem,
    Membership,
    Milestone,
    PublishedResponse,
    Recommendation,
    RecommendationResponse,
    ResponseStatus,
)
from assessment.pii import WARNING


def _members(access: Access) -> list[Membership]:
    return list(access.partnership.memberships.select_related("user").order_by("user__name"))


def _actions(access: Access) -> list[Action]:
    """Actions an entry may link to: the partnership's, newest cycle first."""
    return list(
        Action.objects.filter(assessment__partnership=access.partnership)
        .select_related("assessment")
        .order_by("-assessment__period_end", "due")
    )


def _evidence(access: Access) -> list[EvidenceItem]:
    """Evidence items an entry may link to: the partnership's, newest first."""
    return list(EvidenceItem.objects.filter(partnership=access.partnership).order_by("-produced"))


def _entry(access: Access, code: uuid.UUID) -> RecommendationResponse:
    return get_object_or_404(register.entries(access.partnership), code=code)


@login_required
def recommendation_register(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Every entry, what still needs a response, and the flags the dashboard shows."""
    access = partnership_access(request, code)
    entries = list(register.entries(access.partnership))
    return render(
        request,
        "assessment/recommendations/register.html",
        {
            "access": access,
            "entries": entries,
            "awaiting": register.awaiting_response(access.partnership, entries),
            "flags": register.flags(entries),
            "summary": register.summary([register.entry_data(e) for e in entries]),
            "published": access.partnership.published_responses.order_by("-version"),
            "open_challenges": Challenge.objects.filter(
                entry__partnership=access.partnership, resolved_at__isnull=True
            )
            .select_related("assessment", "entry__recommendation")
            .order_by("created"),
        },
    )


def _apply(entry: RecommendationResponse, data: dict, local: bool) -> None:
    if local:
        for name in ("local_source", "local_title", "local_summary", "local_reference"):
            setattr(entry, name, data[name])
    for name in ("applies", "applies_how", "response", "lead_agency", "owner_role", "status"):
        setattr(entry, name, data[name])
    entry.owner_id = int(data["owner"]) if data["owner"] else None
    entry.not_accepted_reason = (
        data["not_accepted_reason"] if data["status"] == ResponseStatus.NOT_ACCEPTED else ""
    )


def _entry_form_page(
    request: HttpRequest,
    access: Access,
    entry: RecommendationResponse,
    form,
    recommendation: Recommendation | None,
) -> HttpResponse:
    return render(
        request,
        "assessment/recommendations/entry_form.html",
        {
            "access": access,
            "entry": entry if entry.pk else None,
            "recommendation": recommendation,
            "form": form,
            "pii_warning": WARNING if getattr(form, "pii_findings", None) else None,
        },
    )


def _save_entry(request, access: Access, entry: RecommendationResponse, form, local: bool):
    _apply(entry, form.cleaned_data, local)
    with transaction.atomic():
        entry._change_reason = (
            f"status {entry.get_status_display().lower()}" if entry.pk else "created"
        )
        entry.save()
        entry.actions.set([int(pk) for pk in form.cleaned_data["actions"]])
        _link_evidence(access, entry, form.cleaned_data["evidence"])
    messages.success(request, "Response saved")
    return redirect("register_entry", code=access.partnership.code, entry=entry.code)


def _link_evidence(access: Access, entry: RecommendationResponse, codes: list[str]) -> None:
    entry.evidence.set(EvidenceItem.objects.filter(partnership=access.partnership, code__in=codes))


@login_required
def respond_to_recommendation(
    request: AuthenticatedHttpRequest, code: uuid.UUID, recommendation: int
) -> HttpResponse:
    """A lead records the partnership's response to a recommendation from a set."""
    access = partnership_access(request, code, Right.MANAGE)
    item = get_object_or_404(Recommendation.objects.select_related("set"), pk=recommendation)
    existing = access.partnership.register.filter(recommendation=item).first()
    if existing is not None:
        return redirect("edit_register_entry", code=access.partnership.code, entry=existing.code)
    entry = RecommendationResponse(
        partnership=access.partnership, recommendation=item, created_by=request.user
    )
    form = EntryForm(
        request.POST or None,
        local=False,
        members=_members(access),
        actions=_actions(access),
        evidence=_evidence(access),
    )
    if request.method == "POST" and form.is_valid():
        return _save_entry(request, access, entry, form, local=False)
    return _entry_form_page(request, access, entry, form, item)


@login_required
def add_local_recommendation(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    """A lead adds a local recommendation (practice review, inspection, local inquiry) and its
    response."""
    access = partnership_access(request, code, Right.MANAGE)
    entry = RecommendationResponse(partnership=access.partnership, created_by=request.user)
    form = EntryForm(
        request.POST or None,
        local=True,
        members=_members(access),
        actions=_actions(access),
        evidence=_evidence(access),
    )
    if request.method == "POST" and form.is_valid():
        return _save_entry(request, access, entry, form, local=True)
    return _entry_form_page(request, access, entry, form, None)


@login_required
def edit_register_entry(request: HttpRequest, code: uuid.UUID, entry: uuid.UUID) -> HttpResponse:
    """Leads change everything; the lead agency's contributors record status and response."""
    access = partnership_access(request, code)
    item = _entry(access, entry)
    if not access.may_update_response(item):
        raise PermissionDenied("You cannot change this entry.")
    if access.can_manage:
        initial = {
            name: getattr(item, name)
            for name in (
                "local_source",
                "local_title",
                "local_summary",
                "local_reference",
                "applies",
                "applies_how",
                "response",
                "lead_agency",
                "owner_role",
                "status",
                "not_accepted_reason",
            )
        }
        initial["owner"] = str(item.owner_id or "")
        initial["actions"] = [str(a.pk) for a in item.actions.all()]
        initial["evidence"] = [str(e.code) for e in item.evidence.all()]
        form: EntryForm | ProgressForm = EntryForm(
            request.POST or None,
            initial=initial,
            local=item.is_local,
            members=_members(access),
            actions=_actions(access),
            evidence=_evidence(access),
        )
        if request.method == "POST" and form.is_valid():
            return _save_entry(request, access, item, form, local=item.is_local)
    else:
        form = ProgressForm(
            request.POST or None,
            initial={
                "status": item.status,
                "not_accepted_reason": item.not_accepted_reason,
                "response": item.response,
                "evidence": [str(e.code) for e in item.evidence.all()],
            },
            evidence=_evidence(access),
        )
        if request.method == "POST" and form.is_valid():
            item.status = form.cleaned_data["status"]
            item.response = form.cleaned_data["response"]
            item.not_accepted_reason = (
                form.cleaned_data["not_accepted_reason"]
                if item.status == ResponseStatus.NOT_ACCEPTED
                else ""
            )
            item._change_reason = f"status {item.get_status_display().lower()}"
            with transaction.atomic():
                item.save()
                _link_evidence(access, item, form.cleaned_data["evidence"])
            messages.success(request, "Progress saved")
            return redirect("register_entry", code=access.partnership.code, entry=item.code)
    return _entry_form_page(request, access, item, form, item.recommendation)


def _entry_page(
    request, access: Access, item: RecommendationResponse, milestone_form, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "assessment/recommendations/entry.html",
        {
            "access": access,
            "entry": item,
            "can_update": access.may_update_response(item),
            "milestone_form": milestone_form,
            "history": item.history.select_related("history_user").order_by("-history_date"),
            "challenges": item.challenges.select_related("assessment", "raised_by").order_by(
                "resolved_at", "created"
            ),
            "pii_warning": WARNING if getattr(milestone_form, "pii_findings", None) else None,
        },
        status=status,
    )


@login_required
def register_entry(request: HttpRequest, code: uuid.UUID, entry: uuid.UUID) -> HttpResponse:
    """One entry: the recommendation, the response, its timetable, actions and history."""
    access = partnership_access(request, code)
    item = _entry(access, entry)
    form = MilestoneForm() if access.may_update_response(item) else None
    return _entry_page(request, access, item, form)


@login_required
@require_POST
def add_milestone(request: HttpRequest, code: uuid.UUID, entry: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code)
    item = _entry(access, entry)
    if not access.may_update_response(item):
        raise PermissionDenied("You cannot change this entry.")
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, access, item, form, status=400)
    milestone = Milestone(
        response=item, due=form.cleaned_data["due"], text=form.cleaned_data["text"]
    )
    milestone._change_reason = "added"
    milestone.save()
    messages.success(request, "Milestone added")
    return redirect("register_entry", code=access.partnership.code, entry=item.code)


@login_required
@require_POST
def complete_milestone(
    request: HttpRequest, code: uuid.UUID, entry: uuid.UUID, milestone: uuid.UUID
) -> HttpResponse:
    """Mark a milestone done (or not done again)."""
    access = partnership_access(request, code)
    item = _entry(access, entry)
    if not access.may_update_response(item):
        raise PermissionDenied("You cannot change this entry.")
    step = get_object_or_404(Milestone, response=item, code=milestone)
    step.done = not step.done
    step._change_reason = "done" if step.done else "not done"
    step.save()
    messages.success(request, "Milestone marked as done" if step.done else "Milestone reopened")
    return redirect("register_entry", code=access.partnership.code, entry=item.code)


@login_required
def register_csv(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """One row per entry, every field, with a link back."""
    access = partnership_access(request, code)
    rows = []
    for item in register.entries(access.partnership):
        data = register.entry_data(item)
        link = request.build_absolute_uri(
            reverse("register_entry", args=[access.partnership.code, item.code])
        )
        rows.append(
            [
                data["source"],
                data["number"],
                data["title"],
                data["citation"],
                item.get_applies_display(),
                data["applies_how"],
                data["response"],
                data["lead_agency_label"],
                data["owner"] or "",
                data["owner_role"],
                data["status_label"],
                data["not_accepted_reason"],
                "; ".join(f"{m['due']} {m['text']}" for m in data["milestones"]),
                "yes" if any(m["overdue"] for m in data["milestones"]) else "no",
                len(data["actions"]),
                "; ".join(
                    f"{e['title']} (produced {e['produced']})" for e in data.get("evidence", [])
                ),
                data["updated"],
                link,
            ]
        )
    header = [
        "Source",
        "Number",
        "Title",
        "Citation",
        "Applies locally",
        "How it applies",
        "Our response",
        "Lead agency",
        "Owner",
        "Owner's role",
        "Status",
        "Why not accepted",
        "Milestones",
        "Overdue",
        "Linked actions",
        "Evidence items",
        "Last updated",
        "Link",
    ]
    return csv_response(f"recommendations-register-{access.partnership.code}.csv", header, rows)


@login_required
def publish_response(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    """A lead publishes the next version of "Our response to the recommendations"."""
    access = partnership_access(request, code, Right.MANAGE)
    entries = list(register.entries(access.partnership))
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        published = register.publish(
            partnership=access.partnership,
            user=request.user,
            approved_on=form.cleaned_data["approved_on"],
            show_names=form.cleaned_data["show_names"],
        )
        messages.success(request, f"Version {published.version} published")
        return redirect(
            "published_response", code=access.partnership.code, version=published.version
        )
    return render(
        request,
        "assessment/recommendations/publish.html",
        {
            "access": access,
            "form": form,
            "listed": register.published_entries(entries),
            "left_out": [e for e in entries if not e.is_applicable],
        },
    )


def _published(access: Access, version: int) -> PublishedResponse:
    return get_object_or_404(access.partnership.published_responses, version=version)


@login_required
def published_response(request: HttpRequest, code: uuid.UUID, version: int) -> HttpResponse:
    access = partnership_access(request, code)
    published = _published(access, version)
    return render(
        request,
        "assessment/recommendations/published.html",
        {
            "access": access,
            "published": published,
            "view": register.published_view(published),
            "versions": access.partnership.published_responses.order_by("-version"),
        },
    )


@login_required
def published_response_pdf(request: HttpRequest, code: uuid.UUID, version: int) -> HttpResponse:
    """The stored PDF of a published version, exactly as it was published."""
    access = partnership_access(request, code)
    published = _published(access, version)
    with published.file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="application/pdf")
    response["X-Content-SHA256"] = published.sha256
    response["Content-Disposition"] = (
        f'attachment; filename="our-response-to-the-recommendations-v{version}.pdf"'
    )
    return response

"""The partnership's evidence register: items, their files (downloaded only through here), and
what may change once a signed-off record relies on them."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from assessment import evidence
from assessment.access import Access, Right, partnership_access
from assessment.forms.evidence import EvidenceItemForm
from assessment.models import AnswerEvidence, EvidenceItem, Status
from assessment.templatetags.gds_extras import first_input_id


def _item(access: Access, item: uuid.UUID) -> EvidenceItem:
    return get_object_or_404(EvidenceItem, partnership=access.partnership, code=item)


def _may_change(access: Access, item: EvidenceItem | None) -> bool:
    """Leads change every item; contributors add items and change their own agency's."""
    if access.can_manage:
        return True
    return access.can_answer and (item is None or item.agency == access.membership.agency)


def form_errors(form: EvidenceItemForm) -> list[tuple[str, str]]:
    """(anchor, message) pairs for an error summary."""
    return [
        (first_input_id(form[name]) if name in form.fields else "", str(message))
        for name, errors in form.errors.items()
        for message in errors
    ]


@login_required
def evidence_register(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code)
    today = timezone.localdate()
    items = list(
        EvidenceItem.objects.filter(partnership=access.partnership)
        .annotate(uses=Count("links"))
        .order_by("-produced", "title")
    )
    return render(
        request,
        "assessment/evidence/register.html",
        {
            "access": access,
            "items": items,
            "today": today,
            "may_add": _may_change(access, None),
        },
    )


@login_required
def add_evidence(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.ANSWER)
    form = EvidenceItemForm(
        request.POST or None,
        request.FILES or None,
        partnership=access.partnership,
        initial={"agency": access.membership.agency},
    )
    if request.method == "POST" and form.is_valid():
        item = form.save(user=request.user)
        messages.success(request, f"Evidence item “{item.title}” added")
        return redirect("evidence_detail", code=access.partnership.code, item=item.code)
    return _form_page(request, access, form, None)


def _form_page(
    request: HttpRequest, access: Access, form: EvidenceItemForm, item: EvidenceItem | None
) -> HttpResponse:
    return render(
        request,
        "assessment/evidence/form.html",
        {"access": access, "form": form, "item": item, "errors": form_errors(form)},
    )


@login_required
def evidence_detail(request: HttpRequest, code: uuid.UUID, item: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code)
    obj = _item(access, item)
    links = list(
        AnswerEvidence.objects.filter(item=obj)
        .select_related("assessment", "question", "question__theme")
        .order_by("-assessment__period_end", "question__theme__order", "question__order")
    )
    relied_on = str(obj.code) in evidence.signed_off_codes(access.partnership)
    return render(
        request,
        "assessment/evidence/detail.html",
        {
            "access": access,
            "item": obj,
            "links": links,
            "entries": list(obj.register_entries.select_related("recommendation")),
            "relied_on": relied_on,
            "review_passed": obj.review_by is not None and obj.review_by < timezone.localdate(),
            "may_change": _may_change(access, obj),
            "history": obj.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


@login_required
def edit_evidence(request: HttpRequest, code: uuid.UUID, item: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.ANSWER)
    obj = _item(access, item)
    if not _may_change(access, obj):
        raise PermissionDenied("Contributors change only their own agency's evidence.")
    relied_on = str(obj.code) in evidence.signed_off_codes(access.partnership)
    form = EvidenceItemForm(
        request.POST or None,
        request.FILES or None,
        partnership=access.partnership,
        instance=obj,
        file_locked=relied_on,
    )
    if request.method == "POST" and form.is_valid():
        form.save(user=request.user)
        messages.success(request, f"Evidence item “{obj.title}” updated")
        return redirect("evidence_detail", code=access.partnership.code, item=obj.code)
    return _form_page(request, access, form, obj)


@login_required
def delete_evidence(request: HttpRequest, code: uuid.UUID, item: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.MANAGE)
    obj = _item(access, item)
    relied_on = str(obj.code) in evidence.signed_off_codes(access.partnership)
    locked_links = AnswerEvidence.objects.filter(
        item=obj, assessment__status=Status.SIGNED_OFF
    ).exists()
    error = ""
    if relied_on or locked_links:
        error = (
            "You cannot delete this evidence item because a signed-off self-assessment relies "
            "on it. Add a new version as a new evidence item instead."
        )
    elif request.method == "POST":
        title = obj.title
        evidence.delete_item(obj)
        messages.success(request, f"Evidence item “{title}” deleted")
        return redirect("evidence_register", code=access.partnership.code)
    uses = AnswerEvidence.objects.filter(item=obj).select_related("assessment", "question")
    return render(
        request,
        "assessment/evidence/delete.html",
        {"access": access, "item": obj, "error": error, "uses": uses},
        status=409 if error and request.method == "POST" else 200,
    )


@login_required
def download_evidence(request: HttpRequest, code: uuid.UUID, item: uuid.UUID) -> HttpResponseBase:
    """The file, to every member of the item's partnership (404 for anyone else), always as an
    attachment: the browser never renders it in the service's origin."""
    access = partnership_access(request, code)
    obj = _item(access, item)
    if not obj.file:
        raise Http404("This evidence item is a link, not a file")
    try:
        handle = obj.file.storage.open(obj.file.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    extension = obj.file_name.rsplit(".", 1)[-1].lower() if "." in obj.file_name else ""
    response = FileResponse(handle, content_type=obj.content_type or "application/octet-stream")
    response["Content-Disposition"] = (
        content_disposition_header(True, evidence.ascii_name(obj.title, extension)) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response

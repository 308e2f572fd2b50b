"""Downloads: the PDF review report and board pack, and the assessment's data as CSV and JSON,
each prepared by a worker behind a page that waits for it."""

import uuid
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from assessment import exports, pdf, reports, snapshots
from assessment.access import AuthenticatedHttpRequest, Right, assessment_access, partnership_access
from assessment.forms.assessments import ImportForm
from assessment.models import DocumentKind, DraftReport, StoredReport

_Response = TypeVar("_Response", bound=HttpResponseBase)


def _filename(assessment, suffix: str) -> str:
    # Letters of any language stay (Welsh titles): content_disposition_header encodes them.
    return f"{slugify(assessment.title, allow_unicode=True) or 'self-assessment'}-{suffix}"


def _attachment(response: _Response, assessment, suffix: str) -> _Response:
    """The response as a download named after the assessment."""
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=_filename(assessment, suffix)) or ""
    )
    return response


def _record_changed(request: HttpRequest, access, check, what: str) -> HttpResponse:
    return render(
        request,
        "assessment/results/record_changed.html",
        {"access": access, "assessment": access.assessment, "check": check, "what": what},
        status=409,
    )


def _prepare(request: HttpRequest, code: uuid.UUID, kind: str) -> HttpResponse:
    """'Your report is being prepared': asks a worker for the file and updates itself until
    it is ready.

    With JavaScript, htmx polls this page and swaps the state in place; without it, a meta
    refresh reloads the page (no inline script either way: the CSP forbids them). POST is
    "Try again" after a failure.
    """
    access = assessment_access(request, code)
    # When this person asked (kept until they are shown the file): while others edit, the
    # file rendered after that moment is theirs, though the draft has changed again since.
    key = f"report-asked:{access.assessment.code}:{kind}"
    now = timezone.now()
    asked = request.session.get(key)
    state = reports.request_report(
        access.assessment,
        kind,
        retry=request.method == "POST",
        asked=datetime.fromisoformat(asked) if asked else None,
    )
    if state.pending and not asked:
        request.session[key] = now.isoformat()
    elif not state.pending and asked:
        del request.session[key]
    if request.method == "POST":
        return redirect(state.document.prepare, code=access.assessment.code)
    return render(
        request,
        "assessment/reports/prepare_report.html",
        {
            "access": access,
            "assessment": access.assessment,
            "state": state,
            "document": state.document,
            "refresh_seconds": settings.REPORT_REFRESH_SECONDS,
        },
    )


def _download(request: HttpRequest, code: uuid.UUID, kind: str) -> HttpResponseBase:
    """The rendered file: a draft's, or the stored PDF of a signed-off one, served only while
    the snapshot and the file still match their fingerprints.

    Until a worker has rendered the file of the assessment as it is now, this sends the person
    to the page that waits for it.
    """
    access = assessment_access(request, code)
    assessment = access.assessment
    document = reports.DOCUMENTS[kind]
    snapshot = snapshots.latest(assessment) if assessment.is_locked else None
    check = snapshots.check(snapshot) if snapshot is not None else None
    # The JSON export (alone or in the zip) carries the check's outcome; the others are refused.
    if check is not None and not check.ok and kind not in (DocumentKind.JSON, DocumentKind.ZIP):
        return _record_changed(request, access, check, document.title)
    shown = request.GET.get("state", "")  # the draft the person was shown as ready
    if shown and not (assessment.is_locked and document.signed):
        ready: DraftReport | StoredReport | None = reports.draft_report(assessment, shown, kind)
    else:
        ready = reports.ready_report(assessment, kind)
    if ready is None:
        return redirect(document.prepare, code=assessment.code)
    if check is not None and document.signed and not pdf.is_intact(ready):
        return _record_changed(request, access, check, document.title)
    response = FileResponse(ready.file.open("rb"), content_type=document.content_type)
    response["X-Content-SHA256"] = ready.sha256
    if check is not None and document.signed:
        response["X-Record-Check"] = "unchanged"
        return _attachment(response, assessment, document.suffix)
    if not document.signed:
        return _attachment(response, assessment, document.suffix)
    stamp = timezone.localtime(ready.created).strftime("%Y%m%d-%H%M")
    return _attachment(response, assessment, f"draft-{stamp}-{document.suffix}")


@login_required
@require_http_methods(["GET", "POST"])
def prepare_report(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _prepare(request, code, DocumentKind.REPORT)


@login_required
def report_pdf(request: HttpRequest, code: uuid.UUID) -> HttpResponseBase:
    return _download(request, code, DocumentKind.REPORT)


@login_required
@require_http_methods(["GET", "POST"])
def prepare_board_pack(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _prepare(request, code, DocumentKind.BOARD)


@login_required
def board_pack_pdf(request: HttpRequest, code: uuid.UUID) -> HttpResponseBase:
    return _download(request, code, DocumentKind.BOARD)


@login_required
@require_http_methods(["GET", "POST"])
def prepare_export_json(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _prepare(request, code, DocumentKind.JSON)


@login_required
def export_json(request: HttpRequest, code: uuid.UUID) -> HttpResponseBase:
    return _download(request, code, DocumentKind.JSON)


@login_required
@require_http_methods(["GET", "POST"])
def prepare_export_csv(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _prepare(request, code, DocumentKind.CSV)


@login_required
@require_http_methods(["GET", "POST"])
def prepare_export_zip(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _prepare(request, code, DocumentKind.ZIP)


@login_required
def export_zip(request: HttpRequest, code: uuid.UUID) -> HttpResponseBase:
    """The JSON export and the evidence files it names, in one zip (for the same people)."""
    return _download(request, code, DocumentKind.ZIP)


@login_required
def export_csv(request: HttpRequest, code: uuid.UUID) -> HttpResponseBase:
    return _download(request, code, DocumentKind.CSV)


@login_required
def import_json(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    """A lead brings back an exported self-assessment as a new draft. Nothing half-imported."""
    access = partnership_access(request, code, Right.MANAGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > exports.MAX_BYTES:
                raise exports.ImportProblem(
                    [f"The file is larger than {exports.MAX_BYTES // (1024 * 1024)} MB"]
                )
            data = exports.parse_json(upload.read())
            left_out: list[str] = []
            assessment = exports.import_assessment(
                data, partnership=access.partnership, user=request.user, left_out=left_out
            )
        except exports.ImportProblem as error:
            problems = error.problems[:50]
            form.add_error(
                "file",
                f"The file cannot be imported: {len(error.problems)} problem{'s' if len(error.problems) != 1 else ''} found (listed below)",
            )
        else:
            messages.success(request, f"Imported as a new draft: {assessment.title}")
            if left_out:
                messages.warning(
                    request,
                    "These evidence items were left out because their files are not in the "
                    f"export and this partnership does not hold them: {'; '.join(left_out)}. "
                    "Add them to the evidence register and attach them again.",
                )
            return redirect("assessment_home", code=assessment.code)
    return render(
        request,
        "assessment/assessments/import.html",
        {"access": access, "form": form, "problems": problems},
        status=400 if problems else 200,
    )

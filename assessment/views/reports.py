"""Downloads: the PDF review report, and the assessment's data as CSV and JSON."""

import json
import uuid
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from assessment import exports, pdf, reports, snapshots
from assessment.access import Right, assessment_access, partnership_access
from assessment.forms.assessments import ImportForm

REFRESH_SECONDS = 5


def _filename(assessment, suffix: str) -> str:
    # Letters of any language stay (Welsh titles): content_disposition_header encodes them.
    return f"{slugify(assessment.title, allow_unicode=True) or 'self-assessment'}-{suffix}"


def _attachment(response: HttpResponse, assessment, suffix: str) -> HttpResponse:
    """The response as a download named after the assessment."""
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_filename(assessment, suffix)
    )
    return response


def _record_changed(request: HttpRequest, access, check, what: str) -> HttpResponse:
    return render(
        request,
        "assessment/results/record_changed.html",
        {"access": access, "assessment": access.assessment, "check": check, "what": what},
        status=409,
    )


@login_required
@require_http_methods(["GET", "POST"])
def prepare_report(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """'Your report is being prepared': asks a worker for it and updates itself until ready.

    With JavaScript, htmx polls this page and swaps the state in place; without it, a meta
    refresh reloads the page (no inline script either way: the CSP forbids them). POST is
    "Try again" after a failure.
    """
    access = assessment_access(request, code)
    # When this person asked (kept until they are shown the report): while others edit, the
    # report rendered after that moment is theirs, though the draft has changed again since.
    key = f"report-asked:{access.assessment.code}"
    now = timezone.now()
    asked = request.session.get(key)
    state = reports.request_report(
        access.assessment,
        retry=request.method == "POST",
        asked=datetime.fromisoformat(asked) if asked else None,
    )
    if state.pending and not asked:
        request.session[key] = now.isoformat()
    elif not state.pending and asked:
        del request.session[key]
    if request.method == "POST":
        return redirect("prepare_report", code=access.assessment.code)
    return render(
        request,
        "assessment/reports/prepare_report.html",
        {
            "access": access,
            "assessment": access.assessment,
            "state": state,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )


@login_required
def report_pdf(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The rendered report: a draft's, watermarked, or the stored report of a signed-off one,
    served only while the snapshot and the file still match their fingerprints.

    Until a worker has rendered the report of the assessment as it is now, this sends the
    person to the page that waits for it.
    """
    access = assessment_access(request, code)
    assessment = access.assessment
    check = snapshots.check(snapshots.latest(assessment)) if assessment.is_locked else None
    if check is not None and not check.ok:
        return _record_changed(request, access, check, "review report")
    shown = request.GET.get("state", "")  # the draft the person was shown as ready
    if shown and not assessment.is_locked:
        ready = reports.draft_report(assessment, shown)
    else:
        ready = reports.ready_report(assessment)
    if ready is None:
        return redirect("prepare_report", code=assessment.code)
    if check is not None and not pdf.is_intact(ready):
        return _record_changed(request, access, check, "review report")
    response = FileResponse(ready.file.open("rb"), content_type="application/pdf")
    response["X-Content-SHA256"] = ready.sha256
    if check is not None:
        response["X-Record-Check"] = "unchanged"
        return _attachment(response, assessment, "report.pdf")
    stamp = timezone.localtime(ready.created).strftime("%Y%m%d-%H%M")
    return _attachment(response, assessment, f"draft-{stamp}.pdf")


@login_required
def export_json(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code)
    body = json.dumps(exports.export_assessment(access.assessment), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _attachment(response, access.assessment, "export.json")


@login_required
def export_csv(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code)
    snapshot = snapshots.latest(access.assessment)
    if snapshot is not None and not (check := snapshots.check(snapshot)).ok:
        return _record_changed(request, access, check, "answers file")
    header, rows = exports.answers_csv_rows(access.assessment)
    return exports.csv_response(_filename(access.assessment, "answers.csv"), header, rows)


@login_required
def import_json(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
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
            assessment = exports.import_assessment(
                data, partnership=access.partnership, user=request.user
            )
        except exports.ImportProblem as error:
            problems = error.problems[:50]
            form.add_error(
                "file",
                f"The file cannot be imported: {len(error.problems)} problem{'s' if len(error.problems) != 1 else ''} found (listed below)",
            )
        else:
            messages.success(request, f"Imported as a new draft: {assessment.title}")
            return redirect("assessment_home", code=assessment.code)
    return render(
        request,
        "assessment/assessments/import.html",
        {"access": access, "form": form, "problems": problems},
        status=400 if problems else 200,
    )

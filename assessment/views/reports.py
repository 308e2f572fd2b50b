"""Downloads: the PDF review report, and the assessment's data as CSV and JSON."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone

from assessment import pdf
from assessment.access import assessment_access


def _filename(assessment, suffix: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in assessment.title.lower()).strip("-")
    return f"{safe or 'self-assessment'}-{suffix}"


@login_required
def report_pdf(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """A draft renders now, watermarked; a signed-off report is the stored, identical file."""
    access = assessment_access(request, code)
    assessment = access.assessment
    if assessment.is_locked:
        stored = pdf.stored_report(assessment)
        response = FileResponse(stored.file.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{_filename(assessment, "report.pdf")}"'
        )
        response["X-Content-SHA256"] = stored.sha256
        return response
    body = pdf.render_pdf(assessment)
    response = HttpResponse(body, content_type="application/pdf")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(assessment, f"draft-{stamp}.pdf")}"'
    )
    return response

"""Work that runs off the request path, on a task worker (``manage.py db_worker`` by default).

Only the tasks framework's own API is used (``@task``, ``.enqueue()``), so the backend (the
database, RQ, Django 6's built-in framework) is configuration: see ``TASKS`` in settings.

A task's arguments are stored as JSON until a worker, perhaps on another machine, picks it up,
so tasks take codes as strings and load everything afresh; each is safe to run twice.
"""

try:  # Django 6 has the framework built in; django-tasks is its backport, with the same API
    from django.tasks import task
except ImportError:
    from django_tasks import task

from assessment.models import Assessment


def _assessment(code: str) -> Assessment:
    return Assessment.objects.select_related("partnership", "framework").get(code=code)


@task()
def render_stored_report(assessment_code: str) -> str | None:
    """Render and store the signed-off PDFs of the assessment's latest snapshot (the review
    report and the board pack), each once.

    Enqueued at sign-off. Returns the stored report's SHA-256, or None when the assessment was
    reopened before a worker got to it (there is then no signed-off report to render).
    """
    from assessment import pdf, reports  # WeasyPrint is heavy: only workers need it

    assessment = _assessment(assessment_code)
    if not assessment.is_locked:
        return None
    stored = {}
    for kind in reports.PDFS:
        with reports.recording_failure(assessment, kind):
            stored[kind] = pdf.render_signed_report(assessment.pk, kind).sha256
    return stored[reports.DocumentKind.REPORT]


@task()
def render_draft_report(assessment_code: str, kind: str = "report") -> str | None:
    """Render the file ``kind`` of the assessment as it is now (a draft's report or board pack,
    or an export), unless that state has one.

    Returns the file's SHA-256, or None when the assessment changed while it rendered (or was
    signed off: its PDFs are then the stored ones).
    """
    from assessment import reports

    assessment = _assessment(assessment_code)
    if assessment.is_locked and reports.DOCUMENTS[kind].signed:
        return None
    state = reports.fingerprint(assessment, kind)
    with reports.recording_failure(assessment, kind):
        report = reports.render_draft(assessment, kind)
    reports.rendering_finished(assessment, kind, state)
    return report.sha256 if report else None


@task()
def send_notifications(notification_ids: list[int]) -> int:
    """Email the recorded notifications that are still unsent (each is claimed before it is
    sent, so a task run twice, or beside ``send_reminders``, sends each email once)."""
    from assessment import notifications
    from assessment.models import Notification

    return notifications.send(
        list(Notification.objects.filter(pk__in=notification_ids).select_related("user"))
    )

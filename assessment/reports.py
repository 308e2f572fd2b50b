"""Rendered review reports: which file answers a download, and asking a worker for one.

Rendering takes seconds to minutes, so it never happens in a request. A signed-off assessment's
report is the ``StoredReport`` of its latest snapshot, rendered by a worker after sign-off. A
draft's is a ``DraftReport`` keyed by the fingerprint of everything the report shows: the same
state gives the same fingerprint and reuses the file; any change gives a new one and a new file.

Whether a rendering is waiting for a worker, or failed, is kept in the shared cache for a while
(``PENDING_SECONDS``): enough to ask a worker once, not once per page refresh, and to ask again
if a worker died half-way.
"""

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from assessment.models import (
    Action,
    Answer,
    Assessment,
    Comment,
    DraftReport,
    StoredReport,
    User,
)

PENDING_SECONDS = 10 * 60
PENDING, FAILED = "pending", "failed"

# What the report is drawn by: a change to any of these files (a new release) is a new report.
DRAWN_BY = [
    "templates/report",
    "assessment/pdf.py",
    "assessment/charts.py",
    "assessment/results.py",
    "assessment/scoring.py",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportState:
    """What a person asking for an assessment's report gets now."""

    ready: DraftReport | StoredReport | None = None
    failed: bool = False

    @property
    def pending(self) -> bool:
        return self.ready is None and not self.failed


@once
def _code_digest() -> str:
    digest = hashlib.sha256()
    for name in DRAWN_BY:
        path = Path(settings.BASE_DIR) / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def fingerprint(assessment: Assessment) -> str:
    """A digest of everything the draft report of ``assessment`` shows, in five small queries.

    The report shows the assessment (its fields, answers, comments, actions and the people who
    wrote them), its partnership, its framework (immutable once used: its id and content hash
    stand for all of it) and the partnership's cycles up to this one (their scores). Date
    questions are scored as of today, so the date is part of it too.
    """
    partnership = assessment.partnership
    cycles = (
        Assessment.objects.filter(
            Q(partnership=partnership, period_end__lte=assessment.period_end)
            | Q(pk=assessment.carried_from_id)
        )
        .annotate(
            answers_count=Count("answers"),
            answers_changed=Max("answers__updated"),
            answers_versions=Sum("answers__version"),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "title",
            "status",
            "period_start",
            "period_end",
            "framework_id",
            "signed_off_at",
            "answers_count",
            "answers_changed",
            "answers_versions",
        )
    )
    comments = Comment.objects.filter(assessment=assessment)
    actions = Action.objects.filter(assessment=assessment)
    people = User.objects.filter(
        Q(pk__in=Answer.objects.filter(assessment=assessment).values("answered_by"))
        | Q(pk__in=comments.values("author"))
        | Q(pk__in=actions.values("owner"))
    ).order_by("pk")
    parts = [
        _code_digest(),
        timezone.localdate(),
        [getattr(assessment, f.attname) for f in Assessment._meta.concrete_fields],
        (partnership.name, partnership.nation, partnership.area),
        (assessment.framework_id, assessment.framework.content_hash),
        list(cycles),
        comments.aggregate(count=Count("pk"), last=Max("pk")),
        actions.aggregate(count=Count("pk"), changed=Max("updated")),
        list(people.values_list("pk", "name", "email")),
    ]
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def _job_key(assessment: Assessment, state: str) -> str:
    """The marker of a rendering asked of a worker: one per signed-off record, and one per
    draft at a time, whatever its state. A draft being edited changes state every few seconds
    (autosave): a rendering per state would queue renderings faster than a worker can make them,
    and none would ever be ready."""
    if state.startswith("signed-"):
        return f"report-job:{assessment.code}:{state}"
    return f"report-job:{assessment.code}:draft"


def _state_key(assessment: Assessment) -> str:
    """What identifies the report to render: the snapshot once signed off, else the fingerprint."""
    if assessment.is_locked:
        return f"signed-{assessment.latest_snapshot.pk}"
    return fingerprint(assessment)


def _ready(assessment: Assessment, state: str) -> DraftReport | StoredReport | None:
    if assessment.is_locked:
        return StoredReport.objects.filter(snapshot=assessment.latest_snapshot).first()
    return _draft(assessment, state)


def _draft(assessment: Assessment, state: str) -> DraftReport | None:
    """The draft report rendered for this state, if its file is still in storage.

    A draft's file is only a rendering kept for reuse: when it is gone (storage emptied,
    restored from an older backup, or a web server pointed at other storage than the worker's),
    the row is dropped and the report rendered again, instead of a download that fails.
    """
    report = DraftReport.objects.filter(assessment=assessment, fingerprint=state).first()
    if report is not None and not report.file.storage.exists(report.file.name):
        logger.warning(
            "Draft report %s has no file in storage: it will be rendered again", report.pk
        )
        report.delete()
        cache.delete(_job_key(assessment, state))  # so that the next look asks a worker again
        return None
    return report


def ready_report(assessment: Assessment) -> DraftReport | StoredReport | None:
    """The rendered report for the assessment as it is now, if a worker has rendered it."""
    return _ready(assessment, _state_key(assessment))


def draft_report(assessment: Assessment, state: str) -> DraftReport | None:
    """The draft report rendered for one state of the assessment (the one a person was shown
    as ready), while it is kept: only the newest rendering of a draft is."""
    return _draft(assessment, state)


def request_report(
    assessment: Assessment, *, retry: bool = False, asked: datetime | None = None
) -> ReportState:
    """The report as it is now, asking a worker to render it when there is none yet.

    Asks once (not once per page refresh), and for a draft one rendering at a time; ``retry``
    asks again after a failure. ``asked``: when this person asked for the report. While
    others keep editing, the state changes faster than a report renders; a draft rendered
    after the person asked is then theirs (it says when it was made).
    """
    from assessment.tasks import render_draft_report, render_stored_report

    if asked is not None and not assessment.is_locked:
        newest = DraftReport.objects.filter(assessment=assessment, created__gte=asked)
        found = newest.order_by("-created").first()
        if found is not None and (ready := _draft(assessment, found.fingerprint)) is not None:
            return ReportState(ready=ready)
        if cache.get(_job_key(assessment, "")) == PENDING:
            # Still rendering: the page refreshes every few seconds, and reading everything
            # the report shows to fingerprint it each time is most of the page's work.
            return ReportState()
    state = _state_key(assessment)
    ready = _ready(assessment, state)
    if ready is not None:
        return ReportState(ready=ready)
    key = _job_key(assessment, state)
    if retry:
        cache.delete(key)
    elif cache.get(key) == FAILED:
        return ReportState(failed=True)
    if cache.add(key, PENDING, PENDING_SECONDS):
        task = render_stored_report if assessment.is_locked else render_draft_report
        task.enqueue(str(assessment.code))
    return ReportState()


def rendering_finished(assessment: Assessment, state: str) -> None:
    """A worker is done with the draft (rendered, or changed while it rendered): the next
    look may ask for the state of then. A failure stays recorded until "Try again"."""
    key = _job_key(assessment, state)
    if cache.get(key) == PENDING:
        cache.delete(key)


@contextmanager
def recording_failure(assessment: Assessment) -> Iterator[None]:
    """Tell the person waiting that the rendering failed (and let the worker record the error)."""
    key = _job_key(assessment, _state_key(assessment))
    try:
        yield
    except Exception:
        cache.set(key, FAILED, PENDING_SECONDS)
        raise


def render_draft(assessment: Assessment) -> DraftReport | None:
    """Render and keep the draft report of the assessment as it is now (once per state).

    Returns None when the assessment changed while it rendered: that file would show a state
    that no longer exists, and the person's next look asks for the new state.
    """
    from assessment import pdf

    before = fingerprint(assessment)
    existing = _draft(assessment, before)
    if existing is not None:
        return existing
    html = pdf.render_html(assessment)
    # The HTML shows the state ``before`` if nothing changed while it was read (the fast part);
    # a change during the slow part, the PDF, does not make the file wrong: it is the report
    # as it was, and says so.
    assessment = Assessment.objects.select_related("partnership", "framework").get(pk=assessment.pk)
    if assessment.is_locked or fingerprint(assessment) != before:
        return None
    body, pages = pdf.html_to_pdf(html)
    assessment = Assessment.objects.select_related("partnership", "framework").get(pk=assessment.pk)
    if assessment.is_locked:  # signed off meanwhile: its stored report is the one to show
        return None
    report = DraftReport(
        assessment=assessment,
        fingerprint=before,
        sha256=hashlib.sha256(body).hexdigest(),
        pages=pages,
    )
    report.file.save(f"{assessment.code}-{before[:16]}.pdf", ContentFile(body), save=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # another worker rendered the same state first: keep theirs
        report.file.delete(save=False)
        return DraftReport.objects.get(assessment=assessment, fingerprint=before)
    # Earlier states are gone for good: their files only take space.
    for old in DraftReport.objects.filter(assessment=assessment, created__lt=report.created):
        old.file.delete(save=False)
        old.delete()
    return report

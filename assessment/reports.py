"""Rendered documents: which file answers a download, and asking a worker for one.

An assessment gives five files (``DOCUMENTS``): the review report and the board pack (PDF), and
the data exports (JSON, CSV, and the JSON with the evidence files as a zip). Rendering takes
seconds to minutes for a large assessment, so it never happens in a request. A signed-off
assessment's PDFs are ``StoredReport`` rows of its latest snapshot, rendered by a worker after
sign-off from the snapshot alone. A draft's PDFs, and every assessment's exports, are
``DraftReport`` rows keyed by the fingerprint of everything the file shows: the same state gives
the same fingerprint and reuses the file; any change gives a new one and a new file.

Whether a rendering is waiting for a worker, or failed, is kept in the shared cache for a while
(``PENDING_SECONDS``): enough to ask a worker once, not once per page refresh, and to ask again
if a worker died half-way.
"""

import hashlib
import io
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

from assessment import snapshots
from assessment.models import (
    Action,
    ActionNote,
    AgencyView,
    Answer,
    AnswerEvidence,
    Approval,
    Assessment,
    Challenge,
    ChallengeNote,
    Comment,
    DocumentKind,
    DraftReport,
    Milestone,
    RecommendationResponse,
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
    "assessment/comparison.py",
    "assessment/board_summary.py",
    "assessment/scoring.py",
    "assessment/exports",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    """One of the files an assessment gives, as its pages and downloads name it."""

    kind: str  # a ``DocumentKind``
    name: str  # "Your {name} is ready"
    title: str  # "Download the {title} ({file_format})"
    file_format: str
    suffix: str  # the end of the downloaded file's name
    content_type: str
    prepare: str  # the URL name of the page that waits for it
    download: str  # the URL name of the download
    # Rendered at sign-off from the snapshot and stored with it (the PDFs); otherwise rendered
    # for each state of the assessment, signed off or not (the exports: actions live on).
    signed: bool


DOCUMENTS = {
    d.kind: d
    for d in (
        Document(
            DocumentKind.REPORT,
            "report",
            "review report",
            "PDF",
            "report.pdf",
            "application/pdf",
            "prepare_report",
            "report_pdf",
            signed=True,
        ),
        Document(
            DocumentKind.BOARD,
            "board pack",
            "board pack",
            "PDF",
            "board-pack.pdf",
            "application/pdf",
            "prepare_board_pack",
            "board_pack_pdf",
            signed=True,
        ),
        Document(
            DocumentKind.JSON,
            "data file",
            "data file",
            "JSON",
            "export.json",
            "application/json; charset=utf-8",
            "prepare_export_json",
            "export_json",
            signed=False,
        ),
        Document(
            DocumentKind.CSV,
            "answers file",
            "answers file",
            "CSV",
            "answers.csv",
            "text/csv; charset=utf-8",
            "prepare_export_csv",
            "export_csv",
            signed=False,
        ),
        Document(
            DocumentKind.ZIP,
            "data file with the evidence files",
            "data file with the evidence files",
            "zip",
            "export-with-evidence.zip",
            "application/zip",
            "prepare_export_zip",
            "export_zip",
            signed=False,
        ),
    )
}
PDFS = [d.kind for d in DOCUMENTS.values() if d.signed]


@dataclass(frozen=True)
class ReportState:
    """What a person asking for an assessment's report gets now."""

    document: Document
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


def fingerprint(assessment: Assessment, kind: str = DocumentKind.REPORT) -> str:
    """A digest of everything the file ``kind`` of ``assessment`` shows, in a few small queries.

    The PDFs show the assessment (its fields, answers, comments, actions and the people who
    wrote them), its partnership, its framework (immutable once used: its id and content hash
    stand for all of it) and the partnership's cycles up to this one (their scores). Date
    questions are scored as of today, so the date is part of it too; the challenges, approvals
    and the partnership's recommendations register are summarised in both. The exports also show
    the actions' notes, the history's counts and whether the signed-off snapshot still matches
    its fingerprint.
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
        # The challenges, approvals and the partnership's register, which both PDFs summarise.
        list(Challenge.objects.filter(assessment=assessment).values_list("pk", "resolved_at")),
        ChallengeNote.objects.filter(challenge__assessment=assessment).aggregate(
            count=Count("pk"), last=Max("pk")
        ),
        Approval.objects.filter(assessment=assessment).aggregate(count=Count("pk"), last=Max("pk")),
        RecommendationResponse.objects.filter(partnership=partnership).aggregate(
            count=Count("pk"), changed=Max("updated")
        ),
        Milestone.objects.filter(response__partnership=partnership).aggregate(
            count=Count("pk"), last=Max("pk"), done=Count("pk", filter=Q(done=True))
        ),
        _shared_state(assessment),
        # The evidence items attached, with anything about them the report prints.
        list(
            AnswerEvidence.objects.filter(assessment=assessment)
            .order_by("pk")
            .values_list("pk", "item_id", "item__updated")
        ),
        kind,
    ]
    if not DOCUMENTS[kind].signed:
        snapshot = snapshots.latest(assessment)
        parts += [
            ActionNote.objects.filter(action__assessment=assessment).aggregate(
                count=Count("pk"), last=Max("pk")
            ),
            Answer.history.filter(assessment_id=assessment.pk).count(),
            assessment.history.count(),
            (snapshot.pk, snapshots.check(snapshot).ok) if snapshot is not None else None,
        ]
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def _shared_state(assessment: Assessment) -> list:
    """What the report shows of themes given to several agencies: views, submissions,
    moderation notes and dissents (each changes its row's version, time or id)."""
    return [
        list(assessment.assignments.order_by("pk").values_list("theme_id", "agency")),
        AgencyView.objects.filter(assessment=assessment).aggregate(
            count=Count("pk"), versions=Sum("version"), changed=Max("updated")
        ),
        list(assessment.agency_submissions.order_by("pk").values_list("pk", "agency")),
        list(assessment.moderations.order_by("pk").values_list("pk", "moderated_at")),
        list(assessment.dissents.order_by("pk").values_list("pk", "recorded_at")),
    ]


def _job_key(assessment: Assessment, kind: str, state: str) -> str:
    """The marker of a rendering asked of a worker: one per signed-off record, and one per
    draft file at a time, whatever its state. A draft being edited changes state every few
    seconds (autosave): a rendering per state would queue renderings faster than a worker can
    make them, and none would ever be ready."""
    if state.startswith("signed-"):
        return f"report-job:{assessment.code}:{kind}:{state}"
    return f"report-job:{assessment.code}:{kind}:draft"


def _stored(assessment: Assessment, kind: str) -> bool:
    """Whether the file is the one stored with the signed-off snapshot."""
    return assessment.is_locked and DOCUMENTS[kind].signed


def _state_key(assessment: Assessment, kind: str) -> str:
    """What identifies the file to render: the snapshot once signed off, else the fingerprint."""
    snapshot = assessment.latest_snapshot
    if _stored(assessment, kind) and snapshot is not None:  # signing off always stores one
        return f"signed-{snapshot.pk}"
    return fingerprint(assessment, kind)


def _ready(assessment: Assessment, kind: str, state: str) -> DraftReport | StoredReport | None:
    if _stored(assessment, kind):
        return StoredReport.objects.filter(snapshot=assessment.latest_snapshot, kind=kind).first()
    return _draft(assessment, kind, state)


def _draft(assessment: Assessment, kind: str, state: str) -> DraftReport | None:
    """The draft file rendered for this state, if it is still in storage.

    A draft's file is only a rendering kept for reuse: when it is gone (storage emptied,
    restored from an older backup, or a web server pointed at other storage than the worker's),
    the row is dropped and the file rendered again, instead of a download that fails.
    """
    report = DraftReport.objects.filter(assessment=assessment, kind=kind, fingerprint=state).first()
    if report is not None and not report.file.storage.exists(report.file.name):
        logger.warning("Draft file %s is not in storage: it will be rendered again", report.pk)
        report.delete()
        cache.delete(_job_key(assessment, kind, state))  # the next look asks a worker again
        return None
    return report


def ready_report(
    assessment: Assessment, kind: str = DocumentKind.REPORT
) -> DraftReport | StoredReport | None:
    """The rendered file for the assessment as it is now, if a worker has rendered it."""
    return _ready(assessment, kind, _state_key(assessment, kind))


def draft_report(
    assessment: Assessment, state: str, kind: str = DocumentKind.REPORT
) -> DraftReport | None:
    """The draft file rendered for one state of the assessment (the one a person was shown as
    ready), while it is kept: only the newest rendering of a draft is."""
    return _draft(assessment, kind, state)


def request_report(
    assessment: Assessment,
    kind: str = DocumentKind.REPORT,
    *,
    retry: bool = False,
    asked: datetime | None = None,
) -> ReportState:
    """The file as it is now, asking a worker to render it when there is none yet.

    Asks once (not once per page refresh), and for a draft one rendering at a time; ``retry``
    asks again after a failure. ``asked``: when this person asked for the file. While others
    keep editing, the state changes faster than a report renders; a draft rendered after the
    person asked is then theirs (it says when it was made).
    """
    from assessment.tasks import render_draft_report, render_stored_report

    document = DOCUMENTS[kind]
    if asked is not None and not _stored(assessment, kind):
        newest = DraftReport.objects.filter(assessment=assessment, kind=kind, created__gte=asked)
        found = newest.order_by("-created").first()
        if found is not None and (draft := _draft(assessment, kind, found.fingerprint)):
            return ReportState(document, ready=draft)
        if cache.get(_job_key(assessment, kind, "")) == PENDING:
            # Still rendering: the page refreshes every few seconds, and reading everything
            # the file shows to fingerprint it each time is most of the page's work.
            return ReportState(document)
    state = _state_key(assessment, kind)
    ready = _ready(assessment, kind, state)
    if ready is not None:
        return ReportState(document, ready=ready)
    key = _job_key(assessment, kind, state)
    if retry:
        cache.delete(key)
    elif cache.get(key) == FAILED:
        return ReportState(document, failed=True)
    if cache.add(key, PENDING, PENDING_SECONDS):
        if _stored(assessment, kind):
            render_stored_report.enqueue(str(assessment.code))
        elif kind == DocumentKind.REPORT:
            render_draft_report.enqueue(str(assessment.code))  # the arguments sign-off gives
        else:
            render_draft_report.enqueue(str(assessment.code), kind)
    return ReportState(document)


def rendering_finished(assessment: Assessment, kind: str, state: str) -> None:
    """A worker is done with the draft (rendered, or changed while it rendered): the next
    look may ask for the state of then. A failure stays recorded until "Try again"."""
    key = _job_key(assessment, kind, state)
    if cache.get(key) == PENDING:
        cache.delete(key)


@contextmanager
def recording_failure(assessment: Assessment, kind: str = DocumentKind.REPORT) -> Iterator[None]:
    """Tell the person waiting that the rendering failed (and let the worker record the error)."""
    key = _job_key(assessment, kind, _state_key(assessment, kind))
    try:
        yield
    except Exception:
        cache.set(key, FAILED, PENDING_SECONDS)
        raise


def _pdf_html(assessment: Assessment, kind: str, rendered_at: datetime | None = None) -> str | None:
    """The HTML of a PDF document (the fast part: reading what it shows), or None for an export."""
    from assessment import pdf

    if kind == DocumentKind.REPORT:
        return pdf.render_html(assessment, rendered_at)
    if kind == DocumentKind.BOARD:
        return pdf.render_board_html(assessment, rendered_at)
    return None


def _export_bytes(assessment: Assessment, kind: str) -> bytes:
    from assessment import exports

    if kind == DocumentKind.JSON:
        data = exports.export_assessment(assessment)
        return json.dumps(data, indent=2, ensure_ascii=False).encode()
    if kind == DocumentKind.ZIP:
        out = io.BytesIO()  # in the worker, never in a request
        exports.export_zip(assessment, out)
        return out.getvalue()
    header, rows = exports.answers_csv_rows(assessment)
    return exports.csv_text(header, rows).encode()


def render_file(
    assessment: Assessment, kind: str, rendered_at: datetime | None = None
) -> tuple[bytes, int]:
    """The bytes of the file ``kind`` of the assessment as it is now, and its number of pages
    (0 for an export)."""
    from assessment import pdf  # WeasyPrint is heavy: only workers need it

    html = _pdf_html(assessment, kind, rendered_at)
    if html is None:
        return _export_bytes(assessment, kind), 0
    return pdf.html_to_pdf(html)


def render_draft(assessment: Assessment, kind: str = DocumentKind.REPORT) -> DraftReport | None:
    """Render and keep the file ``kind`` of the assessment as it is now (once per state).

    Returns None when the assessment changed while its data was read, or was signed off
    meanwhile. A change during the slow part (the PDF) does not make the file wrong: it is the
    assessment as it was when read, and says so when it was made.
    """
    extension = DOCUMENTS[kind].suffix.rsplit(".", 1)[-1]
    before = fingerprint(assessment, kind)
    existing = _draft(assessment, kind, before)
    if existing is not None:
        return existing
    from assessment import pdf

    html = _pdf_html(assessment, kind)
    body = _export_bytes(assessment, kind) if html is None else b""
    # What was read shows the state ``before`` if nothing changed meanwhile (the fast part).
    assessment = Assessment.objects.select_related("partnership", "framework").get(pk=assessment.pk)
    if _stored(assessment, kind) or fingerprint(assessment, kind) != before:
        return None
    pages = 0
    if html is not None:
        body, pages = pdf.html_to_pdf(html)
        assessment = Assessment.objects.select_related("partnership", "framework").get(
            pk=assessment.pk
        )
        if _stored(assessment, kind):  # signed off meanwhile: its stored file is the one to show
            return None
    report = DraftReport(
        assessment=assessment,
        kind=kind,
        fingerprint=before,
        sha256=hashlib.sha256(body).hexdigest(),
        pages=pages,
    )
    name = f"{assessment.code}-{kind}-{before[:16]}.{extension}"
    report.file.save(name, ContentFile(body), save=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # another worker rendered the same state first: keep theirs
        report.file.delete(save=False)
        return DraftReport.objects.get(assessment=assessment, kind=kind, fingerprint=before)
    # Earlier states are gone for good: their files only take space.
    older = DraftReport.objects.filter(assessment=assessment, kind=kind, created__lt=report.created)
    for old in older:
        old.file.delete(save=False)
        old.delete()
    return report

"""The PDF review report. The only module that imports WeasyPrint (imported on first use).

A draft renders on demand, watermarked. A signed-off assessment renders once, from its frozen
snapshot, and the bytes are stored with their SHA-256 and served from storage ever after.
"""

import hashlib
import logging
from collections import Counter
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from assessment import charts, register, snapshots
from assessment.benchmarks import benchmark_rows
from assessment.governance import challenges_of
from assessment.models import (
    Action,
    Approval,
    Assessment,
    Comment,
    GlossaryTerm,
    StatutoryPartner,
    StoredReport,
)
from assessment.models.framework import cite
from assessment.results import (
    carry_over_by_theme,
    compare,
    findings,
    little_or_no_progress,
    previous_of,
    scored,
    trend,
)
from assessment.scoring import MINIMUM_COVERAGE, RATING_TEXT, rating_label, rating_table

logger = logging.getLogger(__name__)

REPORT_CSS = Path(settings.BASE_DIR) / "templates" / "report" / "report.css"


def report_context(assessment: Assessment, rendered_at: datetime | None = None) -> dict:
    """Everything the report templates need, from the same results the web pages show."""
    data = scored(assessment)
    by_code = data.by_code
    comments: dict = {}
    for comment in _comments(assessment, data.record):
        comments.setdefault(comment.question or comment.theme, []).append(comment)
    snapshot = snapshots.latest(assessment)
    if data.record is not None:
        actions = list(data.record.actions)
    else:
        actions = [
            snapshots.read_action(a.as_data())
            for a in Action.objects.filter(assessment=assessment)
            .select_related("owner", "assessment")
            .prefetch_related("notes__author")
        ]

    record = data.record
    as_of = (
        timezone.localdate(record.signed_off_at)
        if record is not None and record.signed_off_at
        else timezone.localdate(rendered_at or timezone.now())
    )
    overdue = [a for a in actions if a.is_overdue_on(as_of)]
    challenges = _challenges(assessment, record)
    approvals = _approvals(assessment, record)
    challenges_by_theme: dict = {}
    for challenge in challenges:
        challenges_by_theme.setdefault(challenge.theme, []).append(challenge)

    themes = []
    for found in findings(data, comments):
        scored_codes = {e.question.code for e in found.entries}
        themes.append(
            {
                "theme": found.theme,
                "result": found.result,
                "label": found.label,
                "text": found.text,
                "entries": found.entries,
                "unscored": [
                    {
                        "question": q,
                        "answer": data.answers.get(q.pk),
                        "comments": comments.get(q.code, []),
                    }
                    for q in data.questions
                    if q.theme.code == found.theme.code and q.code not in scored_codes
                ],
                "strengths": found.strengths,
                "gaps": found.gaps,
                "comments": comments.get(found.theme.code, []),
                "challenges": challenges_by_theme.get(found.theme.code, []),
            }
        )

    rows = [(f"{t['theme'].order}. {t['theme'].title}", t["result"].percentage) for t in themes]
    theme_chart = charts.data_uri(charts.cached(charts.horizontal_bars, charts.percent_bars(rows)))

    benchmarks = benchmark_rows(data)
    svgs = charts.cached_many(
        [(charts.horizontal_bars, (row.bars,), {"limit": row.limit}) for row in benchmarks]
    )
    by_theme_benchmarks: dict = {}
    for row, svg in zip(benchmarks, svgs, strict=True):
        row.chart = charts.data_uri(svg)
        by_theme_benchmarks.setdefault(row.question.theme.code, []).append(row)
    for theme in themes:
        theme["benchmarks"] = by_theme_benchmarks.get(theme["theme"].code, [])

    previous = previous_of(assessment)
    comparison = None
    improvements, declines = [], []
    if previous is not None:
        comparison = compare(data, scored(previous))
        moved = [t for t in comparison["themes"] if t["delta"] is not None]
        improvements = sorted((t for t in moved if t["delta"] > 0), key=lambda t: -t["delta"])[:3]
        declines = sorted((t for t in moved if t["delta"] < 0), key=lambda t: t["delta"])[:3]
    shown = trend(assessment, data)
    series = shown.series
    trend_charts = charts.line_charts(series, shown.labels)

    register_section = register.report_section(
        assessment,
        {t["theme"].code: {e.question.code for e in t["gaps"]} for t in themes},
        data.record,
    )
    for theme in themes:
        theme["recommendations"] = register_section.by_theme.get(theme["theme"].code, [])

    open_by_status = Counter(a.status for a in actions if a.is_open)

    cited: set = set()
    documents: set = set()  # from 2022.2, references may cite named documents beyond the report
    for q in data.questions:
        for r in [*q.references, *(r for o in q.options.all() for r in o.references)]:
            if "document" in r:
                documents.add(cite(r))
            else:
                cited.add((r["section"], r["paragraph"]))
    order = [s["section"] for s in assessment.framework.sections]
    paragraphs = [
        cite({"section": s, "paragraph": p})
        for s, p in sorted(cited, key=lambda c: (order.index(c[0]) if c[0] in order else 99, c[1]))
    ]

    carry_rows, carry_total = carry_over_by_theme(data)
    return {
        "carry_rows": carry_rows,
        "carry_total": carry_total,
        "assessment": assessment,
        "partnership": assessment.partnership,
        "framework": assessment.framework,
        "snapshot": snapshot,
        "draft": not assessment.is_locked,
        "rendered_at": rendered_at or timezone.now(),
        "result": data.result,
        "overall_label": rating_label(data.result.rating),
        "overall_text": RATING_TEXT[data.result.rating],
        "themes": themes,
        "theme_chart": theme_chart,
        "critical": [by_code[c] for c in data.result.critical_findings],
        "not_answered": data.critical_not_answered,
        "previous": previous,
        "comparison": comparison,
        "improvements": improvements,
        "declines": declines,
        "progress": little_or_no_progress(shown.cycles),
        "labels": shown.labels,
        "series": series,
        "trend_charts": trend_charts,
        "like_for_like": shown.like_for_like,
        "actions": actions,
        "open_by_status": open_by_status,
        "overdue": overdue,
        "as_of": as_of,
        "challenges": challenges,
        "open_challenges": [c for c in challenges if c.is_open],
        "approvals": approvals,
        # The decisions that signed it off: the last round's approvals.
        "approved": [
            a
            for a in approvals
            if a.round == max((x.round for x in approvals), default=0) and a.decision != "returned"
        ],
        "partner_labels": dict(StatutoryPartner.choices),
        "register": register_section,
        "thresholds": rating_table(),
        "minimum_coverage": round(MINIMUM_COVERAGE * 100),
        "glossary": GlossaryTerm.objects.filter(framework=assessment.framework).order_by("term"),
        "paragraphs": paragraphs,
        "documents": sorted(documents),
        "css": REPORT_CSS.read_text(encoding="utf-8"),
    }


def _comments(assessment: Assessment, record) -> list:
    """The comments of the record: as signed off (version 2 on), or live while open. Version 1
    snapshots did not record comments; they show those made before the sign-off."""
    if record is not None and record.comments is not None:
        return list(record.comments)
    live = Comment.objects.filter(assessment=assessment).select_related(
        "author", "question", "theme"
    )
    if record is not None and record.signed_off_at is not None:
        live = live.filter(created__lte=record.signed_off_at)
    return [
        snapshots.RecordedComment(
            theme=c.theme.code,
            question=c.question.code if c.question else None,
            author=str(c.author) if c.author else None,
            text=c.text,
            created=c.created,
        )
        for c in live
    ]


def _challenges(assessment: Assessment, record) -> list[snapshots.RecordedChallenge]:
    """The challenges of the record: as signed off (version 4 on), or live while open. Earlier
    versions did not record them; they show those raised before the sign-off."""
    if record is not None and record.challenges is not None:
        return list(record.challenges)
    live = challenges_of(assessment)
    if record is not None and record.signed_off_at is not None:
        live = live.filter(created__lte=record.signed_off_at)
    return [snapshots.read_challenge(c.as_data()) for c in live]


def _approvals(assessment: Assessment, record) -> list[snapshots.RecordedApproval]:
    if record is not None:
        return list(record.approvals or ())
    return [
        snapshots.read_approval(a.as_data())
        for a in Approval.objects.filter(assessment=assessment).select_related("user")
    ]


def render_html(assessment: Assessment, rendered_at: datetime | None = None) -> str:
    return render_to_string("report/report.html", report_context(assessment, rendered_at))


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Everything the report needs is inline (styles, data: images): nothing is ever fetched,
    # and a reference to anything else stops the rendering rather than leaving a gap.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher, base_url=str(settings.BASE_DIR)).render(
        pdf_variant="pdf/ua-1"
    )
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=b"assessment-review-report")
    return pdf, len(document.pages)


def render_pdf(assessment: Assessment) -> bytes:
    return html_to_pdf(render_html(assessment))[0]


def is_intact(report: StoredReport) -> bool:
    """Whether the stored file is still the one rendered at sign-off; logged when not (a file
    missing from storage is not intact either)."""
    try:
        with report.file.open("rb") as handle:
            ok = hashlib.sha256(handle.read()).hexdigest() == report.sha256
    except FileNotFoundError:
        logger.error("Stored report %s is missing from storage", report.pk)
        return False
    if not ok:
        logger.error("Stored report %s does not match its SHA-256 %s", report.pk, report.sha256)
    return ok


def render_signed_report(assessment_id: int) -> StoredReport:
    """Render and store the report of a signed-off assessment's latest snapshot.

    Called at sign-off (once the sign-off is committed) and safe to call again: it renders only
    if no report is stored for that snapshot, so a retried or duplicated background task, or a
    download racing it, stores one file. Everything the board signed (answers, scores,
    comments, actions) comes from the snapshot, never from live rows. Takes an id, not an
    object, so that it can run as a background task.
    """
    assessment = Assessment.objects.select_related("partnership", "framework").get(pk=assessment_id)
    snapshot = snapshots.latest(assessment)
    if snapshot is None:
        raise ValueError("Only a signed-off assessment has a stored report")
    existing = StoredReport.objects.filter(snapshot=snapshot).first()
    if existing is not None:
        return existing
    pdf, pages = html_to_pdf(render_html(assessment, rendered_at=snapshot.created))
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        existing = StoredReport.objects.select_for_update().filter(snapshot=snapshot).first()
        if existing is not None:
            return existing  # rendered meanwhile by another process; keep that one
        report = StoredReport(snapshot=snapshot, sha256=digest, pages=pages)
        report.file.save(
            f"{assessment.code}-{snapshot.sha256[:16]}.pdf", ContentFile(pdf), save=False
        )
        report.save()
    return report


def stored_report(assessment: Assessment) -> StoredReport:
    """The stored report of a signed-off assessment (rendered now if sign-off's did not run)."""
    return render_signed_report(assessment.pk)


def render_published_response(view) -> bytes:
    """The tagged PDF of a published response ("Our response to the recommendations"), drawn
    from the same ``register.PublishedView`` as its web page."""
    html = render_to_string(
        "report/response.html", {"view": view, "css": REPORT_CSS.read_text(encoding="utf-8")}
    )
    return html_to_pdf(html)[0]

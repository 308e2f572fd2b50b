"""The PDF documents: the review report (the full record) and the board pack (its summary and
a page per theme). The only module that imports WeasyPrint (imported on first use).

A draft renders on demand, watermarked. A signed-off assessment renders once, from its frozen
snapshot, and the bytes are stored with their SHA-256 and served from storage ever after.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from assessment import charts, evidence, register, snapshots
from assessment.agency_views import settlements
from assessment.benchmarks import benchmark_rows
from assessment.board_summary import board_summary
from assessment.models import (
    Approval,
    Assessment,
    Comment,
    DraftReport,
    GlossaryTerm,
    StatutoryPartner,
    StoredReport,
)
from assessment.models.framework import cite
from assessment.results import carry_over_by_theme, findings, scored, trend
from assessment.scoring import MINIMUM_COVERAGE, rating_table

logger = logging.getLogger(__name__)

REPORT_CSS = Path(settings.BASE_DIR) / "templates" / "report" / "report.css"


def report_context(
    assessment: Assessment, rendered_at: datetime | None = None, *, full: bool = True
) -> dict:
    """Everything the report templates need, from the same read models the web pages show:
    the board summary (``board_summary``), the findings, the trend and the comparison.

    ``full=False`` leaves out what only the full report shows (comments, the case study areas'
    figures, charts, the citations and the glossary): what the board pack needs."""
    data = scored(assessment)
    comments: dict = {}
    for comment in _comments(assessment, data.record) if full else ():
        comments.setdefault(comment.question or comment.theme, []).append(comment)
    snapshot = snapshots.latest(assessment)
    record = data.record
    shown = trend(assessment, data)
    summary = board_summary(
        assessment, data=data, themes=findings(data, comments), shown=shown, at=rendered_at
    )
    approvals = _approvals(assessment, record)
    challenges_by_theme: dict = {}
    for challenge in summary.challenges:
        challenges_by_theme.setdefault(challenge.theme, []).append(challenge)

    settled: dict = {}
    for settlement in record.settlements if record is not None else settlements(assessment):
        settled.setdefault(settlement.theme, []).append(settlement)

    items = evidence.evidence_of(data)
    day = evidence.as_of(assessment, record)
    themes = []
    for found in summary.themes:
        scored_codes = {e.question.code for e in found.entries}
        themes.append(
            {
                "theme": found.theme,
                "result": found.result,
                "text": found.text,
                "entries": found.entries,
                "unscored": [
                    {
                        "question": q,
                        "answer": data.answers.get(q.pk),
                        "comments": comments.get(q.code, []),
                        "evidence": evidence.shown(
                            items.get(q.code, []), question=q, assessment=assessment, day=day
                        ),
                    }
                    for q in data.questions
                    if q.theme.code == found.theme.code and q.code not in scored_codes
                ],
                "strengths": found.strengths,
                "gaps": found.gaps,
                "comments": comments.get(found.theme.code, []),
                "challenges": challenges_by_theme.get(found.theme.code, []),
                "settlements": settled.get(found.theme.code, []),
            }
        )

    rows = [(f"{t.theme.order}. {t.theme.title}", t.result.percentage) for t in summary.themes]
    theme_chart = (
        charts.data_uri(charts.cached(charts.horizontal_bars, charts.percent_bars(rows)))
        if full
        else ""
    )

    benchmarks = benchmark_rows(data) if full else []
    svgs = charts.cached_many(
        [(charts.horizontal_bars, (row.bars,), {"limit": row.limit}) for row in benchmarks]
    )
    by_theme_benchmarks: dict = {}
    for row, svg in zip(benchmarks, svgs, strict=True):
        row.chart = charts.data_uri(svg)
        by_theme_benchmarks.setdefault(row.question.theme.code, []).append(row)
    for theme in themes:
        theme["benchmarks"] = by_theme_benchmarks.get(theme["theme"].code, [])

    register_section = register.report_section(
        assessment,
        {t["theme"].code: {e.question.code for e in t["gaps"]} for t in themes},
        data.record,
    )
    for theme in themes:
        theme["recommendations"] = register_section.by_theme.get(theme["theme"].code, [])

    cited: set = set()
    documents: set = set()  # from 2022.2, references may cite named documents beyond the report
    for q in data.questions if full else ():
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
        "relied_on": _relied_on(themes),
        "carry_rows": carry_rows,
        "carry_total": carry_total,
        "assessment": assessment,
        "partnership": assessment.partnership,
        "framework": assessment.framework,
        "snapshot": snapshot,
        "draft": not assessment.is_locked,
        "rendered_at": rendered_at or timezone.now(),
        "summary": summary,
        "themes": themes,
        "theme_chart": theme_chart,
        "comparison": summary.since,
        "labels": shown.labels,
        "series": shown.series,
        "trend_charts": charts.line_charts(shown.series, shown.labels) if full else [],
        "like_for_like": shown.like_for_like,
        "actions": summary.actions,
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


def _relied_on(themes: list[dict]) -> list[dict]:
    """Each evidence item behind the answers, once, with the questions it supports."""
    rows: dict[str, dict] = {}
    for theme in themes:
        shown = [(e.question.code, s) for e in theme["entries"] for s in e.evidence]
        shown += [(u["question"].code, s) for u in theme["unscored"] for s in u["evidence"]]
        for code, s in shown:
            key = str(s.item.code)
            if key not in rows:
                kind = getattr(s.item, "kind_label", None) or s.item.get_kind_display()
                rows[key] = {"item": s.item, "kind": kind, "questions": [], "out_of_date": False}
            rows[key]["questions"].append(code)
            rows[key]["out_of_date"] |= s.out_of_date
    return list(rows.values())


def _comments(assessment: Assessment, record) -> list:
    """The comments of the record: as signed off (version 2 on), or live while open. Version 1
    snapshots did not record comments; they show those made before the sign-off."""
    if record is not None and record.comments is not None:
        return list(record.comments)
    # Codes, not rows, of the questions and themes: a question row decodes its JSON fields.
    live = (
        Comment.objects.filter(assessment=assessment)
        .select_related("author")
        .annotate(theme_code=F("theme__code"), question_code=F("question__code"))
    )
    if record is not None and record.signed_off_at is not None:
        live = live.filter(created__lte=record.signed_off_at)
    return [
        snapshots.RecordedComment(
            theme=c.theme_code,
            question=c.question_code,
            author=str(c.author) if c.author else None,
            text=c.text,
            created=c.created,
        )
        for c in live
    ]


def _approvals(assessment: Assessment, record) -> list[snapshots.RecordedApproval]:
    if record is not None:
        return list(record.approvals or ())
    return [
        snapshots.read_approval(a.as_data())
        for a in Approval.objects.filter(assessment=assessment).select_related("user")
    ]


def render_html(assessment: Assessment, rendered_at: datetime | None = None) -> str:
    return render_to_string("report/report.html", report_context(assessment, rendered_at))


# The board pack keeps each theme to one page: longer lists name how many more the full report has.
BOARD_LIST = 6


@dataclass(frozen=True)
class BoardTheme:
    """One theme's page of the board pack: the report's own reading of the theme (``item``:
    result, rating text, gaps, challenges, related recommendations) with its critical findings
    and its actions beside it."""

    item: dict
    critical: list
    not_answered: list
    actions: list
    more_actions: int
    open_actions: int
    overdue: int
    challenges: list
    more_challenges: int
    recommendations: list
    more_recommendations: int


def board_context(assessment: Assessment, rendered_at: datetime | None = None) -> dict:
    """What the board pack shows, from the same read models as the full report."""
    context = report_context(assessment, rendered_at, full=False)
    summary = context["summary"]
    overdue = {a.code for a in summary.overdue}
    critical = [c.question for c in summary.critical]
    pages = []
    linked: set[str] = set()
    for item in context["themes"]:
        codes = {e.question.code for e in item["entries"]} | {
            u["question"].code for u in item["unscored"]
        }
        actions = [a for a in context["actions"] if codes & set(a.questions)]
        linked.update(a.code for a in actions)
        # Open actions first, the most overdue at the top; done and dropped ones last.
        actions.sort(key=lambda a: (not a.is_open, a.due or date.max))
        challenges = sorted(item["challenges"], key=lambda c: not c.is_open)
        pages.append(
            BoardTheme(
                item=item,
                critical=[q for q in critical if q.code in codes],
                not_answered=[q for q in summary.not_answered if q.code in codes],
                actions=actions[:BOARD_LIST],
                more_actions=max(0, len(actions) - BOARD_LIST),
                open_actions=sum(1 for a in actions if a.is_open),
                overdue=sum(1 for a in actions if a.code in overdue),
                challenges=challenges[:3],
                more_challenges=max(0, len(challenges) - 3),
                recommendations=item["recommendations"][:BOARD_LIST],
                more_recommendations=max(0, len(item["recommendations"]) - BOARD_LIST),
            )
        )
    context["board_themes"] = pages
    context["whole_actions"] = [a for a in context["actions"] if a.code not in linked]
    return context


def render_board_html(assessment: Assessment, rendered_at: datetime | None = None) -> str:
    return render_to_string("report/board.html", board_context(assessment, rendered_at))


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


def is_intact(report: StoredReport | DraftReport) -> bool:
    """Whether the stored file is still the one rendered (at sign-off); logged when not (a file
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


def render_signed_report(assessment_id: int, kind: str = "report") -> StoredReport:
    """Render and store a PDF (the review report, or with ``kind="board"`` the board pack) of a
    signed-off assessment's latest snapshot.

    Called at sign-off (once the sign-off is committed) and safe to call again: it renders only
    if none of that kind is stored for that snapshot, so a retried or duplicated background
    task, or a download racing it, stores one file. Everything the board signed (answers,
    scores, comments, actions) comes from the snapshot, never from live rows. Takes an id, not
    an object, so that it can run as a background task.
    """
    assessment = Assessment.objects.select_related("partnership", "framework").get(pk=assessment_id)
    snapshot = snapshots.latest(assessment)
    if snapshot is None:
        raise ValueError("Only a signed-off assessment has a stored report")
    existing = StoredReport.objects.filter(snapshot=snapshot, kind=kind).first()
    if existing is not None:
        return existing
    draw = render_board_html if kind == "board" else render_html
    pdf, pages = html_to_pdf(draw(assessment, rendered_at=snapshot.created))
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        existing = (
            StoredReport.objects.select_for_update().filter(snapshot=snapshot, kind=kind).first()
        )
        if existing is not None:
            return existing  # rendered meanwhile by another process; keep that one
        report = StoredReport(snapshot=snapshot, kind=kind, sha256=digest, pages=pages)
        name = "board-pack" if kind == "board" else "report"
        report.file.save(
            f"{assessment.code}-{snapshot.sha256[:16]}-{name}.pdf", ContentFile(pdf), save=False
        )
        report.save()
    return report


def stored_report(assessment: Assessment, kind: str = "report") -> StoredReport:
    """A stored PDF of a signed-off assessment (rendered now if sign-off's did not run)."""
    return render_signed_report(assessment.pk, kind)


def render_published_response(view) -> bytes:
    """The tagged PDF of a published response ("Our response to the recommendations"), drawn
    from the same ``register.PublishedView`` as its web page."""
    html = render_to_string(
        "report/response.html", {"view": view, "css": REPORT_CSS.read_text(encoding="utf-8")}
    )
    return html_to_pdf(html)[0]

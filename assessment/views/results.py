"""Results of a self-assessment: ratings, benchmarks against the case study areas, comparison
with another cycle, and the trend across all of a partnership's cycles."""

import hashlib
import uuid
from functools import cache as once
from functools import partial
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe

from assessment import charts
from assessment.access import assessment_access
from assessment.agency_views import settlements
from assessment.benchmarks import BenchmarkRow, benchmark_rows
from assessment.board_summary import board_summary
from assessment.comparison import comparison_of
from assessment.models import Framework
from assessment.results import (
    baselines,
    carry_over_by_theme,
    checks,
    little_or_no_progress,
    scored,
)
from assessment.results import trend as results_trend


@login_required
def results(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The board summary (the same model as the report's first section) and each theme's
    strengths and gaps."""
    access = assessment_access(request, code)
    assessment = access.assessment
    summary = board_summary(assessment)
    rows = [(f"{t.theme.order}. {t.theme.title}", t.result.percentage) for t in summary.themes]
    svg = charts.cached(charts.horizontal_bars, charts.percent_bars(rows))
    alt = "Bar chart of the score of each theme: " + "; ".join(
        f"{label} {value:.0f}%" if value is not None else f"{label} no score"
        for label, value in rows
    )
    data = summary.data
    carry_rows, carry_total = carry_over_by_theme(data)
    settled: dict[str, list] = {}
    for settlement in data.record.settlements if data.record else settlements(assessment):
        settled.setdefault(settlement.theme, []).append(settlement)
    return render(
        request,
        "assessment/results/results.html",
        {
            "settled": settled,
            "carry_rows": carry_rows,
            "carry_total": carry_total,
            "access": access,
            "assessment": assessment,
            "summary": summary,
            "checks": checks([summary.data]),
            "not_answered": summary.not_answered,
            "chart": charts.data_uri(svg),
            "chart_alt": alt,
            "may_add_action": access.may_add_action(),
        },
    )


@login_required
def benchmarks(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code)
    assessment = access.assessment
    data = scored(assessment)
    rows = benchmark_rows(data)
    framework, prefix = assessment.framework, get_script_prefix()
    # Each indicator's card (its chart, sentences and table: most of the page) is rendered once
    # for the same content and reused, keyed like a chart by everything it shows.
    html = charts.cached_by_key(
        [
            (
                _BENCHMARK_ROW
                + _template_digest(_BENCHMARK_ROW)
                + charts.fingerprint(
                    [
                        row.question,
                        row.answer,
                        row.ours,
                        row.direction,
                        row.sentences,
                        [(f.label, f.value, f.text, f.benchmark, f.ranked) for f in row.figures],
                        framework.slug,
                        framework.version,
                        prefix,
                    ]
                ),
                partial(_benchmark_card, row, framework),
            )
            for row in rows
        ]
    )
    for row, card in zip(rows, html, strict=True):
        row.html = mark_safe(card)  # noqa: S308 - rendered by our own template, escaped there
    return render(
        request,
        "assessment/results/benchmarks.html",
        {"access": access, "assessment": assessment, "rows": rows, "checks": checks([data])},
    )


_BENCHMARK_ROW = "assessment/results/_benchmark_row.html"


@once
def _template_digest(name: str) -> str:
    """A new release's template is a new card, whatever the shared cache still holds."""
    template = get_template(name)
    if not isinstance(template, DjangoTemplate):  # the one backend in settings.TEMPLATES
        raise TypeError(f"{name} is not a Django template")
    return hashlib.sha256(Path(template.origin.name).read_bytes()).hexdigest()


def _benchmark_card(row: BenchmarkRow, framework: Framework) -> str:
    row.chart = charts.data_uri(charts.cached(charts.horizontal_bars, row.bars, limit=row.limit))
    return render_to_string(_BENCHMARK_ROW, {"row": row, "framework": framework})


@login_required
def compare_assessments(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code)
    assessment = access.assessment
    # Only signed-off cycles are baselines; this one may be the current draft.
    cycles = baselines(assessment)
    other_code = request.GET.get("with")
    other = None
    if other_code:
        other = next((a for a in cycles if str(a.code) == other_code), None)
        if other is None:
            raise Http404("Not one of this partnership's self-assessments")
    comparison = comparison_of(assessment, other)
    return render(
        request,
        "assessment/results/compare.html",
        {
            "access": access,
            "assessment": assessment,
            "cycles": cycles,
            "comparison": comparison,
            "checks": comparison.checks if comparison else (),
        },
    )


@login_required
def trend(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The signed-off cycles up to this one and this one, oldest first: overall and theme
    scores, indicators (the same figures as the report's "Progress over time")."""
    access = assessment_access(request, code)
    assessment = access.assessment
    shown = results_trend(assessment)
    scored_cycles, labels, series, kept = (
        shown.cycles,
        shown.labels,
        shown.series,
        shown.like_for_like,
    )
    newest = max((s.assessment.framework for s in scored_cycles), key=lambda f: f.version_key)
    line_charts = charts.line_charts(series, labels)
    indicators = []
    latest = next(s for s in scored_cycles if s.assessment.framework_id == newest.pk)
    for question in latest.questions:
        if question.kind != "indicator" or (
            kept and question.code not in kept.old_codes[newest.pk]
        ):
            continue
        values = []
        for s in scored_cycles:
            old_code = (
                kept.old_codes[s.assessment.framework_id][question.code] if kept else question.code
            )
            match = next((q for q in s.questions if q.code == old_code), None)
            answer = s.answers.get(match.pk) if match else None
            values.append(answer.rate if answer and not answer.not_applicable else None)
        if any(v is not None for v in values):
            indicators.append({"question": question, "values": values})
    return render(
        request,
        "assessment/results/trend.html",
        {
            "access": access,
            "assessment": assessment,
            "labels": labels,
            "series": series,
            "charts": line_charts,
            "indicators": indicators,
            "progress": little_or_no_progress(scored_cycles),
            "like_for_like": kept,
            "checks": checks(scored_cycles),
        },
    )

"""Results of a self-assessment: ratings, benchmarks against the case study areas, comparison
with another cycle, and the trend across all of a partnership's cycles."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from assessment import charts
from assessment.access import assessment_access
from assessment.agency_views import settlements
from assessment.benchmarks import benchmark_rows
from assessment.models import Action
from assessment.results import (
    baselines,
    carry_over_by_theme,
    checks,
    compare,
    findings,
    little_or_no_progress,
    practice_for,
    previous_of,
    scored,
)
from assessment.results import trend as results_trend
from assessment.scoring import RATING_TEXT, rating_label


@login_required
def results(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code)
    assessment = access.assessment
    data = scored(assessment)
    themes = findings(data)
    examples = practice_for(assessment.framework)
    by_code = data.by_code
    critical = [
        {
            "question": by_code[c],
            "answer": data.answers.get(by_code[c].pk),
            "poor": [e for e in examples.get(by_code[c].pk, []) if e.kind == "poor"],
        }
        for c in data.result.critical_findings
    ]
    rows = [(f"{t.theme.order}. {t.theme.title}", t.result.percentage) for t in themes]
    svg = charts.cached(charts.horizontal_bars, charts.percent_bars(rows))
    alt = "Bar chart of the score of each theme: " + "; ".join(
        f"{label} {value:.0f}%" if value is not None else f"{label} no score"
        for label, value in rows
    )
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
            "result": data.result,
            "frozen": data.frozen,
            "checks": checks([data]),
            "overall_label": rating_label(data.result.rating),
            "overall_text": RATING_TEXT[data.result.rating],
            "themes": themes,
            "critical": critical,
            "not_answered": data.critical_not_answered,
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
    svgs = charts.cached_many(
        [(charts.horizontal_bars, (row.bars,), {"limit": row.limit}) for row in rows]
    )
    for row, svg in zip(rows, svgs, strict=True):
        row.chart = charts.data_uri(svg)
    return render(
        request,
        "assessment/results/benchmarks.html",
        {"access": access, "assessment": assessment, "rows": rows, "checks": checks([data])},
    )


@login_required
def compare_assessments(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code)
    assessment = access.assessment
    # Only signed-off cycles are baselines; this one may be the current draft.
    cycles = baselines(assessment)
    other_code = request.GET.get("with")
    if other_code:
        other = next((a for a in cycles if str(a.code) == other_code), None)
        if other is None:
            raise Http404("Not one of this partnership's self-assessments")
    else:
        other = previous_of(assessment)
    context = {
        "access": access,
        "assessment": assessment,
        "cycles": cycles,
        "other": other,
    }
    if other is not None:
        newer, older = (
            (assessment, other)
            if other.period_end <= assessment.period_end
            else (other, assessment)
        )
        newer_scored, older_scored = scored(newer), scored(older)
        comparison = compare(newer_scored, older_scored)
        context["checks"] = checks([older_scored, newer_scored])
        # Gaps that had an action raised by the time of the older cycle: did they improve?
        acted = {
            code
            for codes in Action.objects.filter(
                raised_in__partnership=assessment.partnership,
                raised_in__period_end__lte=older.period_end,
            ).values_list("question_codes", flat=True)
            for code in codes
        }
        with_actions = [q for q in comparison["questions"] if q.code in acted]
        context.update(
            acted=acted,
            actions_improved=sum(1 for q in with_actions if q.change == "improved"),
            actions_total=len(with_actions),
        )
        context.update(
            newer=newer,
            older=older,
            comparison=comparison,
            counts={
                label.replace(" ", "_"): sum(
                    1 for q in comparison["questions"] if q.change == label
                )
                for label in ("improved", "declined", "unchanged", "newly answered")
            },
        )
    return render(request, "assessment/results/compare.html", context)


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
            code = (
                kept.old_codes[s.assessment.framework_id][question.code] if kept else question.code
            )
            match = next((q for q in s.questions if q.code == code), None)
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

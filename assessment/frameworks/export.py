"""Framework models -> plain data (JSON-ready) in the documented export shape."""

from decimal import Decimal

from django.db.models import Prefetch

from assessment.models import (
    Benchmark,
    Framework,
    GlossaryTerm,
    Option,
    PracticeExample,
    Question,
    Theme,
)


def with_contents(frameworks):
    """A framework queryset with everything the pages and the export need, in a fixed number of queries."""
    return frameworks.prefetch_related(
        Prefetch("themes", Theme.objects.order_by("order")),
        Prefetch("themes__questions", Question.objects.order_by("order")),
        Prefetch("themes__questions__options", Option.objects.order_by("order")),
        Prefetch("themes__questions__benchmarks", Benchmark.objects.order_by("order")),
        Prefetch(
            "practice_examples",
            PracticeExample.objects.select_related("theme")
            .prefetch_related("questions")
            .order_by("order"),
        ),
        Prefetch("glossary", GlossaryTerm.objects.order_by("order")),
    )


def _decimal(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _critical(question: Question) -> bool | list[str]:
    """As the file says it: true when critical in all the question's nations, else the list."""
    if not question.critical or question.critical_nations in ([], question.nations):
        return question.critical
    return question.critical_nations


def export(framework: Framework) -> dict:
    """The framework as plain data (JSON-ready), in the documented export shape.

    Pass a framework fetched through ``with_contents`` to avoid a query per question.
    """
    data = {
        "format": framework.format,
        "documents": framework.documents,
        "slug": framework.slug,
        "version": framework.version,
        "title": framework.title,
        "source": framework.source,
        "source_url": framework.source_url,
        "published": framework.published.isoformat() if framework.published else None,
        "sections": framework.sections,
        # Format 2 only: format 1 files have no such key (and always use the default).
        **({"tolerance": framework.tolerance} if framework.format >= 2 else {}),
        "themes": [
            {
                "code": theme.code,
                "title": theme.title,
                "report_part": theme.report_part,
                "summary": theme.summary,
                "questions": [
                    {
                        "code": q.code,
                        "text": q.text,
                        "guidance": q.guidance,
                        "kind": q.kind,
                        "weight": q.weight,
                        "required": q.required,
                        "critical": _critical(q),
                        "critical_because": q.critical_because,
                        "not_applicable": q.not_applicable_nations or None,
                        "carry": q.carry,
                        "agencies": q.agencies,
                        "nations": q.nations,
                        "references": q.references,
                        "bands": q.bands,
                        "indicator": q.indicator,
                        "options": [
                            {
                                "label": o.label,
                                "level": o.level,
                                "points": o.points,
                                "descriptor": o.descriptor,
                                "references": o.references,
                            }
                            for o in q.options.all()
                        ],
                        "benchmarks": [
                            {
                                "area": b.area,
                                "value": _decimal(b.value),
                                "qualifier": b.qualifier or None,
                                "unit": b.unit,
                                "denominator": b.denominator,
                                "period": b.period or None,
                                "direction": b.direction or None,
                                "note": b.note,
                                "scope": b.scope or None,
                                "base": b.base,
                                "comparable": b.comparable,
                                "reference": b.reference,
                            }
                            for b in q.benchmarks.all()
                        ],
                    }
                    for q in theme.questions.all()
                ],
            }
            for theme in framework.themes.all()
        ],
        "practice_examples": [
            {
                "area": e.area,
                "kind": e.kind,
                "summary": e.summary,
                "theme": e.theme.code,
                "reference": e.reference,
                "questions": [q.code for q in e.questions.all()],
            }
            for e in framework.practice_examples.all()
        ],
        "glossary": [
            {"term": g.term, "definition": g.definition, "references": g.references}
            for g in framework.glossary.all()
        ],
    }
    # Optional keys (format 2), written only when the file gave them, so that a format 1
    # framework exports as its format allows.
    if framework.evidence_months:
        data["evidence_months"] = framework.evidence_months
    for theme, exported in zip(framework.themes.all(), data["themes"], strict=True):
        for q, out in zip(theme.questions.all(), exported["questions"], strict=True):
            if q.evidence:
                out["evidence"] = q.evidence
    return data

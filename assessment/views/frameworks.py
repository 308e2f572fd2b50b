"""Public pages of the question bank: anyone can read the framework before joining."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from assessment.frameworks import export, with_contents
from assessment.models import Benchmark, Framework, Option, PracticeExample, Question, Theme
from assessment.models.framework import LEVELS
from assessment.recommendation_sets import newest_sets, related_to_questions
from assessment.scoring import (
    MINIMUM_COVERAGE,
    NOT_ENOUGH_EVIDENCE,
    POINTS,
    RATING_TEXT,
    rating_table,
)


def _version_key(framework: Framework) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in framework.version.split("."))


def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = Framework.objects.annotate(theme_count=Count("themes", distinct=True)).order_by(
        "slug", "-loaded_at"
    )
    return render(request, "assessment/frameworks/framework_list.html", {"frameworks": frameworks})


def framework_latest(request: HttpRequest, slug: str) -> HttpResponse:
    versions = list(Framework.objects.filter(slug=slug))
    if not versions:
        raise Http404("No such framework")
    newest = max(versions, key=_version_key)
    return redirect("framework_detail", slug=slug, version=newest.version)


def framework_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    framework = get_object_or_404(Framework, slug=slug, version=version)
    themes = framework.themes.annotate(
        question_count=Count("questions", distinct=True),
        critical_count=Count("questions", filter=Q(questions__critical=True), distinct=True),
    ).order_by("order")
    return render(
        request,
        "assessment/frameworks/framework_detail.html",
        {
            "framework": framework,
            "themes": themes,
            "recommendation_sets": newest_sets(framework.slug),
        },
    )


def theme_detail(request: HttpRequest, slug: str, version: str, theme: str) -> HttpResponse:
    framework = get_object_or_404(Framework, slug=slug, version=version)
    examples = PracticeExample.objects.order_by("order")
    theme_obj = get_object_or_404(
        Theme.objects.prefetch_related(
            Prefetch(
                "questions",
                Question.objects.order_by("order").prefetch_related(
                    Prefetch("options", Option.objects.order_by("order")),
                    Prefetch("benchmarks", Benchmark.objects.order_by("order")),
                    Prefetch("practice_examples", examples),
                ),
            ),
            Prefetch("practice_examples", examples.prefetch_related("questions")),
        ),
        framework=framework,
        code=theme,
    )
    siblings = list(framework.themes.order_by("order").values("code", "title", "order"))
    index = next(i for i, t in enumerate(siblings) if t["code"] == theme_obj.code)
    return render(
        request,
        "assessment/frameworks/theme_detail.html",
        {
            "framework": framework,
            "theme": theme_obj,
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if index + 1 < len(siblings) else None,
            "related": related_to_questions(framework.slug),
        },
    )


def glossary(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    framework = get_object_or_404(Framework, slug=slug, version=version)
    return render(
        request,
        "assessment/frameworks/glossary.html",
        {"framework": framework, "terms": framework.glossary.order_by("term")},
    )


def methodology(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    framework = get_object_or_404(Framework, slug=slug, version=version)
    questions = list(
        Question.objects.filter(theme__framework=framework)
        .select_related("theme")
        .order_by("theme__order", "order")
    )
    return render(
        request,
        "assessment/frameworks/methodology.html",
        {
            "framework": framework,
            "levels": LEVELS,
            "critical": [q for q in questions if q.critical],
            "banded": [q for q in questions if q.bands],
            "set_by_framework": [
                q for q in questions if (q.bands or {}).get("basis", {}).get("set_by_framework")
            ],
            "unscored": [q for q in questions if not q.scored],
            "expected": [q for q in questions if q.evidence],
            "weights": sorted({q.weight for q in questions}),
            "question_count": len(questions),
            "thresholds": rating_table(),
            "minimum_coverage": round(MINIMUM_COVERAGE * 100),
            "points": POINTS,
            "not_enough": RATING_TEXT[NOT_ENOUGH_EVIDENCE],
        },
    )


def sources(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """Every report paragraph and named document the framework cites, with what cites it: the
    anchor for citation links."""
    framework = with_contents(Framework.objects.filter(slug=slug, version=version)).first()
    if framework is None:
        raise Http404("No such framework")
    cited: dict[tuple, list[tuple[str, str, str]]] = {}

    def add(references: list[dict], kind: str, label: str, anchor: str) -> None:
        for reference in references:
            key = (
                ("document", reference["document"])
                if "document" in reference
                else (reference["section"], reference["paragraph"])
            )
            cited.setdefault(key, []).append((kind, label, anchor))

    for theme in framework.themes.all():
        for question in theme.questions.all():
            anchor = f"{theme.code}#{question.code}"
            add(question.references, "Question", question.code, anchor)
            if question.critical_because:
                add(question.critical_because["references"], "Why critical", question.code, anchor)
            basis = (question.bands or {}).get("basis") or {}
            add(basis.get("references") or [], "Thresholds", question.code, anchor)
            for option in question.options.all():
                kind = f"Option ({option.get_level_display().lower()})"
                add(option.references, kind, question.code, anchor)
            for benchmark in question.benchmarks.all():
                add([benchmark.reference], f"Benchmark ({benchmark.area})", question.code, anchor)
    for example in framework.practice_examples.all():
        kind = f"{example.get_kind_display()} ({example.area})"
        add([example.reference], kind, example.theme.code, example.theme.code)
    for term in framework.glossary.all():
        add(term.references, "Glossary", term.term, "")

    by_section = []
    for section in framework.sections:
        paragraphs = sorted(
            (p, items) for (s, p), items in cited.items() if s == section["section"]
        )
        if paragraphs:
            by_section.append({"section": section, "paragraphs": paragraphs})
    documents = [
        {"document": d, "items": cited[("document", d["id"])]}
        for d in framework.documents
        if ("document", d["id"]) in cited
    ]
    return render(
        request,
        "assessment/frameworks/sources.html",
        {"framework": framework, "sections": by_section, "documents": documents},
    )


def framework_json(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    framework = with_contents(Framework.objects.filter(slug=slug, version=version)).first()
    if framework is None:
        raise Http404("No such framework")
    response = JsonResponse(
        export(framework), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = f'inline; filename="{slug}-{version}.json"'
    return response

"""Recommendation sets: public pages, like the question bank's."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from assessment.models import Framework, RecommendationSet


def recommendation_set(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """A set's recommendations, each with who it is addressed to and the questions it relates to."""
    set_ = get_object_or_404(RecommendationSet, slug=slug, version=version)
    recommendations = list(set_.recommendations.order_by("order"))
    framework = Framework.objects.filter(slug=set_.framework_slug).order_by("-loaded_at").first()
    return render(
        request,
        "assessment/recommendations/set_detail.html",
        {
            "set": set_,
            "recommendations": recommendations,
            "local_count": sum(1 for r in recommendations if r.local_action),
            "framework": framework,
        },
    )

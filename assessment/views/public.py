"""Public pages of partnership data (no sign-in): a partnership's published response to the
recommendations. Only what a lead published is ever shown, read from the stored version (never
from the live register); owners are named only in versions published with names."""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessment import register
from assessment.models import Partnership, PublishedResponse


def _versions(code: uuid.UUID) -> tuple[Partnership, list[PublishedResponse]]:
    """The partnership and its published versions, newest first; 404 when it has none (the
    same answer as for a code that names no partnership)."""
    partnership = Partnership.objects.filter(code=code).first()
    if partnership is None:
        raise Http404("No published response")
    versions = list(partnership.published_responses.order_by("-version"))
    if not versions:
        raise Http404("No published response")
    return partnership, versions


def _page(request: HttpRequest, code: uuid.UUID, version: int | None) -> HttpResponse:
    partnership, versions = _versions(code)
    shown = (
        versions[0]
        if version is None
        else next((v for v in versions if v.version == version), None)
    )
    if shown is None:
        raise Http404("No such published version")
    response = render(
        request,
        "assessment/recommendations/public.html",
        {
            "partnership": partnership,
            "published": shown,
            "view": register.published_view(shown),
            "versions": versions,
            "latest": shown == versions[0],
        },
    )
    if request.GET.get("download") == "html":
        response["Content-Disposition"] = (
            f'attachment; filename="our-response-to-the-recommendations-v{shown.version}.html"'
        )
    return response


@require_safe
def public_response(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The latest published version, at the address the lead shares; earlier ones listed."""
    return _page(request, code, None)


@require_safe
def public_response_version(request: HttpRequest, code: uuid.UUID, version: int) -> HttpResponse:
    return _page(request, code, version)


@require_safe
def public_response_pdf(request: HttpRequest, code: uuid.UUID, version: int) -> HttpResponse:
    """The tagged PDF of a published version, exactly as it was stored when published."""
    _, versions = _versions(code)
    published = next((v for v in versions if v.version == version), None)
    if published is None:
        raise Http404("No such published version")
    with published.file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="application/pdf")
    response["X-Content-SHA256"] = published.sha256
    response["Content-Disposition"] = (
        f'attachment; filename="our-response-to-the-recommendations-v{version}.pdf"'
    )
    return response

"""Pages that belong to the service as a whole: home, health, accessibility, privacy."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache

from assessment.access import has_two_factor, partnerships_of
from assessment.models import Framework


def home(request: HttpRequest) -> HttpResponse:
    """The start page for people who are not signed in; for members, the current partnership's
    page, or the list when they have several and none is current."""
    if not request.user.is_authenticated:
        framework = Framework.objects.order_by("-loaded_at").first()
        return render(request, "assessment/pages/start.html", {"framework": framework})
    memberships = list(partnerships_of(request.user))
    if not memberships:
        return render(request, "assessment/pages/home.html")
    current = request.session.get("partnership")
    codes = [str(m.partnership.code) for m in memberships]
    if current in codes:
        return redirect("partnership_home", code=current)
    if len(memberships) == 1:
        return redirect("partnership_home", code=codes[0])
    return redirect("partnership_list")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 otherwise (for load balancers and uptime checks)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "assessment/pages/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "assessment/pages/privacy.html")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The person's name, sign-in email, password and two-factor authentication."""
    return render(
        request,
        "assessment/pages/account.html",
        {"has_2fa": has_two_factor(request.user), "memberships": partnerships_of(request.user)},
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 in the service's layout: why (the reason the access check gave), and a way back."""
    back = None
    match = request.resolver_match
    if match is not None and "code" in match.kwargs:
        if match.route.startswith("assessments/"):
            url, label = reverse("assessment_home", args=[match.kwargs["code"]]), "self-assessment"
        else:
            url, label = reverse("partnership_home", args=[match.kwargs["code"]]), "partnership"
        back = {"url": url, "label": f"Go back to the {label}"}
    reason = str(exception) if exception.args else ""
    return render(request, "403.html", {"reason": reason, "back": back}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 in the service's layout, drawn without the request: whatever failed (the database, a
    context processor) must not fail the error page too."""
    html = loader.get_template("500.html").render({"service_name": settings.SERVICE_NAME})
    return HttpResponse(html, status=500)

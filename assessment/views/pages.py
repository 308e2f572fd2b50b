"""Pages that belong to the service as a whole: home, health, accessibility, privacy."""

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from assessment.access import has_two_factor, partnerships_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The current partnership's page; the list when the person has several and none is current."""
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

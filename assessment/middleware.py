import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from assessment.access import TwoFactorRequired
from assessment.accounts import two_factor_step


class TwoFactorRequiredMiddleware:
    """Sends a member of a partnership that requires two-factor authentication to set it up, or
    to enter a code when this session has not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TwoFactorRequired):
            return two_factor_step(
                request,
                f"{exception.partnership.name} requires two-factor authentication.",
                next_url=request.get_full_path(),
            )
        return None


class PrivatePagesMiddleware:
    """Pages and downloads for a signed-in person hold a partnership's data: no browser or proxy
    keeps a copy (the back button on a shared computer after signing out, a caching proxy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class IdleTimeoutMiddleware:
    """Signs a person out after ``SESSION_IDLE_SECONDS`` without a request.

    The time of the last request is written at most once a minute, so that most requests do
    not write the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get("last_seen", now)
            idle = settings.SESSION_IDLE_SECONDS
            if now - last_seen > idle:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {idle // 60} minutes without activity. "
                    "Sign in again to continue.",
                )
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= 60 or "last_seen" not in request.session:
                request.session["last_seen"] = now
        return self.get_response(request)

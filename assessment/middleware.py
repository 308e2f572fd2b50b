from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from assessment.access import TwoFactorRequired


class TwoFactorRequiredMiddleware:
    """Sends a member of a partnership that requires two-factor authentication to set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TwoFactorRequired):
            messages.warning(
                request,
                f"{exception.partnership.name} requires two-factor authentication. "
                "Set up an authenticator app to continue.",
            )
            return redirect("mfa_index")
        return None

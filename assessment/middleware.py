from django.http import HttpRequest, HttpResponse

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

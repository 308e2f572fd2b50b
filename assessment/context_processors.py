from django.conf import settings
from django.http import HttpRequest

from assessment.access import partnerships_of


def service(request: HttpRequest) -> dict:
    """The service name, and the signed-in person's partnerships for the header switcher."""
    context = {"service_name": settings.SERVICE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        memberships = list(partnerships_of(user))
        current_code = request.session.get("partnership")
        current = next((m for m in memberships if str(m.partnership.code) == current_code), None)
        if current is None and memberships:
            current = memberships[0]
        context.update(memberships=memberships, current_membership=current)
    return context

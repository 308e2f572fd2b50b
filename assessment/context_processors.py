import uuid

from django.conf import settings
from django.db.models import BooleanField, Case, Value, When
from django.http import HttpRequest

from assessment.access import partnerships_of

# Which item of the service navigation a page belongs to, by URL name (or its prefix).
SECTIONS = {
    "framework": ("framework_", "glossary", "methodology", "sources", "theme_detail"),
    "overview": ("partnership_home",),
    "members": ("members", "invite", "change_member", "remove_member"),
    "account": ("account", "account_change_password", "account_set_password", "mfa_"),
    "sign_in": ("account_login", "account_reset_password"),
}


def navigation_section(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    name = (match.url_name if match else None) or ""
    for section, prefixes in SECTIONS.items():
        if name in prefixes or name.startswith(tuple(p for p in prefixes if p.endswith("_"))):
            return section
    return None


def service(request: HttpRequest) -> dict:
    """The service name and contact, the navigation's current section, and for the header the
    signed-in person's current partnership and whether they have another to switch to."""
    context: dict[str, object] = {
        "service_name": settings.SERVICE_NAME,
        "support_email": settings.SUPPORT_EMAIL,
        "site_url": settings.SITE_URL,
        "navigation_section": navigation_section(request),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        try:
            current_code = uuid.UUID(request.session.get("partnership") or "")
        except ValueError:
            current_code = None
        # Two rows at most, the remembered partnership first: a scrutineer in many partnerships
        # must not pay for all of them on every page.
        first_two = list(
            partnerships_of(user)
            .annotate(
                is_current=Case(
                    When(partnership__code=current_code, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
            .order_by("-is_current", "partnership__name")[:2]
        )
        context["current_membership"] = first_two[0] if first_two else None
        context["several_partnerships"] = len(first_two) > 1
    return context

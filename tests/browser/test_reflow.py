"""Reflow (WCAG 1.4.10): at 320 px, the width of 400% zoom, no page scrolls sideways; wide tables
scroll inside their own focusable box. The start page, the error pages and the widest pages of
the demo partnership, at 320 px and 1280 px, each checked with axe.

Each page is loaded once and checked at both widths: the layout is CSS media queries, which the
browser applies again when the window is resized, so a second load (and a second demo) would
show the same page."""

from io import StringIO

import pytest
from django.core.management import call_command

from assessment.frameworks import load, read
from assessment.models import Assessment
from tests.browser.axe import assert_accessible
from tests.browser.test_partnerships import sign_in
from tests.test_question_bank import BANK

pytestmark = pytest.mark.django_db(transaction=True)


WIDTHS = (1280, 320)


def assert_reflows(page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} is {overflow} px wider than {width} px"
        for box in page.locator(".app-table-scroll").all():
            assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
        assert_accessible(page)


def test_public_and_error_pages_reflow(page, other_person, live_server):
    for path in ("/", "/accessibility", "/accounts/login/"):
        page.goto(f"{live_server.url}{path}")
        assert_reflows(page)
    # The browser logs every 404 as an error, so the page not found opens in a page of its own.
    missing = other_person.blank()
    assert missing.goto(f"{live_server.url}/no-such-page").status == 404
    assert_reflows(missing)


def test_the_widest_pages_reflow(page, other_person, live_server):
    load(read(BANK))
    call_command("seed_demo", verbosity=0, stdout=StringIO())
    current = Assessment.objects.get(partnership__nation="england", status="draft")
    partnership = current.partnership
    sign_in(page, live_server.url, "lead@northmoor.example", "demo-password-2026")
    for path in (
        f"/partnerships/{partnership.code}/",
        f"/partnerships/{partnership.code}/members/",
        f"/partnerships/{partnership.code}/settings",
        f"/partnerships/{partnership.code}/evidence/",
        f"/assessments/{current.code}/results",
        f"/assessments/{current.code}/themes/RA/moderate/",  # three agencies side by side
        f"/assessments/{current.code}/results/agencies",
        f"/assessments/{current.code}/compare",
        f"/assessments/{current.code}/trend",
        f"/assessments/{current.code}/actions/",
        f"/assessments/{current.code}/activity",
        "/account",
    ):
        page.goto(f"{live_server.url}{path}")
        assert_reflows(page)
    # A 403 in the service's layout, with its reason (in a page of its own: the browser logs
    # a 403 as an error).
    signed_off = Assessment.objects.filter(partnership=partnership, status="signed_off").first()
    assert signed_off is not None
    refused = other_person("lead@northmoor.example", "demo-password-2026")
    assert (
        refused.goto(f"{live_server.url}/assessments/{signed_off.code}/actions/new").status == 403
    )
    assert "A later cycle has started" in refused.locator("main").inner_text()
    assert_reflows(refused)

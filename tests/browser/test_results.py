"""The results pages of the demo partnership in Chromium: complete, and axe finds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessment.frameworks import load, read
from assessment.models import Assessment
from tests.browser.axe import assert_accessible
from tests.browser.test_partnerships import sign_in
from tests.test_question_bank import BANK

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_results_compare_trend_and_benchmarks(page, live_server):
    load(read(BANK))
    call_command("seed_demo", verbosity=0, stdout=StringIO())
    current = Assessment.objects.get(partnership__nation="england", status="draft")
    sign_in(page, live_server.url, "board@northmoor.example", "demo-password-2026")
    assert_accessible(page)  # the dashboard

    page.goto(f"{live_server.url}/assessments/{current.code}/results")
    expect(
        page.get_by_role("heading", name="Results: Self-assessment 2025 to 2026")
    ).to_be_visible()
    assert (
        page.locator("img.app-chart")
        .first.get_attribute("alt")
        .startswith("Bar chart of the score of each theme")
    )
    assert_accessible(page)

    for link, heading in [
        ("Compared with the case study areas", "Compared with the case study areas"),
        ("Compared with another cycle", "Compared with another cycle"),
        ("Progress over time", "Progress over time"),
    ]:
        page.get_by_role("navigation", name="Results").get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert_accessible(page)
    page.goto(f"{live_server.url}/frameworks/iicsa-cse-networks/2022.1/methodology")
    assert_accessible(page)

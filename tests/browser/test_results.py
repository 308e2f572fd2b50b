"""The results pages of the demo partnership in Chromium: complete, and axe finds nothing."""

import re
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
    load(read(BANK.with_name("iicsa-cse-networks-2022.2.yaml")))
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
        if link != "Compared with the case study areas":  # the demo moves 2022.1 -> 2022.2
            expect(page.get_by_text("framework versions 2022.1 and 2022.2")).to_be_visible()
        assert_accessible(page)
    page.goto(f"{live_server.url}/frameworks/iicsa-cse-networks/2022.1/methodology")
    assert_accessible(page)


def test_a_lead_builds_the_action_plan_from_a_suggestion(page, other_person, live_server):
    load(read(BANK))
    call_command("seed_demo", verbosity=0, stdout=StringIO())
    current = Assessment.objects.get(partnership__nation="england", status="draft")
    sign_in(page, live_server.url, "lead@northmoor.example", "demo-password-2026")
    page.goto(f"{live_server.url}/assessments/{current.code}/actions/")
    expect(page.get_by_role("heading", name="Action plan")).to_be_visible()
    assert_accessible(page)
    page.get_by_text(re.compile(r"^Suggested actions \(\d+\)$")).click()  # below the plan
    page.get_by_role("link", name=re.compile(r"^Add an action for ")).first.click()
    expect(page.get_by_role("heading", name="Add an action")).to_be_visible()
    group = page.get_by_role("group", name="Due date")
    group.get_by_label("Year").fill("2020")
    group.get_by_label("Month").fill("1")
    group.get_by_label("Day").fill("1")
    page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The due date must be on or after 1 April 2025"
    )
    assert_accessible(page)
    group.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Action added to the plan")).to_be_visible()

    # The police contributor records progress on a police action.
    police = other_person("police@northmoor.example", "demo-password-2026")
    police.goto(f"{live_server.url}/assessments/{current.code}/actions/?agency=police")
    police.locator("table a").first.click()
    assert_accessible(police)
    police.get_by_role("button", name="Update this action").click()
    police.get_by_label("In progress").check()
    police.get_by_label("Progress note").fill("Training dates agreed with the force learning team")
    police.get_by_role("button", name="Save progress").click()
    expect(police.get_by_text("Training dates agreed with the force learning team")).to_be_visible()
    assert_accessible(police)

"""Everything works with JavaScript off, and by keyboard alone.

The whole cycle runs with JavaScript off too, in test_assessment_journey; this shorter story covers
what that one does not: a theme left incomplete by "Save and continue", and the critical findings."""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Agency, Answer, Role
from tests.browser.axe import screenshot
from tests.factories import PASSWORD, make_assessment, make_member, make_partnership, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_answer_save_check_and_act_with_javascript_off(page, live_server):
    partnership = make_partnership("Northdale Safeguarding Partnership")
    make_member(partnership, make_user("alice@example.org", "Alice Lead"), Role.LEAD, Agency.POLICE)
    assessment = make_assessment(partnership)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))

    page.goto(f"{live_server.url}/assessments/{assessment.code}/themes/AA/")
    section = page.locator("section#AA-01")
    section.get_by_label("Poor answer", exact=True).check()
    section.get_by_label("How do you know?").fill("Audit of 20 cases")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="2. Theme BB")).to_be_visible()
    assert Answer.objects.get().evidence == "Audit of 20 cases"

    # The error summary and messages work without scripts too.
    page.locator("section#BB-01").get_by_label("Good answer", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "BB-01: enter how you know your answer"
    )
    # axe cannot run where scripts are off; the same pages are checked with it in the other tests.
    screenshot(page, "theme-page-with-errors-javascript-off")

    page.goto(f"{live_server.url}/assessments/{assessment.code}/results")
    expect(page.get_by_role("heading", name="Critical findings (1)")).to_be_visible()
    page.goto(f"{live_server.url}/assessments/{assessment.code}/actions/")
    page.get_by_text(re.compile(r"^Suggested actions \(\d+\)$")).click()  # below the plan
    page.get_by_role("link", name=re.compile(r"^Add an action for ")).first.click()
    group = page.get_by_role("group", name="Due date")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("12")
    group.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Action added to the plan")).to_be_visible()


def test_keyboard_only_sign_in_with_visible_focus(page, live_server):
    make_user("alice@example.org", "Alice Lead")
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    # Move from the main content to the email field by keyboard alone.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_login":
            break
    assert page.evaluate("document.activeElement.id") == "id_login"
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).boxShadow"
    )
    assert outline.split()[0] != "none" or "rgb" in outline  # GOV.UK focus style is visible
    page.keyboard.type("alice@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # follow the first error link
    expect(page.locator("#id_login")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Welcome, Alice")).to_be_visible()

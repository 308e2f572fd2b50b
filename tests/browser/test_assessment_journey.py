"""A full cycle in Chromium: start, assign, answer with autosave, a conflict between two people,
errors, comments, submit, sign off, reopen and the next cycle carried over; axe on every page type."""

import pytest
from playwright.sync_api import expect

from assessment.models import Agency, Answer, Assessment, Role, Status
from tests.browser.axe import assert_accessible
from tests.browser.test_partnerships import sign_in
from tests.factories import make_framework, make_member, make_partnership, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def answer(page, code: str, option: str, evidence: str) -> None:
    section = page.locator(f"section#{code}")
    section.get_by_label(option, exact=True).check()
    section.get_by_label("How do you know?").fill(evidence)


def test_a_full_cycle(page, other_person, live_server):
    make_framework()
    partnership = make_partnership("Northdale Safeguarding Partnership")
    make_member(
        partnership,
        make_user("alice@example.org", "Alice Lead"),
        Role.LEAD,
        Agency.CHILDRENS_SOCIAL_CARE,
    )
    make_member(
        partnership, make_user("pat@example.org", "Pat Police"), Role.CONTRIBUTOR, Agency.POLICE
    )
    make_member(
        partnership, make_user("hana@example.org", "Hana Health"), Role.CONTRIBUTOR, Agency.HEALTH
    )
    make_member(
        partnership, make_user("sam@example.org", "Sam Scrutineer"), Role.SCRUTINEER, Agency.OTHER
    )

    # The lead starts the cycle and gives each theme to an agency.
    sign_in(page, live_server.url, "alice@example.org")
    page.get_by_role("button", name="Start a self-assessment").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Self-assessment 2025")
    for legend, (day, month, year) in [
        ("Start of the period assessed", ("1", "4", "2024")),
        ("End of the period assessed", ("31", "3", "2025")),
    ]:
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Start self-assessment").click()
    expect(page.get_by_role("heading", name="Self-assessment 2025")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Assign themes to agencies").click()
    assert_accessible(page)
    page.get_by_role("group", name="Theme AA").get_by_label("Police").check()
    page.get_by_role("group", name="Theme BB").get_by_label("Health").check()
    page.get_by_role("button", name="Save assignments").click()
    expect(page.get_by_text("Theme assignments saved")).to_be_visible()
    home = page.url

    # Police answers theme AA; autosave keeps the work without a click.
    police = other_person("pat@example.org")
    police.goto(home)
    police.get_by_role("link", name="1. Theme AA").click()
    assert_accessible(police)
    answer(police, "AA-01", "Good answer", "Audit of 20 cases in March 2025")
    expect(police.locator("#autosave-status")).to_contain_text("Saved automatically")
    assert Answer.objects.get(question__code="AA-01").evidence == "Audit of 20 cases in March 2025"

    # A mistake shows the error summary, focused, and keeps everything typed.
    section = police.locator("section#AA-03")
    section.get_by_label("Suspects without ethnicity").fill("12")
    section.get_by_label("All suspects").fill("10")
    police.get_by_role("button", name="Save as draft").click()
    expect(police.locator(".govuk-error-summary")).to_be_focused()
    expect(police.locator(".govuk-error-summary")).to_contain_text(
        "cannot be more than all suspects"
    )
    expect(
        police.locator("section#AA-03").get_by_label("Suspects without ethnicity")
    ).to_have_value("12")
    assert_accessible(police)
    police.locator("section#AA-03").get_by_label("Suspects without ethnicity").fill("3")
    police.locator("section#AA-03").get_by_label("How do you know?").fill("Crime system report")

    # The lead opens the same theme, then police saves AA-02 first: the lead's save conflicts.
    page.goto(home)
    page.get_by_role("link", name="1. Theme AA").click()
    answer(police, "AA-02", "Established answer", "Police view")
    police.get_by_role("button", name="Save as draft").click()
    expect(police.get_by_text("answers saved")).to_be_visible()
    page.evaluate(
        "document.getElementById('theme-form').removeAttribute('hx-post')"
    )  # no autosave: a stale page
    page.evaluate("htmx.process(document.body)")
    answer(page, "AA-02", "Developing answer", "Lead view")
    page.get_by_role("button", name="Save as draft").click()
    expect(
        page.get_by_role("heading", name="Someone else changed 1 answer while you were working")
    ).to_be_visible()
    expect(page.get_by_text("Police view")).to_be_visible()
    expect(page.get_by_text("Lead view")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Replace it with mine").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("answer saved")).to_be_visible()
    assert Answer.objects.get(question__code="AA-02").evidence == "Lead view"

    # Health answers its theme; the scrutineer comments on an answer.
    health = other_person("hana@example.org")
    health.goto(home)
    health.get_by_role("link", name="2. Theme BB").click()
    answer(health, "BB-01", "Good answer", "Health audit 2025")
    answer(health, "BB-02", "Good answer", "Safeguarding team records")
    health.get_by_role("button", name="Save and continue").click()
    expect(health.get_by_role("heading", name="Self-assessment 2025")).to_be_visible()

    scrutineer = other_person("sam@example.org")
    scrutineer.goto(home)
    scrutineer.get_by_role("link", name="1. Theme AA").click()
    assert_accessible(scrutineer)
    scrutineer.get_by_label("Add a comment on AA-01").fill("Which cases did the audit sample?")
    scrutineer.get_by_role("button", name="Add comment on AA-01").click()
    expect(scrutineer.get_by_text("Which cases did the audit sample?")).to_be_visible()

    # The lead finishes, checks, submits and signs off.
    page.goto(home)
    page.get_by_role("link", name="1. Theme AA").click()
    page.locator("section#AA-03").get_by_label("Suspects without ethnicity").fill("3")
    page.locator("section#AA-03").get_by_label("All suspects").fill("10")
    page.locator("section#AA-03").get_by_label("How do you know?").fill("Crime system report")
    page.get_by_role("button", name="Save and continue").click()
    page.goto(home)
    page.get_by_role("link", name="Check answers and submit").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review", exact=True)).to_be_visible()
    page.get_by_role("link", name="Sign off").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign off and lock").click()
    expect(page.get_by_text("Snapshot SHA-256")).to_be_visible()
    assert Assessment.objects.get().status == Status.SIGNED_OFF

    # Locked: the police contributor sees the theme read-only.
    police.goto(home)
    police.get_by_role("link", name="1. Theme AA").click()
    expect(police.get_by_text("This self-assessment is signed off and locked.")).to_be_visible()
    expect(police.locator("#theme-form")).to_have_count(0)

    # Reopen with a reason (an error first), then sign off again and start the next cycle.
    page.get_by_role("link", name="Reopen").click()
    page.get_by_role("button", name="Reopen self-assessment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the self-assessment is being reopened"
    )
    assert_accessible(page)
    page.get_by_label("Why are you reopening it?").fill(
        "The board asked for the police figures to be checked"
    )
    page.get_by_role("button", name="Reopen self-assessment").click()
    expect(page.get_by_text("Reopened. The signed-off version is kept")).to_be_visible()
    page.get_by_role("link", name="Activity").click()
    expect(page.get_by_text("The board asked for the police figures to be checked")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Start a self-assessment").click()
    page.get_by_label("Title").fill("Self-assessment 2026")
    for legend, (day, month, year) in [
        ("Start of the period assessed", ("1", "4", "2025")),
        ("End of the period assessed", ("31", "3", "2026")),
    ]:
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_label("Carry over from Self-assessment 2025").check()
    page.get_by_role("button", name="Start self-assessment").click()
    expect(page.get_by_text("Needs confirming").first).to_be_visible()
    page.get_by_role("link", name="1. Theme AA").click()
    expect(page.get_by_text("Carried over \N{EN DASH} confirm or change").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm all 3 carried-over answers in this theme").click()
    expect(page.get_by_text("3 carried-over answers confirmed")).to_be_visible()

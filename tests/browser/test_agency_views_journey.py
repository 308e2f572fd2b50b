"""One partnership answer from many agencies, in Chromium (issue 19's "done means"): theme AA
is given to police and health; each gives and submits a different view; health then reads
the police's; the lead compares them side by side, settles AA-01 from health's view with a
note (an empty note first); health records its dissent; the PDF shows how it was settled
and the dissent. Axe checks every new page on the way."""

import re

import pytest
from playwright.sync_api import Page, expect

from assessment.models import Agency, AgencyView, Answer, Dissent, Moderation, Role
from tests.browser import axe
from tests.browser.test_partnerships import sign_in
from tests.factories import (
    make_assessment,
    make_framework,
    make_member,
    make_partnership,
    make_user,
    share_theme,
)
from tests.test_pdf import read as read_pdf

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("immediate_tasks")]


def give_view(person: Page, home: str, agency: str, level: str, rate: tuple[str, str]) -> None:
    """On the shared theme's page, the person follows the link to their agency's view, answers
    every question and submits it."""
    person.goto(f"{home}themes/AA/")
    person.get_by_role("link", name=f"Your agency's view ({agency})").click()
    expect(person.get_by_text(f"{agency}'s view", exact=True)).to_be_visible()
    for code, choice in (("AA-01", level), ("AA-02", "Established answer")):
        section = person.locator(f"section#{code}")
        section.get_by_label(choice).check()
        section.get_by_label("How do you know?").fill(f"{agency}'s 2025 audit of 20 cases")
    section = person.locator("section#AA-03")
    section.get_by_label("Suspects without ethnicity").fill(rate[0])
    section.get_by_label("All suspects").fill(rate[1])
    for name, (day, month, year) in (
        ("Start of the period", ("1", "4", "2024")),
        ("End of the period", ("31", "3", "2025")),
    ):
        group = section.get_by_role("group", name=name)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    section.get_by_label("How do you know?").fill(f"{agency} figures for 2024 to 2025")
    person.get_by_role("button", name="Save and continue").click()
    expect(person.get_by_text("3 answers saved")).to_be_visible()
    axe.assert_accessible(person)
    person.get_by_role("button", name=f"Submit {agency}'s view of Theme AA").click()
    expect(person.get_by_text(f"{agency}'s view of Theme AA submitted")).to_be_visible()


def test_two_agencies_disagree_the_lead_settles_and_health_dissents(
    page, other_person, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
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
    assessment = make_assessment(partnership, title="Self-assessment 2025")
    share_theme(assessment, "AA", ["police", "health"])
    home = f"{live_server.url}/assessments/{assessment.code}/"

    police = other_person("pat@example.org")
    give_view(police, home, "Police", "Good answer", ("10", "100"))
    health = other_person("hana@example.org")
    # Not before health has submitted its own view.
    health.goto(f"{home}themes/AA/agencies/police/")
    expect(health.get_by_role("heading", name="You cannot do this")).to_be_visible()
    give_view(health, home, "Health", "Poor answer", ("40", "100"))
    # Both submitted: health now reads the police's view.
    health.goto(f"{home}themes/AA/")
    health.get_by_role("link", name="Police's view").click()
    expect(health.locator("section#AA-01")).to_contain_text("Good answer")
    axe.assert_accessible(health)

    # The task list shows both views submitted and what is left to moderate.
    sign_in(page, live_server.url, "alice@example.org")
    page.goto(home)
    expect(
        page.get_by_text(re.compile(r"2 disagreements to moderate · 0 of 3 moderated"))
    ).to_be_visible()
    axe.assert_accessible(page)

    # The lead compares the views side by side: AA-01 (good and poor) and AA-03 (10% and 40%).
    page.goto(f"{home}themes/AA/")
    page.get_by_role("link", name="Compare the views and settle the partnership answers").click()
    row = page.locator("tr#AA-01")
    expect(row).to_contain_text("Disagree")
    expect(row).to_contain_text("Levels two or more steps apart")
    expect(page.locator("tr#AA-03")).to_contain_text(
        re.compile("figures beyond the tolerance", re.I)
    )
    expect(page.locator("tr#AA-02")).not_to_contain_text("Disagree")
    axe.assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    axe.assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    # The lead settles AA-01, starting from health's view (an empty note first).
    row.get_by_role("link", name="Settle AA-01").click()
    page.get_by_role("link", name="Start from this view (Health)").click()
    expect(page.get_by_text("Started from Health's view")).to_be_visible()
    expect(page.get_by_label("Poor answer")).to_be_checked()
    axe.assert_accessible(page)
    page.get_by_label("Developing answer").check()
    page.get_by_role("button", name="Save the partnership answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("AA-01: enter a moderation note")
    expect(page.get_by_label("Developing answer")).to_be_checked()  # nothing typed is lost
    axe.assert_accessible(page)
    page.get_by_label("Moderation note").fill("after review of the 2025 audit")
    page.get_by_role("button", name="Save the partnership answer").click()
    expect(page.get_by_text("Partnership answer to AA-01 settled")).to_be_visible()
    expect(page.locator("tr#AA-01")).to_contain_text("Settled")
    assert Moderation.objects.get().started_from == "health"
    assert Answer.objects.get().agency == ""

    # Health does not accept it and records why (an empty dissent first).
    health.goto(f"{home}themes/AA/")
    health.get_by_role("link", name="Record your agency's dissent on AA-01").click()
    axe.assert_accessible(health)
    health.get_by_role("button", name="Record the dissent").click()
    expect(health.locator(".govuk-error-summary")).to_contain_text(
        "AA-01: enter why your agency disagrees"
    )
    axe.assert_accessible(health)
    health.get_by_label("Why does your agency disagree?").fill("Our audit found poor practice")
    health.get_by_role("button", name="Record the dissent").click()
    expect(health.get_by_text("Health's dissent on AA-01 recorded")).to_be_visible()
    assert Dissent.objects.get().agency == "health"
    assert AgencyView.objects.filter(agency="police").count() == 3

    # Results by agency, and the PDF shows the settlement and the dissent.
    page.goto(f"{home}results/agencies")
    expect(
        page.get_by_role("heading", name="Results by agency: Self-assessment 2025")
    ).to_be_visible()
    axe.assert_accessible(page)
    page.goto(f"{home}results")
    expect(page.get_by_text("Health dissents:")).to_be_visible()
    page.get_by_role("link", name=re.compile("Download the review report")).click()
    expect(page.get_by_role("heading", name="Your report is ready")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the review report (PDF)").click()
    words = " ".join(read_pdf(download.value.path().read_bytes())[1].split())
    assert (
        "Health: poor; Police: good; partnership: developing. Why: after review of the 2025 audit"
        in words
    )
    assert "Health dissents: Our audit found poor practice" in words

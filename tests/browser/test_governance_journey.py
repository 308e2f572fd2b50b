"""Scrutiny, sign-off and the action plan in Chromium, as one story (issue 16's "done means"):
the lead names the statutory partners' representatives; a scrutineer challenges AA-01; the police
contributor is emailed and responds; the scrutineer resolves it; the lead submits; two of the
three representatives approve and the third returns it; after a change all three approve; the
PDF board summary shows the resolved challenge; after sign-off the lead adds an action from a
gap and its police owner, emailed, updates it. Axe checks every new page on the way."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from assessment.models import Action, ActionStatus, Agency, Assessment, Role, Status
from tests.browser import axe
from tests.browser.test_partnerships import sign_in
from tests.factories import (
    found,
    make_assessment,
    make_framework,
    make_member,
    make_partnership,
    make_user,
)
from tests.test_pdf import read as read_pdf
from tests.views.test_results import answer_all

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("immediate_tasks")]

PARTNERSHIP = "Northdale Safeguarding Partnership"


def link_in_email(address: str, subject: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [address] and m.subject == subject)
    return found(r"https?://\S+", str(message.body)).group(0)


def approve(page: Page, sign_off_url: str) -> None:
    page.goto(sign_off_url)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Approved\."))).to_be_visible()


def test_challenge_approvals_return_sign_off_and_a_live_action_plan(
    page, other_person, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url  # the links in the emails lead to this server
    make_framework()
    partnership = make_partnership(PARTNERSHIP)
    alice = make_user("alice@example.org", "Alice Lead")
    make_member(partnership, alice, Role.LEAD, Agency.CHILDRENS_SOCIAL_CARE)
    for email, name, role, agency in (
        ("pat@example.org", "Pat Police", Role.CONTRIBUTOR, Agency.POLICE),
        ("hana@example.org", "Hana Health", Role.CONTRIBUTOR, Agency.HEALTH),
        ("sam@example.org", "Sam Scrutineer", Role.SCRUTINEER, Agency.OTHER),
    ):
        make_member(partnership, make_user(email, name), role, agency)
    assessment = make_assessment(partnership, title="Self-assessment 2025")
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor", "BB-01": "established"})
    home = f"{live_server.url}/assessments/{assessment.code}/"

    # The lead names one representative for each statutory partner in England.
    sign_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/partnerships/{partnership.code}/settings")
    page.get_by_label("Local authority representative").select_option(
        label="Alice Lead (Lead, Children's social care)"
    )
    page.get_by_label("Police representative").select_option(
        label="Pat Police (Contributor, Police)"
    )
    page.get_by_label("Integrated care board representative").select_option(
        label="Hana Health (Contributor, Health)"
    )
    axe.assert_accessible(page)
    page.get_by_role("button", name="Save representatives").click()
    expect(page.get_by_text("Statutory partners' representatives saved")).to_be_visible()

    # The scrutineer challenges AA-01 from its theme page (an empty challenge first).
    scrutineer = other_person("sam@example.org")
    scrutineer.goto(f"{home}themes/AA/")
    scrutineer.get_by_role("link", name="Raise a challenge on AA-01").click()
    expect(scrutineer.get_by_role("heading", name="Raise a challenge on AA-01")).to_be_visible()
    axe.assert_accessible(scrutineer)
    scrutineer.get_by_role("button", name="Raise challenge").click()
    expect(scrutineer.locator(".govuk-error-summary")).to_contain_text("Enter your challenge")
    axe.assert_accessible(scrutineer)
    scrutineer.get_by_label("Your challenge").fill("Which audit shows the profile is current?")
    scrutineer.get_by_role("button", name="Raise challenge").click()
    expect(scrutineer.get_by_role("heading", name="Challenge on AA-01")).to_be_visible()
    axe.assert_accessible(scrutineer)

    # The police contributor is emailed (AA-01 is a police question) and responds from the link.
    police = other_person("pat@example.org")
    police.goto(link_in_email("pat@example.org", "A challenge on AA-01 needs a response"))
    police.get_by_label("Your response").fill("The March 2025 audit of 40 cases")
    police.get_by_role("button", name="Send response").click()
    expect(police.get_by_text("Response sent")).to_be_visible()
    axe.assert_accessible(police)

    # The scrutineer is told, and resolves it.
    scrutineer.goto(link_in_email("sam@example.org", "A reply on the challenge on AA-01"))
    scrutineer.get_by_label("Yes, resolve the challenge").check()
    scrutineer.get_by_label("Note", exact=True).fill("The audit settles it")
    scrutineer.get_by_role("button", name="Save").click()
    expect(scrutineer.get_by_text("Challenge resolved")).to_be_visible()
    scrutineer.get_by_role("link", name="All challenges").click()
    expect(scrutineer.get_by_role("heading", name="Resolved (1)")).to_be_visible()
    axe.assert_accessible(scrutineer)

    # The lead submits; each representative is asked to approve.
    page.goto(f"{home}check")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review", exact=True)).to_be_visible()
    health = other_person("hana@example.org")
    sign_off_url = link_in_email(
        "hana@example.org", "Your approval is asked for: Self-assessment 2025"
    )

    # Two approve; the third returns it for changes (a missing reason first).
    page.goto(sign_off_url)
    expect(page.get_by_text("By approving, you confirm that")).to_be_visible()
    axe.assert_accessible(page)
    approve(page, sign_off_url)
    approve(police, sign_off_url)
    health.goto(sign_off_url)
    expect(health.get_by_text("Waiting for approval from: integrated care board.")).to_be_visible()
    health.get_by_role("button", name="Return for changes").click()
    expect(health.locator(".govuk-error-summary")).to_contain_text(
        "Enter what needs to change before you can approve it"
    )
    axe.assert_accessible(health)
    health.get_by_label("What needs to change?").fill("AA-02 needs this year's health figures")
    health.get_by_role("button", name="Return for changes").click()
    expect(health.get_by_text("Returned for changes")).to_be_visible()
    assert Assessment.objects.get().status == Status.DRAFT

    # The lead makes the change and submits again; this time all three approve.
    page.goto(f"{home}themes/AA/")
    page.locator("section#AA-02").get_by_label("How do you know?").fill(
        "Health figures for 2024 to 2025, checked by the designated nurse"
    )
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("1 answer saved")).to_be_visible()
    page.goto(f"{home}check")
    page.get_by_role("button", name="Submit for review").click()
    for person in (page, police):
        approve(person, sign_off_url)
    # The last approval signs it off; tasks run inside the request in this test, so the stored
    # report is rendered before the page answers (a worker does it in production).
    health.set_default_timeout(60_000)
    approve(health, sign_off_url)
    expect(health.get_by_role("heading", name="Self-assessment signed off")).to_be_visible()
    axe.assert_accessible(health)
    assert Assessment.objects.get().status == Status.SIGNED_OFF

    # The PDF board summary shows the resolved challenge with its response.
    page.goto(f"{home}results")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the review report (PDF)").click()
    words = " ".join(read_pdf(download.value.path().read_bytes())[1].split())
    assert "Resolved challenge on AA-01" in words
    assert "The March 2025 audit of 40 cases" in words and "The audit settles it" in words
    assert "for police by Pat Police" in words

    # After sign-off the plan is live: the lead adds an action from the gap, owned by the police.
    page.get_by_role("link", name="Add an action for AA-02").first.click()
    expect(page.get_by_role("heading", name="Add an action for AA-02")).to_be_visible()
    page.get_by_label("What will be done").fill("Refresh the health figures every quarter")
    page.get_by_label("Named owner").select_option(label="Pat Police (Police)")
    group = page.get_by_role("group", name="Due date")
    group.get_by_label("Day").fill("27")
    group.get_by_label("Month").fill("9")
    group.get_by_label("Year").fill("2026")
    axe.assert_accessible(page)
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Action added to the plan")).to_be_visible()
    axe.assert_accessible(page)

    # Its owner is emailed and records progress.
    police.goto(link_in_email("pat@example.org", "An action is assigned to you"))
    police.get_by_role("button", name="Update this action").click()
    police.get_by_label("In progress").check()
    police.get_by_label("Progress note").fill("First quarter's figures collected")
    axe.assert_accessible(police)
    police.get_by_role("button", name="Save progress").click()
    expect(police.get_by_text("Action updated")).to_be_visible()
    action = Action.objects.get()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.owner is not None and action.owner.email == "pat@example.org"
    assert action.notes.get().text == "First quarter's figures collected"

    # Each person chooses which emails they get.
    police.goto(f"{live_server.url}/notifications/settings")
    axe.assert_accessible(police)
    police.get_by_label("Send the emails ticked above once a week").check()
    police.get_by_role("button", name="Save choices").click()
    expect(police.get_by_text("Your email choices are saved")).to_be_visible()

"""A lead records a response to a recommendation, a contributor of the lead agency updates its
status, and the lead publishes the response; every page checked with axe."""

import pytest
from playwright.sync_api import expect

from assessment.models import Agency, PublishedResponse, RecommendationResponse, Role
from tests.browser.axe import assert_accessible
from tests.browser.test_partnerships import sign_in
from tests.factories import (
    make_framework,
    make_member,
    make_partnership,
    make_recommendation_set,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lead_records_a_contributor_updates_and_the_lead_publishes(
    page, other_person, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_framework()
    make_recommendation_set()
    ours = make_partnership("Northdale Safeguarding Partnership")
    make_member(ours, make_user("alice@example.org", "Alice Lead"), Role.LEAD)
    make_member(ours, make_user("dana@example.org", "Dana Police"), Role.CONTRIBUTOR, Agency.POLICE)

    sign_in(page, live_server.url, "alice@example.org")
    page.get_by_role("link", name="Our response to the recommendations (register)").click()
    expect(page.get_by_role("heading", name="Recommendations register")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record a response to 1 Profile every year").click()
    # Not accepted without a reason: an error summary, and the response typed is kept.
    page.get_by_label("Our response").fill("We refresh the profile every spring with partner data.")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Lead agency").select_option("police")
    page.get_by_label("Owner's role").fill("Detective inspector, exploitation team")
    page.get_by_role("radio", name="Not accepted").check()
    page.get_by_role("button", name="Save response").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.get_by_label("Our response")).to_have_value(
        "We refresh the profile every spring with partner data."
    )
    assert_accessible(page)
    page.get_by_role("radio", name="Not started").check()
    page.get_by_role("button", name="Save response").click()
    expect(page.get_by_text("Response saved")).to_be_visible()

    page.get_by_label("Day").fill("30")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("2027")
    page.get_by_label("What will be done by then").fill("Partner data in the profile")
    page.get_by_role("button", name="Add milestone").click()
    expect(page.get_by_text("Milestone added")).to_be_visible()
    assert_accessible(page)

    # The police contributor updates the status of the entry their agency leads.
    dana = other_person("dana@example.org")
    dana.goto(f"{live_server.url}/partnerships/{ours.code}/recommendations/")
    dana.get_by_role("link", name="1: Profile every year").click()
    dana.get_by_role("button", name="Update the status").click()
    assert_accessible(dana)
    dana.get_by_role("radio", name="In progress").check()
    dana.get_by_role("button", name="Save progress").click()
    expect(dana.get_by_text("Progress saved")).to_be_visible()
    expect(dana.get_by_role("cell", name="Dana Police")).to_be_visible()  # the history
    assert RecommendationResponse.objects.get().status == "in_progress"

    # The lead publishes.
    page.goto(f"{live_server.url}/partnerships/{ours.code}/recommendations/")
    page.get_by_role("button", name="Publish our response").click()
    assert_accessible(page)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text("Version 1 published")).to_be_visible()
    expect(page.get_by_text("approved on 1 November 2026")).to_be_visible()
    expect(page.get_by_text("Detective inspector, exploitation team")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this version as a PDF").click()
    assert download.value.suggested_filename == "our-response-to-the-recommendations-v1.pdf"
    assert PublishedResponse.objects.get().version == 1

"""The public page of a published response, read by someone who is not signed in, checked with
axe at desktop width and at 320 px; and a scrutineer challenging a register entry."""

from datetime import date

import pytest
from playwright.sync_api import expect

from assessment import register
from assessment.models import Agency, Challenge, Role
from tests.browser.axe import assert_accessible
from tests.browser.test_partnerships import sign_in
from tests.factories import (
    make_assessment,
    make_framework,
    make_member,
    make_partnership,
    make_recommendation_set,
    make_user,
)
from tests.views.test_register import make_entry

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_public_response_reads_without_signing_in_and_is_accessible(
    page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ours = make_partnership("Northdale Safeguarding Partnership")
    lead = make_user("alice@example.org", "Alice Lead")
    make_member(ours, lead, Role.LEAD)
    entry = make_entry(
        ours,
        make_recommendation_set().recommendations.get(number="1"),
        response="We refresh the profile every spring with partner data.",
        owner_role="Detective inspector, exploitation team",
    )
    register.publish(partnership=ours, user=lead, approved_on=date(2026, 1, 15), show_names=False)
    entry.status = "in_progress"
    entry.save()
    register.publish(partnership=ours, user=lead, approved_on=date(2026, 3, 1), show_names=False)

    page.goto(f"{live_server.url}/responses/{ours.code}/")
    expect(page.get_by_role("heading", name="Our response to the recommendations")).to_be_visible()
    expect(page.get_by_text("Version 2, approved on 1 March 2026")).to_be_visible()
    expect(page.get_by_text("Sign in", exact=False).first).to_be_visible()  # nobody signed in
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)

    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page.get_by_text("This is an earlier version")).to_be_visible()
    expect(page.get_by_text("Not started")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download version 1 as a PDF").click()
    assert download.value.suggested_filename == "our-response-to-the-recommendations-v1.pdf"


def test_a_scrutineer_challenges_a_register_entry(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_framework()
    ours = make_partnership("Northdale Safeguarding Partnership")
    make_member(ours, make_user("sam@example.org", "Sam Scrutineer"), Role.SCRUTINEER, Agency.OTHER)
    cycle = make_assessment(ours)
    entry = make_entry(ours, make_recommendation_set().recommendations.get(number="1"))

    sign_in(page, live_server.url, "sam@example.org")
    page.goto(f"{live_server.url}/partnerships/{ours.code}/recommendations/{entry.code}/")
    page.get_by_role("link", name="Challenge this response").click()
    assert_accessible(page)
    page.get_by_role("textbox").fill("Where is the refreshed problem profile?")
    page.get_by_role("button", name="Raise challenge").click()
    expect(page.get_by_text("Challenge raised on the register entry 1")).to_be_visible()
    assert_accessible(page)
    assert Challenge.objects.get().assessment == cycle

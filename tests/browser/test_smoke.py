"""A person signs in with a real browser; every page on the way passes axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_and_see_the_home_page(page, live_server):
    make_user("alice@example.org", "Alice Lead")
    page.goto(f"{live_server.url}/")
    assert_accessible(page)  # the start page
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Alice")).to_be_visible()
    assert_accessible(page)


def test_a_failed_sign_in_shows_an_accessible_error_summary(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_login")).to_be_focused()


def test_the_skip_link_moves_focus_to_the_main_content(page, live_server):
    page.goto(f"{live_server.url}/accessibility")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert_accessible(page)


def test_account_pages_are_accessible(page, live_server):
    make_user("alice@example.org", "Alice Lead")
    page.goto(f"{live_server.url}/accounts/password/reset/")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("alice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for path in [
        "/account",
        "/accounts/2fa/",
        "/accounts/password/change/",
        "/accounts/logout/",
        "/partnerships/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)


def test_the_accessibility_check_fails_a_page_with_a_violation(page, live_server):
    # The check asks axe for violations only; this shows that it still reports them, by rule.
    page.set_content(
        "<!doctype html><html lang='en'><head><title>Broken</title></head>"
        "<body><main><h1>Broken</h1><input type='text' name='unlabelled'></main></body></html>"
    )
    with pytest.raises(AssertionError, match=r"label \(critical\)"):
        assert_accessible(page)

"""Two-factor authentication in Chromium: set up an authenticator app, recovery codes, sign in
with a code, confirm access again and turn it off; axe checks every page on the way."""

import re
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.test_partnerships import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def current_code(secret: str) -> str:
    """What an authenticator app shows now: the middle of the window allauth accepts."""
    window = list(counters())
    return format_hotp_value(hotp_value(secret, window[len(window) // 2]))


def wrong_code(secret: str) -> str:
    """A code that is certainly not accepted: none of the window's codes."""
    accepted = {format_hotp_value(hotp_value(secret, c)) for c in counters()}
    return next(code for code in ("000000", "111111", "222222") if code not in accepted)


def recovery_codes(page: Page) -> list[str]:
    return page.get_by_role("list", name="Unused codes").get_by_role("listitem").all_inner_texts()


def heading(page: Page, name: str):
    # exact: Playwright matches names ignoring case otherwise, and the point is sentence case.
    return page.get_by_role("heading", name=name, exact=True)


def button(page: Page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def test_set_up_use_and_turn_off_two_factor_authentication(page, live_server, settings):
    # Accept the codes of the time steps either side of now, as for a phone whose clock is a
    # little off: a code worked out just before a step ends must not fail the test.
    settings.MFA_TOTP_TOLERANCE = 1
    make_user("alice@example.org", "Alice Lead")
    sign_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(heading(page, "Two-factor authentication")).to_be_visible()
    expect(page.get_by_text("You have not set up an authenticator app.")).to_be_visible()
    button(page, "Set up an authenticator app").click()

    # A change to sign-in needs the password again first. Nothing the keyboard reaches sits
    # between the password's label and its box; the reset link comes after the form.
    expect(heading(page, "Confirm it is you")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Password").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.closest('form') === null")
    expect(page.get_by_role("link", name="Forgotten your password?")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    button(page, "Continue").click()

    # The QR code is described, and the secret key is text anyone can read and copy.
    expect(heading(page, "Set up an authenticator app")).to_be_visible()
    assert_accessible(page)
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    secret = page.locator("#authenticator-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Authenticator code").fill(wrong_code(secret))
    button(page, "Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The code is not correct. Enter the 6-digit code from your authenticator app"
    )
    # The summary is at the top of the main content, before the h1.
    expect(page.locator(".govuk-error-summary ~ h1")).to_have_text("Set up an authenticator app")
    expect(page).to_have_title(re.compile("^Error: Set up an authenticator app \N{EN DASH} "))
    assert_accessible(page)
    page.get_by_label("Authenticator code").fill(current_code(secret))
    button(page, "Continue").click()

    # Activation shows the recovery codes as a list; the download holds the same codes; new
    # ones replace them all.
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()
    expect(heading(page, "Your recovery codes")).to_be_visible()
    first_codes = recovery_codes(page)
    assert len(first_codes) == 10
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your recovery codes (text file)").click()
    assert Path(download.value.path()).read_text().split() == first_codes
    button(page, "Generate new recovery codes").click()
    expect(heading(page, "Generate new recovery codes")).to_be_visible()
    expect(page.get_by_text("Your current recovery codes will stop working.")).to_be_visible()
    assert_accessible(page)
    button(page, "Generate new codes").click()
    expect(page.get_by_text("A new set of recovery codes has been generated.")).to_be_visible()
    codes = recovery_codes(page)
    assert len(codes) == 10 and not set(codes) & set(first_codes)

    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(page.get_by_text("You sign in with a code from your authenticator app.")).to_be_visible()
    expect(page.get_by_text("There are 10 out of 10 recovery codes available.")).to_be_visible()
    assert_accessible(page)

    # Signing in now asks for a code after the password; a wrong one is refused.
    page.goto(f"{live_server.url}/accounts/logout/")
    expect(heading(page, "Sign out")).to_be_visible()
    button(page, "Sign out").click()
    sign_in(page, live_server.url, "alice@example.org")
    expect(heading(page, "Enter a security code")).to_be_visible()
    expect(page).to_have_title(re.compile("^Sign in \N{EN DASH} "))
    assert_accessible(page)
    page.get_by_label("Code").fill(wrong_code(secret))
    button(page, "Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The code is not correct. Enter the 6-digit code from your authenticator app, "
        "or one of your recovery codes"
    )
    expect(page.locator(".govuk-error-summary ~ h1")).to_have_text("Enter a security code")
    assert_accessible(page)
    page.get_by_label("Code").fill(current_code(secret))
    button(page, "Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Alice")).to_be_visible()

    # Turning it off needs access confirmed again: here with a recovery code instead of the
    # password (the app's code just used cannot be used twice).
    page.goto(f"{live_server.url}/accounts/2fa/")
    button(page, "Turn off authenticator app").click()
    expect(heading(page, "Confirm it is you")).to_be_visible()
    page.get_by_role(
        "link", name="Use a code from your authenticator app or a recovery code"
    ).click()
    expect(heading(page, "Confirm it is you")).to_be_visible()
    expect(page.get_by_text("or one of your recovery codes.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code").fill(codes[0])
    button(page, "Continue").click()

    expect(heading(page, "Turn off your authenticator app")).to_be_visible()
    assert_accessible(page)
    button(page, "Turn off authenticator app").click()
    expect(page.get_by_text("Authenticator app deactivated.")).to_be_visible()
    expect(page.get_by_text("You have not set up an authenticator app.")).to_be_visible()

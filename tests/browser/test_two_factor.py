"""Two-factor authentication in Chromium: set up an authenticator app, recovery codes, sign in
with a code, confirm access again and turn it off; axe checks every page on the way."""

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
    return page.get_by_label("Unused codes").input_value().split()


def test_set_up_use_and_turn_off_two_factor_authentication(page, live_server, settings):
    # Accept the codes of the time steps either side of now, as for a phone whose clock is a
    # little off: a code worked out just before a step ends must not fail the test.
    settings.MFA_TOTP_TOLERANCE = 1
    make_user("alice@example.org", "Alice Lead")
    sign_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(page.get_by_text("An authenticator app is not active.")).to_be_visible()
    page.get_by_role("button", name="Activate").click()

    # A change to sign-in needs the password again first.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    assert_accessible(page)
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(wrong_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Incorrect code.")
    assert_accessible(page)
    page.get_by_label("Authenticator code").fill(current_code(secret))
    page.get_by_role("button", name="Activate").click()

    # Activation shows the recovery codes; new ones replace them all.
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    first_codes = recovery_codes(page)
    assert len(first_codes) == 10
    assert_accessible(page)
    page.get_by_role("button", name="Generate new codes").click()
    expect(page.get_by_text("This action will invalidate your existing codes.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("A new set of recovery codes has been generated.")).to_be_visible()
    codes = recovery_codes(page)
    assert len(codes) == 10 and not set(codes) & set(first_codes)

    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(page.get_by_text("Authentication using an authenticator app is active.")).to_be_visible()
    expect(page.get_by_text("There are 10 out of 10 recovery codes available.")).to_be_visible()
    assert_accessible(page)

    # Signing in now asks for a code after the password; a wrong one is refused.
    page.goto(f"{live_server.url}/accounts/logout/")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server.url, "alice@example.org")
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code").fill(wrong_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Incorrect code.")
    assert_accessible(page)
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Alice")).to_be_visible()

    # Turning it off needs access confirmed again: here with a recovery code instead of the
    # password (the app's code just used cannot be used twice).
    page.goto(f"{live_server.url}/accounts/2fa/")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_role("button", name="Use authenticator app or code").click()
    expect(page.get_by_text("Enter an authenticator code:")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Deactivate Authenticator App")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Authenticator app deactivated.")).to_be_visible()
    expect(page.get_by_text("An authenticator app is not active.")).to_be_visible()

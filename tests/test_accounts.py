"""Signing in and out, password reset, throttling, two-factor authentication, closed sign-up."""

import re
import time

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, hotp_value
from django.core import mail

from tests.factories import PASSWORD, found, make_user

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_the_login_page_is_styled_and_offers_no_sign_up(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in html
    assert "govuk-input" in html
    assert "govuk-button" in html
    assert "Forgotten your password?" in html
    assert "/accounts/signup/" not in html


def test_it_signs_in_with_email_and_password(client, alice):
    response = sign_in(client, "alice@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "Northdale Safeguarding Partnership" in client.get("/", follow=True).content.decode()


def test_email_is_case_insensitive(client, alice):
    response = sign_in(client, "Alice@Example.ORG")
    assert response.status_code == 302


def test_a_wrong_password_shows_a_gov_uk_error_and_keeps_the_email(client, alice):
    response = sign_in(client, "alice@example.org", "wrong password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "There is a problem" in html
    assert 'value="alice@example.org"' in html
    assert "<title>Error: Sign in" in html


def test_an_empty_form_names_each_missing_field(client):
    html = client.post("/accounts/login/", {"login": "", "password": ""}).content.decode()
    assert html.count("govuk-error-message") == 2
    assert 'href="#id_login"' in html
    assert 'href="#id_password"' in html


def test_it_signs_out_with_a_post(client, alice):
    client.force_login(alice)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert "govuk-button" in page.content.decode()
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_signing_in_changes_the_session_key(client, alice):
    client.get("/accounts/login/")
    before = client.session.session_key
    sign_in(client, "alice@example.org")
    assert client.session.session_key != before


def test_repeated_failures_are_throttled(client, alice):
    for _ in range(5):
        sign_in(client, "alice@example.org", "wrong password")
    response = sign_in(client, "alice@example.org")  # even the right password is refused now
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert (
        "Too many failed sign-in attempts. Wait 5 minutes, then try again"
        in response.content.decode()
    )


def test_sign_up_is_closed(client):
    response = client.get("/accounts/signup/")
    assert "You need an invitation" in response.content.decode()
    client.post(
        "/accounts/signup/",
        {"email": "mallory@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    from assessment.models import User

    assert not User.objects.filter(email="mallory@example.org").exists()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = found(
        r"http://testserver(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body)
    ).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a brand new long passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new_password)


def test_password_reset_for_an_unknown_email_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    # The same answer as for a real account, and no email to an address we do not know.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []


def test_passwords_are_hashed_with_argon2(db, settings):
    import assessment.settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS  # undo the tests' fast hashing
    user = make_user("argon@example.org")
    assert user.password.startswith("argon2")


def test_two_factor_authentication_asks_for_a_code(client, alice):
    client.force_login(alice)
    # Setting up two-factor authentication asks for the password again first.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert alice.authenticator_set.filter(type="totp").exists()
    client.logout()

    response = sign_in(client, "alice@example.org")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "govuk-error-summary" in wrong.content.decode()
    assert "_auth_user_id" not in client.session


# The two-factor and "confirm it is you" pages: allauth's page templates rewritten in plain
# English, with the GOV.UK error summary, secret key, QR code and password patterns.

QR_ALT = "QR code to scan with your authenticator app"


def confirm_access(client, user) -> None:
    """Signed in, and access confirmed with the password, as changing two-factor needs."""
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})


def turn_on_two_factor(user) -> None:
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(user)


def h1(html: str) -> str:
    return found(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


def title(html: str) -> str:
    return found(r"<title>(.*?)</title>", html, re.S).group(1).split(" \N{EN DASH} ")[0]


TITLE_CASE = (
    "Two-Factor Authentication",
    "Activate Authenticator App",
    "Deactivate Authenticator App",
    "Authenticator App",
    "Recovery Codes",
    "Confirm Access",
    "Sign In",
    "Sign Out",
    "Alternative options",
    "Please reauthenticate",
    "Are you sure?",
)


@pytest.mark.parametrize(
    "url, heading",
    [
        ("/accounts/2fa/", "Two-factor authentication"),
        ("/accounts/2fa/totp/activate/", "Set up an authenticator app"),
        ("/accounts/reauthenticate/", "Confirm it is you"),
        ("/accounts/logout/", "Sign out"),
    ],
)
def test_two_factor_pages_speak_in_sentence_case(client, alice, url, heading):
    confirm_access(client, alice)
    html = client.get(url).content.decode()
    assert h1(html) == heading
    assert title(html) == heading
    for words in TITLE_CASE:
        assert words not in html


@pytest.mark.parametrize(
    "url, heading",
    [
        ("/accounts/2fa/", "Two-factor authentication"),
        ("/accounts/2fa/recovery-codes/", "Your recovery codes"),
        ("/accounts/2fa/recovery-codes/generate/", "Generate new recovery codes"),
        ("/accounts/2fa/totp/deactivate/", "Turn off your authenticator app"),
        ("/accounts/2fa/reauthenticate/", "Confirm it is you"),
    ],
)
def test_pages_with_two_factor_on_speak_in_sentence_case(client, alice, url, heading):
    turn_on_two_factor(alice)
    confirm_access(client, alice)
    html = client.get(url).content.decode()
    assert h1(html) == heading
    assert title(html) == heading
    for words in TITLE_CASE:
        assert words not in html


def test_the_sign_in_code_page_speaks_in_sentence_case(client, alice):
    turn_on_two_factor(alice)
    sign_in(client, "alice@example.org")
    html = client.get("/accounts/2fa/authenticate/").content.decode()
    assert h1(html) == "Enter a security code"
    assert title(html) == "Sign in"
    assert ">Sign in</button>" in html
    for words in TITLE_CASE:
        assert words not in html


def assert_error_summary_before_h1(html: str, title_words: str) -> None:
    assert html.count('class="govuk-error-summary"') == 1
    assert html.index('class="govuk-error-summary"') < html.index("<h1")
    assert f"<title>Error: {title_words} \N{EN DASH} " in html


def test_the_set_up_page_puts_the_error_summary_before_the_h1(client, alice):
    confirm_access(client, alice)
    client.get("/accounts/2fa/totp/activate/")
    html = client.post("/accounts/2fa/totp/activate/", {"code": "000000"}).content.decode()
    assert_error_summary_before_h1(html, "Set up an authenticator app")
    assert f'<a href="#id_code">{APP_CODE_ERROR}</a>' in html


def test_the_confirm_it_is_you_page_puts_the_error_summary_before_the_h1(client, alice):
    client.force_login(alice)
    html = client.post("/accounts/reauthenticate/", {"password": "wrong"}).content.decode()
    assert_error_summary_before_h1(html, "Confirm it is you")


def test_the_code_confirm_it_is_you_page_puts_the_error_summary_before_the_h1(client, alice):
    turn_on_two_factor(alice)
    client.force_login(alice)
    html = client.post("/accounts/2fa/reauthenticate/", {"code": "000000"}).content.decode()
    assert_error_summary_before_h1(html, "Confirm it is you")


def test_the_sign_in_code_page_puts_the_error_summary_before_the_h1(client, alice):
    turn_on_two_factor(alice)
    sign_in(client, "alice@example.org")
    html = client.post("/accounts/2fa/authenticate/", {"code": "000000"}).content.decode()
    assert_error_summary_before_h1(html, "Sign in")


def test_the_sign_in_page_puts_the_error_summary_before_the_h1(client, alice):
    html = sign_in(client, "alice@example.org", "wrong password").content.decode()
    assert_error_summary_before_h1(html, "Sign in")


def test_the_secret_key_is_text_not_a_disabled_box(client, alice):
    confirm_access(client, alice)
    page = client.get("/accounts/2fa/totp/activate/")
    html = page.content.decode()
    secret = page.context["form"].secret
    assert "disabled" not in html
    assert not [tag for tag in re.findall(r"<input[^>]*>", html) if secret in tag]
    assert re.search(rf'<p class="govuk-body[^"]*" id="authenticator-secret">{secret}</p>', html)


def test_the_qr_code_has_meaningful_alt_text_and_the_secret_key_follows_it(client, alice):
    confirm_access(client, alice)
    page = client.get("/accounts/2fa/totp/activate/")
    html = page.content.decode()
    secret = page.context["form"].secret
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 1
    assert f'alt="{QR_ALT}"' in images[0]
    assert secret not in images[0].split(" alt=")[1]
    assert html.index(images[0]) < html.index(secret) < html.index("<form")


@pytest.mark.parametrize(
    "url, box",
    [
        ("/accounts/login/", "id_password"),
        ("/accounts/reauthenticate/", "id_password"),
        ("/accounts/password/change/", "id_oldpassword"),
    ],
)
def test_nothing_comes_between_the_password_label_and_its_box(client, alice, url, box):
    if url != "/accounts/login/":
        client.force_login(alice)
    html = client.get(url).content.decode()
    label = html.index(f'<label for="{box}"')
    between = html[label : html.index(f'id="{box}"', label)]
    assert "<a " not in between
    assert "govuk-hint" not in between
    assert "aria-describedby" not in between
    # The way to reset the password comes after the form instead.
    assert html.index("</form>") < html.index('href="/accounts/password/reset/"')


def test_the_recovery_codes_are_a_list_with_a_clear_download_link(client, alice):
    turn_on_two_factor(alice)
    confirm_access(client, alice)
    page = client.get("/accounts/2fa/recovery-codes/")
    html = page.content.decode()
    codes = page.context["unused_codes"]
    assert len(codes) == 10
    assert "<textarea" not in html
    listed = found(r'<ul [^>]*aria-labelledby="unused-codes">(.*?)</ul>', html, re.S)
    assert re.findall(r"<li>(.*?)</li>", listed.group(1)) == codes
    assert '<h2 class="govuk-heading-m" id="unused-codes">Unused codes</h2>' in html
    assert re.search(
        r'<a class="govuk-link" href="/accounts/2fa/recovery-codes/download/"[^>]*>'
        r"Download your recovery codes \(text file\)</a>",
        html,
    )


# allauth's own wording on its forms, put into GOV.UK style in assessment/accounts.py.

APP_CODE_ERROR = "The code is not correct. Enter the 6-digit code from your authenticator app"
ANY_CODE_ERROR = f"{APP_CODE_ERROR}, or one of your recovery codes"


def reset_password_link(client, email: str) -> str:
    client.post("/accounts/password/reset/", {"email": email})
    return found(
        r"http://testserver(/accounts/password/reset/key/\S+)", str(mail.outbox[-1].body)
    ).group(1)


def open_allauth_page(client, user, page: str) -> str:
    """The HTML of one of the allauth pages the service uses, set up as a person reaches it."""
    if page in ("sign in code", "code confirm it is you"):
        turn_on_two_factor(user)
    if page == "sign in code":
        sign_in(client, user.email)
    elif page not in ("sign in", "reset password", "set new password"):
        confirm_access(client, user)
    url = {
        "sign in": "/accounts/login/",
        "confirm it is you": "/accounts/reauthenticate/",
        "change password": "/accounts/password/change/",
        "reset password": "/accounts/password/reset/",
        "set new password": None,
        "set up authenticator app": "/accounts/2fa/totp/activate/",
        "sign in code": "/accounts/2fa/authenticate/",
        "code confirm it is you": "/accounts/2fa/reauthenticate/",
    }[page] or reset_password_link(client, user.email)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "page",
    [
        "sign in",
        "confirm it is you",
        "change password",
        "reset password",
        "set new password",
        "set up authenticator app",
        "sign in code",
        "code confirm it is you",
    ],
)
def test_no_box_has_placeholder_text_or_the_browsers_required_check(client, alice, page):
    html = open_allauth_page(client, alice, page)
    assert re.search(r'<input [^>]*class="govuk-input', html)
    assert "placeholder" not in html
    assert not re.search(r"<input [^>]*\brequired\b", html)  # our error summary says it


def test_an_empty_code_says_what_to_enter(client, alice):
    open_allauth_page(client, alice, "set up authenticator app")
    response = client.post("/accounts/2fa/totp/activate/", {"code": ""})
    assert response.context["form"].errors["code"] == ["Enter the code from your authenticator app"]


@pytest.mark.parametrize(
    "page, labels",
    [
        ("change password", ["Current password", "New password", "Confirm new password"]),
        ("set new password", ["New password", "Confirm new password"]),
    ],
)
def test_password_labels_are_in_sentence_case(client, alice, page, labels):
    html = open_allauth_page(client, alice, page)
    found = [label.strip() for label in re.findall(r"<label [^>]*>(.*?)</label>", html, re.S)]
    assert found == labels
    for words in ("Current Password", "New Password", "(again)"):
        assert words not in html


def test_a_wrong_code_when_setting_up_says_what_to_enter(client, alice):
    open_allauth_page(client, alice, "set up authenticator app")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.context["form"].errors["code"] == [APP_CODE_ERROR]
    assert "Incorrect code" not in response.content.decode()


@pytest.mark.parametrize(
    "page, url",
    [
        ("sign in code", "/accounts/2fa/authenticate/"),
        ("code confirm it is you", "/accounts/2fa/reauthenticate/"),
    ],
)
def test_a_wrong_code_says_what_to_enter(client, alice, page, url):
    open_allauth_page(client, alice, page)
    response = client.post(url, {"code": "000000"})
    html = response.content.decode()
    assert response.context["form"].errors["code"] == [ANY_CODE_ERROR]
    assert f'<a href="#id_code">{ANY_CODE_ERROR}</a>' in html
    assert "Incorrect code" not in html


def test_setting_a_first_password_is_in_sentence_case(client, alice):
    alice.set_unusable_password()
    alice.save()
    client.force_login(alice)
    html = " ".join(client.get("/accounts/password/set/").content.decode().split())
    assert '<h1 class="govuk-heading-l">Set your password</h1>' in html
    assert "> New password <" in html and "> Confirm new password <" in html
    assert "placeholder" not in html and "Set Password" not in html and "(again)" not in html

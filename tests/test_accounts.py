"""Signing in and out, password reset, throttling, two-factor authentication, closed sign-up."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.core import mail

from tests.factories import PASSWORD, make_user

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
    assert client.get("/").status_code == 302


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
    assert "Too many failed login attempts" in response.content.decode()


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
    link = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body
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

"""The findings of the security review (issue 21), each replayed against the service.

Every test here failed before its fix. Imports (the duplicate-key check and authorship) are
tested with the import code.
"""

import pytest
from allauth.mfa.models import Authenticator

from tests.factories import PASSWORD, complete_two_factor, make_user

pytestmark = pytest.mark.django_db


# High: the admin sign-in skipped two-factor authentication and login throttling ------------


@pytest.fixture
def staff(db):
    return make_user("staff@example.org", "Sam Staff", is_staff=True, is_superuser=True)


def test_the_admin_password_form_no_longer_signs_anyone_in(client, staff):
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_admin_sign_in_is_the_services_sign_in(client, staff):
    response = client.get("/admin/login/?next=/admin/assessment/partnership/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fassessment%2Fpartnership%2F"


def test_staff_without_two_factor_are_sent_to_set_it_up(client, staff):
    client.force_login(staff)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/2fa/"
    assert "Staff accounts must use two-factor authentication" in response.content.decode()


def test_staff_with_a_device_but_no_code_this_session_must_enter_one(client, staff):
    Authenticator.objects.create(user=staff, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(staff)  # a password alone, as the admin form allowed
    response = client.get(client.get("/admin/assessment/partnership/")["Location"])
    assert response["Location"] == (
        "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fassessment%2Fpartnership%2F"
    )


def test_staff_who_entered_a_code_this_session_reach_the_admin(client, staff):
    complete_two_factor(client, staff)
    assert client.get("/admin/assessment/partnership/").status_code == 200


def test_admin_sign_in_is_throttled(client, staff):
    for _ in range(6):
        client.post("/accounts/login/", {"login": staff.email, "password": "wrong password"})
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed" in response.content.decode()


@pytest.fixture
def guarded(partnership_a, alice):
    partnership_a.requires_two_factor = True
    partnership_a.save()
    return partnership_a


def test_a_device_alone_does_not_open_a_partnership_that_requires_two_factor(
    client, guarded, alice
):
    Authenticator.objects.create(user=alice, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(alice)
    response = client.get(f"/partnerships/{guarded.code}/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/accounts/2fa/reauthenticate/?next=%2Fpartnerships%2F{guarded.code}%2F"
    )
    # and the requirement cannot be switched off by someone past the password only
    client.post(f"/partnerships/{guarded.code}/settings", {})
    guarded.refresh_from_db()
    assert guarded.requires_two_factor


def test_a_code_entered_this_session_opens_it(client, guarded, alice):
    complete_two_factor(client, alice)
    assert client.get(f"/partnerships/{guarded.code}/").status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth records the new device once it is committed
def test_setting_up_an_authenticator_counts_as_this_sessions_code(client, guarded, alice):
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    client.force_login(alice)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert Authenticator.objects.filter(user=alice, type="totp").exists()
    assert client.get(f"/partnerships/{guarded.code}/").status_code == 200


# Medium: one partnership's titles in another's PDF ---------------------------------------


def _svg_texts(html: str) -> str:
    import base64
    import re

    return " ".join(
        base64.b64decode(uri).decode()
        for uri in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    )


def test_two_partnerships_with_equal_scores_do_not_share_a_chart(partnership_a, partnership_b):
    from assessment import pdf
    from tests.factories import make_assessment, make_framework

    framework = make_framework()
    make_assessment(partnership_a, framework, title="Northmoor review 2025")
    theirs = make_assessment(partnership_b, framework, title="CONFIDENTIAL Operation Larch")
    assert "CONFIDENTIAL Operation Larch" in _svg_texts(pdf.render_html(theirs))
    ours = partnership_a.assessments.get()
    drawn = _svg_texts(pdf.render_html(ours))
    assert "Northmoor review 2025" in drawn
    assert "Operation Larch" not in drawn


def test_a_dollar_sign_in_a_title_is_drawn_as_typed(client, alice, partnership_a):
    from assessment import pdf
    from tests.factories import make_assessment

    assessment = make_assessment(partnership_a, title=r"Review $\undefinedcommand$ 2025")
    client.force_login(alice)
    response = client.get(f"/assessments/{assessment.code}/trend")
    assert response.status_code == 200
    assert r"Review $\undefinedcommand$ 2025" in _svg_texts(response.content.decode())
    assert r"$\undefinedcommand$" in _svg_texts(pdf.render_html(assessment))


# Medium: anyone could change their sign-in email to any address, unverified ---------------


def test_people_cannot_change_their_own_sign_in_email(client, alice):
    from allauth.account.models import EmailAddress

    client.force_login(alice)
    page = client.get("/accounts/email/")
    assert page.status_code == 302 and page["Location"] == "/account"
    response = client.post("/accounts/email/", {"action_add": "", "email": "boss@example.org"})
    assert response.status_code == 302
    assert not EmailAddress.objects.filter(email="boss@example.org").exists()
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert "ask an administrator" in client.get("/account").content.decode()


def test_making_another_members_address_primary_changes_nothing(client, alice, bob):
    from allauth.account.models import EmailAddress

    theirs = EmailAddress.objects.create(user=bob, email=bob.email, primary=True, verified=True)
    client.force_login(alice)
    response = client.post("/accounts/email/", {"action_primary": "", "email": bob.email})
    assert response.status_code < 500
    theirs.refresh_from_db()
    assert theirs.user == bob and theirs.primary


def test_an_administrator_changes_an_email_and_it_is_recorded(client, staff, bob):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=bob, email=bob.email, primary=True, verified=True)
    complete_two_factor(client, staff)
    response = client.post(
        f"/admin/assessment/user/{bob.pk}/change/",
        {
            "email": "Robert@Example.org",
            "name": bob.name,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    bob.refresh_from_db()
    assert bob.email == "robert@example.org"
    change = bob.history.order_by("-history_date").first()
    assert change.history_user == staff and change.email == "robert@example.org"
    assert "password" not in {f.name for f in change._meta.fields}
    # The old address no longer signs in: allauth looks people up by its own records too.
    assert not EmailAddress.objects.filter(email="bob@example.org").exists()
    client.logout()
    client.post("/accounts/login/", {"login": "bob@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    client.post("/accounts/login/", {"login": "robert@example.org", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(bob.pk)

"""Accepting an invitation: new and existing accounts, expiry, reuse, wrong email, members."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.models import Invitation, Membership, Role, User
from tests.factories import PASSWORD, make_invitation, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "seven purple otters singing"


def accept_url(token: str) -> str:
    return f"/invitations/{token}/"


def test_a_new_person_creates_an_account_and_joins(client, alice, partnership_a):
    _, token = make_invitation(partnership_a, "dana@example.org", Role.CONTRIBUTOR, "health", alice)
    page = client.get(accept_url(token)).content.decode()
    assert "Create your account" in page
    assert "dana@example.org" in page

    response = client.post(
        accept_url(token),
        {"name": "Dana Health", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/partnerships/{partnership_a.code}/welcome"
    dana = User.objects.get(email="dana@example.org")
    assert dana.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=dana)
    assert (membership.partnership, membership.role, membership.agency) == (
        partnership_a,
        "contributor",
        "health",
    )
    # Signed in, and offered two-factor authentication.
    welcome = client.get(response["Location"]).content.decode()
    assert "You have joined Northdale Safeguarding Partnership" in welcome
    assert "Set up two-factor authentication" in welcome


def test_password_rules_apply_and_nothing_typed_is_lost(client, partnership_a):
    _, token = make_invitation(partnership_a)
    response = client.post(
        accept_url(token), {"name": "Dana Health", "password1": "short", "password2": "short"}
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "too short" in html
    assert 'value="Dana Health"' in html
    assert not User.objects.filter(email="dana@example.org").exists()


def test_mismatched_passwords_are_refused(client, partnership_a):
    _, token = make_invitation(partnership_a)
    html = client.post(
        accept_url(token),
        {"name": "Dana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    ).content.decode()
    assert "The passwords do not match" in html


def test_an_existing_account_is_asked_to_sign_in_then_attached(
    client, alice, partnership_a, partnership_b
):
    make_user("dana@example.org", "Dana Existing")
    _, token = make_invitation(partnership_a, "dana@example.org", Role.SCRUTINEER, "other")
    page = client.get(accept_url(token)).content.decode()
    assert "Sign in to join Northdale Safeguarding Partnership" in page
    assert f"/accounts/login/?next=%2Finvitations%2F{token}%2F" in page

    response = client.post(
        f"/accounts/login/?next=/invitations/{token}/",
        {"login": "dana@example.org", "password": PASSWORD},
    )
    assert response["Location"] == accept_url(token)
    assert "Accept invitation" in client.get(accept_url(token)).content.decode()
    client.post(accept_url(token))
    assert Membership.objects.get(user__email="dana@example.org").role == Role.SCRUTINEER


def test_the_link_works_once(client, partnership_a):
    _, token = make_invitation(partnership_a)
    client.post(
        accept_url(token), {"name": "Dana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    client.logout()
    response = client.get(accept_url(token))
    assert response.status_code == 410
    assert "This invitation has already been used" in response.content.decode()
    response = client.post(
        accept_url(token), {"name": "Eve", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert User.objects.filter(email="dana@example.org").count() == 1


def test_an_expired_link_gives_a_clear_page(client, partnership_a):
    invitation, token = make_invitation(partnership_a)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(accept_url(token))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    response = client.post(
        accept_url(token), {"name": "Dana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="dana@example.org").exists()


def test_it_expires_after_14_days(partnership_a):
    invitation, _ = make_invitation(partnership_a)
    assert invitation.expires_at - invitation.sent_at == timedelta(days=14)


def test_a_cancelled_link_gives_a_clear_page(client, partnership_a):
    invitation, token = make_invitation(partnership_a)
    invitation.cancelled_at = timezone.now()
    invitation.save()
    response = client.get(accept_url(token))
    assert response.status_code == 410
    assert "This invitation has been cancelled" in response.content.decode()


@pytest.mark.parametrize("token", ["nonsense", "x" * 500, "%00", "'; DROP TABLE x; --"])
def test_an_invalid_link_gives_a_clear_page(client, db, token):
    response = client.get(accept_url(token))
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_someone_signed_in_with_another_email_cannot_use_it(client, charlie, partnership_a):
    _, token = make_invitation(partnership_a, "dana@example.org")
    client.force_login(charlie)
    response = client.post(accept_url(token))
    assert response.status_code == 403
    assert "This invitation is for someone else" in response.content.decode()
    assert not Membership.objects.filter(user=charlie, partnership=partnership_a).exists()
    assert Invitation.objects.get().state == "pending"


def test_an_existing_member_keeps_their_role_and_the_link_is_used_up(client, bob, partnership_a):
    _, token = make_invitation(partnership_a, "bob@example.org", Role.LEAD)
    client.force_login(bob)
    assert "already a member" in client.get(accept_url(token)).content.decode()
    response = client.post(accept_url(token))
    assert response["Location"] == f"/partnerships/{partnership_a.code}/"
    assert Membership.objects.get(user=bob).role == Role.VIEWER
    assert Invitation.objects.get().state == "accepted"


def test_a_person_can_belong_to_several_partnerships(client, charlie, partnership_a, partnership_b):
    _, token = make_invitation(partnership_a, "charlie@example.org", Role.VIEWER, "police")
    client.force_login(charlie)
    client.post(accept_url(token))
    assert set(
        Membership.objects.filter(user=charlie).values_list("partnership__name", flat=True)
    ) == {
        "Northdale Safeguarding Partnership",
        "Glanmor Regional Board",
    }


def test_the_model_refuses_a_second_use(partnership_a):
    from django.core.exceptions import ValidationError

    invitation, _ = make_invitation(partnership_a, "dana@example.org")
    dana = make_user("dana@example.org")
    invitation.accept(dana)
    with pytest.raises(ValidationError):
        Invitation.objects.get(pk=invitation.pk).accept(dana)


def test_a_partnership_requiring_two_factor_sends_new_members_to_set_it_up(client, partnership_a):
    partnership_a.requires_two_factor = True
    partnership_a.save()
    _, token = make_invitation(partnership_a)
    response = client.post(
        accept_url(token),
        {"name": "Dana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/2fa/"
    assert "requires two-factor authentication" in response.content.decode()


def test_only_a_hash_of_the_token_is_stored(partnership_a):
    invitation, token = make_invitation(partnership_a)
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_tokens_are_distinct(partnership_a, bob):
    tokens = {make_invitation(partnership_a, f"p{i}@example.org")[1] for i in range(5)}
    assert len(tokens) == 5

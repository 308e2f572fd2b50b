"""Partnership pages: overview, switching, members, invitations sent by leads, settings."""

import re
import uuid

import pytest
from django.core import mail

from assessment.models import Agency, Invitation, Membership, Role
from tests.factories import make_invitation, make_member, make_partnership, make_user


def url(name: str, partnership, *extra) -> str:
    from django.urls import reverse

    return reverse(name, args=[partnership.code, *extra])


# Every page that belongs to a partnership, with the right it needs.
READ_PAGES = ["partnership_home", "members", "joined"]
MANAGE_PAGES = ["invite", "partnership_settings"]


@pytest.mark.parametrize("name", READ_PAGES + MANAGE_PAGES)
def test_it_checks_membership(client, charlie, partnership_a, name):
    client.force_login(charlie)
    assert client.get(url(name, partnership_a)).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES + MANAGE_PAGES)
def test_a_guessed_code_is_404(client, alice, name):
    from django.urls import reverse

    client.force_login(alice)
    assert client.get(reverse(name, args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES)
def test_a_viewer_can_read(client, bob, partnership_a, name):
    client.force_login(bob)
    assert client.get(url(name, partnership_a)).status_code == 200


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_a_viewer_cannot_manage(client, bob, partnership_a, name):
    client.force_login(bob)
    assert client.get(url(name, partnership_a)).status_code == 403
    assert client.post(url(name, partnership_a), {"email": "x@example.org"}).status_code == 403


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.SCRUTINEER])
def test_contributors_and_scrutineers_cannot_invite(client, partnership_a, role):
    user = make_user(f"{role}@example.org")
    make_member(partnership_a, user, role)
    client.force_login(user)
    assert client.post(url("invite", partnership_a), {"email": "x@example.org"}).status_code == 403
    assert not Invitation.objects.exists()


def test_pages_need_sign_in(client, partnership_a):
    response = client.get(url("members", partnership_a))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_goes_to_the_only_partnership(client, alice, partnership_a):
    client.force_login(alice)
    assert client.get("/")["Location"] == url("partnership_home", partnership_a)


def test_home_without_a_partnership_explains_how_to_join(client, db):
    client.force_login(make_user("loner@example.org", "Lone Ranger"))
    html = client.get("/").content.decode()
    assert "not a member of any partnership" in html


def test_a_person_in_two_partnerships_can_switch(client, alice, partnership_a):
    other = make_partnership("Eastvale Partnership")
    make_member(other, alice, Role.VIEWER)
    client.force_login(alice)
    assert client.get("/")["Location"] == "/partnerships/"  # no current one yet: choose
    listing = client.get("/partnerships/").content.decode()
    assert "Northdale Safeguarding Partnership" in listing and "Eastvale Partnership" in listing

    page = client.get(url("partnership_home", other)).content.decode()
    assert "Partnership: <strong>Eastvale Partnership</strong>" in page
    assert "Switch partnership" in page
    assert client.get("/")["Location"] == url("partnership_home", other)  # remembered

    page = client.get(url("partnership_home", partnership_a)).content.decode()
    assert "Partnership: <strong>Northdale Safeguarding Partnership</strong>" in page


def test_the_header_shows_the_remembered_partnership_among_many(client, alice, partnership_a):
    """The remembered partnership comes first whatever its name; with one partnership there is
    nothing to switch to."""
    client.force_login(alice)
    page = client.get(url("partnership_home", partnership_a)).content.decode()
    assert "Partnership: <strong>Northdale Safeguarding Partnership</strong>" in page
    assert "Switch partnership" not in page
    others = [make_partnership(f"{name} Partnership") for name in ("Aldmoor", "Beckton", "Zedford")]
    for other in others:
        make_member(other, alice, Role.SCRUTINEER)
    client.get(url("partnership_home", others[-1]))  # the last by name
    page = " ".join(client.get("/partnerships/").content.decode().split())
    assert "Partnership: <strong>Zedford Partnership</strong> (scrutineer) · " in page
    assert "Switch partnership" in page


def test_the_switcher_never_lists_other_peoples_partnerships(client, alice, charlie):
    client.force_login(alice)
    assert "Glanmor Regional Board" not in client.get("/partnerships/").content.decode()


def test_everyone_sees_who_is_in_their_partnership(client, alice, bob, charlie, partnership_a):
    client.force_login(bob)
    html = client.get(url("members", partnership_a)).content.decode()
    assert "Alice Lead" in html and "Bob Viewer" in html
    assert "Charlie Outsider" not in html
    assert "Invite someone" not in html  # not for viewers
    assert "alice@example.org" not in html  # emails and last sign-in only for leads


def test_leads_see_pending_invitations_with_resend_and_cancel(client, alice, partnership_a):
    make_invitation(partnership_a, "dana@example.org")
    client.force_login(alice)
    html = client.get(url("members", partnership_a)).content.decode()
    assert "dana@example.org" in html
    assert "Resend" in html and "Cancel" in html
    assert "Last signed in" in html


def test_a_lead_invites_by_email_with_role_and_agency(client, alice, partnership_a):
    client.force_login(alice)
    response = client.post(
        url("invite", partnership_a),
        {"email": "Dana@Example.org", "role": "contributor", "agency": "health"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.agency) == (
        "dana@example.org",
        "contributor",
        "health",
    )
    assert invitation.invited_by == alice
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.org"]
    assert "http://testserver/invitations/" in mail.outbox[0].body
    assert "Northdale Safeguarding Partnership" in mail.outbox[0].subject


def test_invitation_errors_name_the_field_and_keep_what_was_typed(client, alice, partnership_a):
    client.force_login(alice)
    response = client.post(
        url("invite", partnership_a), {"email": "not-an-email", "role": "", "agency": "police"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter an email address in the correct format" in html
    assert 'href="#id_role_1"' in html  # radios link to their first option
    assert "Select a role" in html
    assert 'value="not-an-email"' in html
    assert re.search(r'value="police"\s+checked', html)
    assert "<title>Error:" in html


def test_inviting_an_existing_member_is_refused(client, alice, bob, partnership_a):
    client.force_login(alice)
    response = client.post(
        url("invite", partnership_a),
        {"email": "bob@example.org", "role": "lead", "agency": "police"},
    )
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_to_the_same_address_is_refused(client, alice, partnership_a):
    make_invitation(partnership_a, "dana@example.org")
    client.force_login(alice)
    response = client.post(
        url("invite", partnership_a),
        {"email": "dana@example.org", "role": "lead", "agency": "police"},
    )
    assert "already waiting" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_resending_issues_a_new_link_and_kills_the_old_one(client, alice, partnership_a):
    invitation, old_token = make_invitation(partnership_a)
    client.force_login(alice)
    response = client.post(url("resend_invitation", partnership_a, invitation.code))
    assert response.status_code == 302
    assert Invitation.find(old_token) is None
    assert len(mail.outbox) == 1


def test_cancelling_an_invitation_makes_its_link_unusable(client, alice, partnership_a):
    invitation, token = make_invitation(partnership_a)
    client.force_login(alice)
    client.post(url("cancel_invitation", partnership_a, invitation.code))
    cancelled = Invitation.find(token)
    assert cancelled is not None and cancelled.state == "cancelled"


def test_invitation_actions_are_post_only_and_lead_only(client, alice, bob, charlie, partnership_a):
    invitation, _ = make_invitation(partnership_a)
    client.force_login(alice)
    assert client.get(url("resend_invitation", partnership_a, invitation.code)).status_code == 405
    client.force_login(bob)
    assert client.post(url("resend_invitation", partnership_a, invitation.code)).status_code == 403
    assert client.post(url("cancel_invitation", partnership_a, invitation.code)).status_code == 403
    client.force_login(charlie)
    assert client.post(url("cancel_invitation", partnership_a, invitation.code)).status_code == 404


def test_an_invitation_of_another_partnership_is_404(
    client, alice, charlie, partnership_a, partnership_b
):
    invitation, _ = make_invitation(partnership_b)
    client.force_login(alice)
    assert client.post(url("cancel_invitation", partnership_a, invitation.code)).status_code == 404


def test_a_lead_changes_a_members_role_and_agency(client, alice, bob, partnership_a):
    membership = Membership.objects.get(user=bob)
    client.force_login(alice)
    response = client.post(
        url("change_member", partnership_a, membership.code),
        {"role": "scrutineer", "agency": "health"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.agency) == ("scrutineer", "health")
    assert membership.history.count() == 2  # who changed it, and when, is kept


def test_the_last_lead_cannot_be_demoted(client, alice, partnership_a):
    membership = Membership.objects.get(user=alice)
    client.force_login(alice)
    response = client.post(
        url("change_member", partnership_a, membership.code), {"role": "viewer", "agency": "police"}
    )
    assert "There must be at least one lead" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.LEAD


def test_the_last_lead_cannot_be_removed(client, alice, partnership_a):
    membership = Membership.objects.get(user=alice)
    client.force_login(alice)
    response = client.post(url("remove_member", partnership_a, membership.code))
    assert response.status_code == 400
    assert "You cannot remove the last lead" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_lead_can_step_down_once_there_is_another_lead(client, alice, bob, partnership_a):
    Membership.objects.get(user=bob).change(role=Role.LEAD, agency=Agency.OTHER)
    membership = Membership.objects.get(user=alice)
    client.force_login(alice)
    client.post(
        url("change_member", partnership_a, membership.code), {"role": "viewer", "agency": "police"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_a_lead_removes_a_member(client, alice, bob, partnership_a):
    client.force_login(alice)
    membership = Membership.objects.get(user=bob)
    assert client.get(url("remove_member", partnership_a, membership.code)).status_code == 200
    assert client.post(url("remove_member", partnership_a, membership.code)).status_code == 302
    assert not Membership.objects.filter(user=bob).exists()
    client.force_login(bob)
    assert client.get(url("partnership_home", partnership_a)).status_code == 404


@pytest.mark.parametrize("name", ["change_member", "remove_member"])
def test_member_pages_check_access(client, alice, bob, charlie, partnership_a, name):
    target = Membership.objects.get(user=alice)
    client.force_login(bob)
    assert client.get(url(name, partnership_a, target.code)).status_code == 403
    client.force_login(charlie)
    assert client.get(url(name, partnership_a, target.code)).status_code == 404
    client.force_login(alice)
    assert client.get(url(name, partnership_a, uuid.uuid4())).status_code == 404


def test_a_member_of_another_partnership_cannot_be_changed_through_ours(
    client, alice, charlie, partnership_a
):
    theirs = Membership.objects.get(user=charlie)
    client.force_login(alice)
    assert client.post(url("remove_member", partnership_a, theirs.code)).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_a_lead_can_require_two_factor_authentication(client, alice, bob, partnership_a):
    client.force_login(alice)
    page = client.get(url("partnership_settings", partnership_a)).content.decode()
    assert "2 members have not set up two-factor authentication" in page
    client.post(
        url("partnership_settings", partnership_a),
        {**partnership_a.settings(), "requires_two_factor": "on"},
    )
    partnership_a.refresh_from_db()
    assert partnership_a.requires_two_factor

    client.force_login(bob)
    response = client.get(url("members", partnership_a))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    follow = client.get(response["Location"]).content.decode()
    assert "requires two-factor authentication" in follow

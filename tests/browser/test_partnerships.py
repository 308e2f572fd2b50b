"""A lead invites a contributor and a scrutineer, who join and see only their own partnership."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from assessment.models import Agency, Role
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD, found, make_member, make_partnership, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def invitation_link() -> str:
    return found(r"https?://\S+/invitations/\S+/", str(mail.outbox[-1].body)).group(0)


def test_a_lead_invites_people_who_then_see_only_their_partnership(page, other_person, live_server):
    ours = make_partnership("Northdale Safeguarding Partnership")
    theirs = make_partnership("Glanmor Regional Board", "wales")
    make_member(
        ours, make_user("alice@example.org", "Alice Lead"), Role.LEAD, Agency.CHILDRENS_SOCIAL_CARE
    )
    make_member(theirs, make_user("charlie@example.org", "Charlie Outsider"), Role.LEAD)

    sign_in(page, live_server.url, "alice@example.org")
    expect(page.get_by_role("heading", name="Northdale Safeguarding Partnership")).to_be_visible()
    page.get_by_role("link", name="Members", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Invite someone").click()

    # A mistake first: the error summary takes focus and nothing typed is lost.
    page.get_by_label("Email address").fill("dana@example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value("dana@example")
    assert_accessible(page)

    page.get_by_label("Email address").fill("dana@example.org")
    page.get_by_label("Contributor").check()
    page.get_by_label("Health").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to dana@example.org")).to_be_visible()
    dana_link = invitation_link()

    page.get_by_role("button", name="Invite someone").click()
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Scrutineer").check()
    page.get_by_label("Other").check()
    page.get_by_role("button", name="Send invitation").click()
    sam_link = invitation_link()
    expect(page.get_by_role("cell", name="sam@example.org", exact=True)).to_be_visible()

    for link, name, role in [
        (dana_link, "Dana Health", "contributor"),
        (sam_link, "Sam Scrutiny", "scrutineer"),
    ]:
        newcomer = other_person.blank()
        newcomer.goto(link)
        expect(newcomer.get_by_role("heading", name="Create your account")).to_be_visible()
        assert_accessible(newcomer)
        newcomer.get_by_label("Full name").fill(name)
        newcomer.get_by_label("Create a password").fill("seven purple otters singing")
        newcomer.get_by_label("Confirm your password").fill("seven purple otters singing")
        newcomer.get_by_role("button", name="Create account and join").click()
        expect(
            newcomer.get_by_role(
                "heading", name="You have joined Northdale Safeguarding Partnership"
            )
        ).to_be_visible()
        assert_accessible(newcomer)
        newcomer.get_by_role("link", name="Skip for now").click()
        expect(newcomer.get_by_text(f"You are a {role}")).to_be_visible()

        newcomer.get_by_role("link", name="Members", exact=True).click()
        expect(newcomer.get_by_role("cell", name="Alice Lead", exact=True)).to_be_visible()
        expect(newcomer.get_by_text("Charlie Outsider")).to_have_count(0)
        response = newcomer.goto(f"{live_server.url}/partnerships/{theirs.code}/")
        assert response.status == 404

    page.reload()
    expect(page.get_by_role("cell", name="Dana Health dana@example.org")).to_be_visible()
    expect(page.get_by_text("There are no invitations waiting.")).to_be_visible()

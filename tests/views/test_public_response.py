"""The public page of a partnership's published response: no sign-in, only published versions,
names only when a version was published with them, never the live register."""

import uuid
from datetime import date

import pytest

from assessment import register
from assessment.models import Agency, Milestone, Role
from tests.factories import make_member, make_recommendation_set, make_user
from tests.views.test_register import make_entry, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def published(alice, partnership_a):
    """Version 1 without names, version 2 with them; then a change that is never published."""
    owner = make_user("olu@example.org", "Olu Owner")
    make_member(partnership_a, owner, Role.CONTRIBUTOR, Agency.POLICE)
    entry = make_entry(
        partnership_a,
        make_recommendation_set().recommendations.get(number="1"),
        response="We refresh the profile each spring.",
        owner=owner,
        owner_role="Detective inspector, exploitation team",
        status="in_progress",
    )
    Milestone.objects.create(response=entry, due=date(2026, 4, 30), text="Partner data added")
    first = register.publish(
        partnership=partnership_a, user=alice, approved_on=date(2026, 1, 15), show_names=False
    )
    entry.status = "implemented"
    entry.save()
    second = register.publish(
        partnership=partnership_a, user=alice, approved_on=date(2026, 3, 1), show_names=True
    )
    entry.response = "Draft wording the board has not approved"
    entry.save()
    Milestone.objects.create(response=entry, due=date(2026, 9, 30), text="Unpublished milestone")
    return first, second


def public(partnership, tail: str = "") -> str:
    return f"/responses/{partnership.code}/{tail}"


def test_anyone_reads_the_latest_version_without_signing_in(client, partnership_a, published):
    response = client.get(public(partnership_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Our response to the recommendations" in html
    assert "Version 2, approved on 1 March 2026" in html and "Implemented" in html
    assert "Olu Owner" in html  # version 2 was published with names
    assert public(partnership_a, "1/") in html and public(partnership_a, "1/response.pdf") in html


def test_an_earlier_version_is_shown_as_it_was_published(client, partnership_a, published):
    html = client.get(public(partnership_a, "1/")).content.decode()
    assert "This is an earlier version" in html and "Version 1, approved on 15 January 2026" in html
    assert "In progress" in html
    assert "Detective inspector, exploitation team" in html and "Olu Owner" not in html


def test_what_was_not_published_never_appears(client, partnership_a, published):
    for tail in ("", "1/", "2/"):
        html = client.get(public(partnership_a, tail)).content.decode()
        assert "We refresh the profile each spring." in html
        assert "Draft wording" not in html and "Unpublished milestone" not in html
        assert "olu@example.org" not in html  # no email address, ever


def test_each_version_downloads_as_its_stored_pdf_and_as_html(client, partnership_a, published):
    first, _ = published
    body = client.get(public(partnership_a, "1/response.pdf"))
    assert body["Content-Type"] == "application/pdf"
    with first.file.open("rb") as stored:
        assert body.content == stored.read()
    text = pdf_text(client.get(public(partnership_a, "2/response.pdf")).content)
    assert "Olu Owner" in text and "Draft wording" not in text
    html = client.get(public(partnership_a, "2/") + "?download=html")
    assert "attachment;" in html["Content-Disposition"] and ".html" in html["Content-Disposition"]


def test_unknown_versions_codes_and_unpublished_partnerships_are_404(
    client, partnership_a, partnership_b, published
):
    assert client.get(public(partnership_a, "3/")).status_code == 404
    assert client.get(public(partnership_a, "3/response.pdf")).status_code == 404
    assert client.get(f"/responses/{uuid.uuid4()}/").status_code == 404
    assert client.get(public(partnership_b)).status_code == 404  # it published nothing


def test_a_member_of_another_partnership_sees_the_public_page_and_nothing_of_their_own(
    client, charlie, partnership_a, published
):
    client.force_login(charlie)
    html = client.get(public(partnership_a)).content.decode()
    main = html[html.index("<main") :]
    assert "Northdale Safeguarding Partnership" in main  # public, by partnership A's choice
    assert "Glanmor" not in main


def test_the_register_and_the_settings_link_to_the_public_page(
    client, alice, partnership_a, published
):
    client.force_login(alice)
    address = f"http://testserver/responses/{partnership_a.code}/"
    registry = client.get(f"/partnerships/{partnership_a.code}/recommendations/").content.decode()
    assert address in registry
    settings_page = client.get(f"/partnerships/{partnership_a.code}/settings").content.decode()
    assert address in settings_page


def test_before_publishing_the_register_says_nothing_is_public(client, alice, partnership_a):
    client.force_login(alice)
    registry = client.get(f"/partnerships/{partnership_a.code}/recommendations/").content.decode()
    assert "/responses/" not in registry and "Drafts and the register itself" in registry

"""The pages every public service needs: start, errors, account, settings, accessibility, and
the frame around every page (one service name, the current page, feedback)."""

import pytest
from django.test import RequestFactory

from tests.factories import complete_two_factor, make_assessment

pytestmark = pytest.mark.django_db
DASH = "\N{EN DASH}"
SERVICE = "Assess your partnership&#x27;s response to child sexual exploitation"


def test_the_start_page_is_for_people_not_signed_in(client):
    from tests.factories import make_framework

    framework = make_framework()
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<title>{SERVICE}</title>" in html
    assert 'class="govuk-button govuk-button--start"' in html and "Start now" in html
    assert 'href="/accounts/login/"' in html
    assert 'href="/frameworks/"' in html
    assert f'href="/frameworks/{framework.slug}/{framework.version}/methodology"' in html
    for heading in ("Who it is for", "Before you start", "Who runs it"):
        assert heading in html


def test_signed_in_people_go_to_their_partnership(client, alice, partnership_a):
    client.force_login(alice)
    assert client.get("/")["Location"] == f"/partnerships/{partnership_a.code}/"


def test_page_not_found_is_in_the_services_layout(client):
    response = client.get("/no-such-page")
    html = response.content.decode()
    assert response.status_code == 404
    assert f"<title>Page not found {DASH} {SERVICE}</title>" in html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "govuk-service-navigation" in html and "govuk-footer" in html


def test_a_403_says_why_and_links_back(client, alice, partnership_a, bob):
    assessment = make_assessment(partnership_a)
    client.force_login(bob)
    response = client.get(f"/assessments/{assessment.code}/assign")
    html = response.content.decode()
    assert response.status_code == 403
    assert f"<title>You cannot do this {DASH} " in html
    assert "Your role (Viewer) cannot do this." in html
    assert (
        f'<a class="govuk-link" href="/assessments/{assessment.code}/">Go back to the self-assessment</a>'
        in html
    )


def test_a_bad_request_is_in_the_services_layout(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in response.content.decode()


def test_a_server_error_is_in_the_services_layout_without_the_request():
    from assessment.views.pages import server_error

    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert f"<title>Sorry, there is a problem with the service {DASH} {SERVICE}</title>" in html
    assert "Try again later." in html


def test_the_account_page_shows_name_email_password_and_two_factor(client, alice):
    client.force_login(alice)
    html = client.get("/account").content.decode()
    for text in ("Alice Lead", "alice@example.org", "Password", "Two-factor authentication", "Off"):
        assert text in html
    assert 'href="/accounts/password/change/"' in html and 'href="/accounts/2fa/"' in html


def settings_data(partnership, **changes) -> dict:
    return {
        "name": partnership.name,
        "area": partnership.area,
        "nation": partnership.nation,
        "year_starts": "4",
        "contact_name": "",
        "contact_email": "",
        **changes,
    }


def test_a_lead_changes_the_partnerships_settings(client, alice, partnership_a):
    client.force_login(alice)
    response = client.post(
        f"/partnerships/{partnership_a.code}/settings",
        settings_data(partnership_a, name="Northdale Children's Partnership", area="Northdale",
                      nation="wales", year_starts="9", contact_name="Pat Manager",
                      contact_email="pat.manager@northdale.example"),
    )  # fmt: skip
    assert response.status_code == 302
    partnership_a.refresh_from_db()
    assert (partnership_a.name, partnership_a.area, partnership_a.nation) == (
        "Northdale Children's Partnership", "Northdale", "wales"
    )  # fmt: skip
    assert partnership_a.year_starts == 9
    assert partnership_a.contact_email == "pat.manager@northdale.example"
    assert partnership_a.history.count() == 2  # recorded


def test_the_nation_cannot_change_once_a_self_assessment_has_started(client, alice, partnership_a):
    make_assessment(partnership_a)
    client.force_login(alice)
    response = client.post(
        f"/partnerships/{partnership_a.code}/settings", settings_data(partnership_a, nation="wales")
    )
    assert (
        "You cannot change the nation once a self-assessment has started"
        in response.content.decode()
    )
    partnership_a.refresh_from_db()
    assert partnership_a.nation == "england"


def test_the_settings_page_names_who_has_not_set_up_two_factor(client, alice, bob, partnership_a):
    complete_two_factor(client, alice)
    html = client.get(f"/partnerships/{partnership_a.code}/settings").content.decode()
    assert "1 member has not set up two-factor authentication yet" in html
    assert (
        "Bob Viewer (viewer, Other)" in html and "Alice Lead (lead" not in html
    )  # (the representatives' choices name her too)


def test_one_service_name_the_current_page_and_a_feedback_link(client, alice, partnership_a):
    client.force_login(alice)
    html = client.get(f"/partnerships/{partnership_a.code}/members/").content.decode()
    assert f"<title>Members {DASH} {partnership_a.name} {DASH} {SERVICE}</title>" in html
    assert html.count(SERVICE) == 2  # the title and the header, nothing else naming the service
    assert "Partnership self-assessment" not in html
    assert (
        '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
        f'<a class="govuk-service-navigation__link" href="/partnerships/{partnership_a.code}/members/" aria-current="page">'
    ) in html
    assert "govuk-phase-banner" in html and ">give your feedback</a>" in html


def test_allauth_pages_are_in_sentence_case_with_govuk_errors(client, alice):
    reset = client.get("/accounts/password/reset/").content.decode()
    assert '<h1 class="govuk-heading-l">Reset your password</h1>' in reset
    assert f"<title>Reset your password {DASH} " in reset
    empty = client.post("/accounts/login/", {"login": "", "password": ""}).content.decode()
    assert "Enter your email address" in empty and "Enter your password" in empty
    wrong = client.post("/accounts/login/", {"login": "alice@example.org", "password": "nope"})
    assert "Enter a correct email address and password" in wrong.content.decode()


def test_the_accessibility_statement_follows_the_govuk_model(client):
    html = client.get("/accessibility").content.decode()
    for text in (
        "This website is partially compliant",
        "Non-accessible content",
        "How we tested this website",
        "Enforcement procedure",
        "Equality Advisory and Support Service",
        "Preparation of this accessibility statement",
        "Feedback and contact information",
    ):
        assert text in html, text


def test_every_table_reflows_at_320_px():
    """Each table of a page scrolls in its own focusable box, or is a list of people shown as
    cards on narrow screens (the browser tests check the widest pages at 320 px)."""
    import re
    from pathlib import Path

    for path in Path("templates/assessment").rglob("*.html"):
        html = path.read_text()
        tables = len(re.findall(r'<table class="govuk-table', html))
        held = html.count('class="app-table-scroll" tabindex="0" role="region" aria-label="')
        assert tables == held + html.count("app-table--cards"), path

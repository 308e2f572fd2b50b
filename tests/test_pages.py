import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_base_page_has_skip_link_header_and_footer(client, alice):
    client.force_login(alice)
    html = client.get("/", follow=True).content.decode()
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert 'id="main-content"' in html
    assert "govuk-generic-header" in html
    assert "Assess your partnership&#x27;s response to child sexual exploitation" in html
    assert "govuk-phase-banner" in html
    assert 'href="/accessibility"' in html
    assert 'href="/privacy"' in html
    # Not a GOV.UK service: no crown, no GDS Transport.
    assert "govuk-footer__crown" not in html
    assert "GDS Transport" not in html


def test_pages_have_no_inline_styles_or_scripts(client, alice):
    client.force_login(alice)
    for url in ["/", "/accessibility", "/privacy", "/accounts/login/"]:
        html = client.get(url, follow=True).content.decode()
        assert "style=" not in html, url
        assert "<style" not in html, url
        for chunk in html.split("<script")[1:]:
            assert chunk.lstrip().startswith("src="), url


def test_accessibility_statement_and_privacy_notice_are_public(client):
    accessibility = client.get("/accessibility")
    privacy = client.get("/privacy")
    assert accessibility.status_code == 200
    assert "WCAG" in accessibility.content.decode()
    assert privacy.status_code == 200
    assert "must not hold information that identifies a child" in privacy.content.decode()


def test_healthz_is_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_without_the_database(client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("assessment.views.pages.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"

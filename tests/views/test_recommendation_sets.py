"""The public pages of recommendation sets, and the recommendations shown beside each question."""

import pytest

from tests.factories import make_framework, make_recommendation_set, recommendation_set_data

pytestmark = pytest.mark.django_db


def test_the_framework_page_lists_each_set(client):
    framework = make_framework()
    make_recommendation_set()
    html = client.get(f"/frameworks/{framework.slug}/{framework.version}/").content.decode()
    assert "Test recommendations" in html
    assert 'href="/recommendations/test-recommendations/1.0/"' in html


def test_a_set_page_is_public_and_shows_each_recommendation_with_its_questions(client):
    make_framework()
    make_recommendation_set()
    response = client.get("/recommendations/test-recommendations/1.0/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1: Profile every year" in html and "2: A national law" in html
    assert "Police forces" in html and "UK government" in html
    assert 'href="/frameworks/test-framework/1.0/themes/AA#AA-01"' in html
    assert "Local action" in html and "National only" in html
    assert "1 of 2 recommendations asks something of local agencies" in html


def test_a_set_page_shows_what_is_unconfirmed(client):
    from assessment.recommendation_sets import load

    data = recommendation_set_data()
    data["notes"] = "Recommendation 2 was read from a summary."
    data["recommendations"][1]["unconfirmed"] = "The wording."
    load(data)
    html = client.get("/recommendations/test-recommendations/1.0/").content.decode()
    assert "Recommendation 2 was read from a summary." in html
    assert "Unconfirmed" in html and "The wording." in html


def test_an_unknown_set_is_404(client):
    assert client.get("/recommendations/nothing/1.0/").status_code == 404


def test_each_question_shows_the_recommendations_that_relate_to_it(client):
    framework = make_framework()
    make_recommendation_set()
    html = client.get(f"/frameworks/{framework.slug}/1.0/themes/AA").content.decode()
    section = html[html.index('id="AA-01"') : html.index('id="AA-02"')]
    assert "Recommendations this question relates to (1)" in section
    assert "Test recommendations, 1</a>: Profile every year" in section
    later = html[html.index('id="AA-02"') :]
    assert "Recommendations this question relates to" not in later

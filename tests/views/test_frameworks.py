"""The public framework pages: readable without signing in, constant queries, citations linked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_framework

pytestmark = pytest.mark.django_db

BASE = "/frameworks/test-framework/1.0"


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path", ["/", "/themes/AA", "/glossary", "/methodology", "/sources", ".json"]
)
def test_framework_pages_are_public(client, path):
    make_framework()
    response = client.get(BASE + path)
    assert response.status_code == 200


def test_the_framework_list_links_each_version(client):
    make_framework()
    make_framework(version="1.1")
    html = client.get("/frameworks/").content.decode()
    assert f'href="{BASE}/"' in html and 'href="/frameworks/test-framework/1.1/"' in html


def test_the_slug_alone_goes_to_the_newest_version(client):
    make_framework(version="1.9")
    make_framework(version="1.10")
    assert (
        client.get("/frameworks/test-framework/")["Location"] == "/frameworks/test-framework/1.10/"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/frameworks/nope/",
        "/frameworks/test-framework/9.9/",
        f"{BASE}/themes/ZZ",
        "/frameworks/test-framework/9.9.json",
    ],
)
def test_unknown_frameworks_and_themes_are_404(client, url):
    make_framework()
    assert client.get(url).status_code == 404


def test_a_theme_page_shows_questions_options_figures_and_examples_with_citations(client):
    make_framework()
    html = client.get(f"{BASE}/themes/AA").content.decode()
    assert 'id="AA-01"' in html and "Question 1 of theme AA?" in html
    assert "Good looks like this." in html
    assert "Critical" in html
    assert "Poor answer" in html and "Like poor." in html
    assert f'<a class="govuk-link" href="{BASE}/sources#annex-4-para-3">Annex 4 para 3</a>' in html
    assert "Durham" in html and "35%" in html and "1900" in html and "2018/19" in html
    assert "lower is better" in html
    assert "Three months of data." in html  # the practice example linked to AA-01


def test_the_sources_page_has_an_anchor_for_every_cited_paragraph(client):
    make_framework()
    html = client.get(f"{BASE}/sources").content.decode()
    assert 'id="annex-4-para-3"' in html and 'id="annex-4-para-5"' in html
    assert "Benchmark (Durham)" in html


def test_the_methodology_page_lists_critical_and_banded_questions(client):
    make_framework()
    html = client.get(f"{BASE}/methodology").content.decode()
    assert "2 questions describe practices the Inquiry called unacceptable" in html
    assert "AA-03" in html  # the banded indicator
    assert "Good at 5 or below" in html


def test_the_json_is_the_export(client):
    make_framework()
    data = client.get(f"{BASE}.json").json()
    assert data["slug"] == "test-framework" and data["version"] == "1.0"
    assert data["themes"][0]["questions"][0]["code"] == "AA-01"


@pytest.mark.parametrize(
    "path", ["/", "/themes/AA", "/glossary", "/methodology", "/sources", ".json"]
)
def test_queries_do_not_grow_with_the_number_of_questions(client, path):
    from assessment.models import Framework

    make_framework(themes=2, questions_per_theme=2)
    small = queries_for(client, BASE + path)
    Framework.objects.all().delete()
    make_framework(themes=6, questions_per_theme=12)
    large = queries_for(client, BASE + path)
    assert large == small


def test_the_methodology_page_is_generated_from_the_scoring_rules(client, monkeypatch):
    from assessment import scoring

    make_framework()
    html = client.get(f"{BASE}/methodology").content.decode()
    assert "75% or more" in html and "at least 50% of the scored questions" in html
    monkeypatch.setattr(
        scoring,
        "RATING_THRESHOLDS",
        (("good", 80.0), ("established", 55.0), ("developing", 30.0), ("poor", 0.0)),
    )
    assert "80% or more" in client.get(f"{BASE}/methodology").content.decode()


# Format 2 (2022.2 on): the reason for each critical flag, the basis of each threshold, the scope
# of each benchmark, and references to named documents.

BASE_2 = "/frameworks/test-framework/2.0"


def make_format_2_framework():
    from assessment.frameworks import load
    from tests.factories import framework_data

    data = framework_data(version="2.0", format=2)
    data["documents"] = [
        {
            "id": "hmicfrs-2023",
            "title": "An inspection of the response to group-based exploitation",
            "short_title": "HMICFRS 2023",
            "publisher": "HMICFRS",
            "date": "2023-12-08",
            "url": "https://hmicfrs.justiceinspectorates.gov.uk/",
        }
    ]
    indicator = data["themes"][0]["questions"][2]
    indicator["bands"]["basis"] = {
        "references": [{"document": "hmicfrs-2023", "part": "recommendation 3"}],
        "set_by_framework": "Five percent leaves room for people who decline to say.",
    }
    indicator["benchmarks"][0].update(
        scope="basic_command_unit", base="offenders across reports", comparable=False
    )
    data["themes"][0]["questions"][0]["critical_because"]["text"] = (
        "The Inquiry called this wholly unacceptable (Annex 4 para 8)."
    )
    load(data)


def test_a_theme_page_shows_why_a_question_is_critical_with_its_citation(client):
    make_format_2_framework()
    html = client.get(f"{BASE_2}/themes/AA").content.decode()
    assert "Why this question is critical" in html
    assert "The Inquiry called this wholly unacceptable (Annex 4 para 8)." in html
    assert (
        f'<a class="govuk-link" href="{BASE_2}/sources#annex-4-para-8">Annex 4 para 8</a>' in html
    )
    assert "practice the Inquiry called unacceptable" in html  # the basis, in words


def test_a_theme_page_shows_each_benchmarks_scope_in_words_and_never_ranks_context(client):
    make_format_2_framework()
    html = client.get(f"{BASE_2}/themes/AA").content.decode()
    assert "Police basic command unit: offenders across reports" in html
    assert "Context only: not like for like" in html


def test_a_theme_page_shows_where_the_thresholds_come_from(client):
    make_format_2_framework()
    html = client.get(f"{BASE_2}/themes/AA").content.decode()
    assert "Set by this framework: Five percent leaves room for people who decline to say." in html
    assert (
        f'href="{BASE_2}/sources#document-hmicfrs-2023">HMICFRS 2023, recommendation 3</a>' in html
    )


def test_a_context_only_figure_says_it_is_not_ranked(client):
    from assessment.frameworks import load
    from tests.factories import framework_data

    data = framework_data(version="2.0", format=2)
    indicator = data["themes"][0]["questions"][2]
    del indicator["bands"]
    indicator["benchmarks"][0]["direction"] = None
    load(data)
    html = client.get(f"{BASE_2}/themes/AA").content.decode()
    assert "recorded but not scored" in html
    assert "higher is better" not in html and "lower is better" not in html
    assert "shown for context, not ranked" in html


def test_the_methodology_page_gives_each_critical_reason_and_each_framework_threshold(client):
    make_format_2_framework()
    html = client.get(f"{BASE_2}/methodology").content.decode()
    assert "The Inquiry called this wholly unacceptable (Annex 4 para 8)." in html
    assert (
        "2 questions are critical." in html and "practice the Inquiry called unacceptable" in html
    )
    assert "Thresholds set by this framework" in html
    assert "Five percent leaves room for people who decline to say." in html


def test_the_sources_page_lists_the_named_documents_and_what_cites_them(client):
    make_format_2_framework()
    html = client.get(f"{BASE_2}/sources").content.decode()
    assert 'id="document-hmicfrs-2023"' in html
    assert "An inspection of the response to group-based exploitation" in html
    assert "Thresholds: " in html and "Why critical: " in html
    assert 'id="annex-4-para-8"' in html  # cited only by the critical reason

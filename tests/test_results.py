"""The framework's content is read once per process, and read again when a version is reloaded."""

import pytest
from django.urls import reverse

from assessment import frameworks
from assessment.results import framework_content, framework_questions
from assessment.templatetags.gds_extras import citation
from tests.factories import framework_data, make_framework

pytestmark = pytest.mark.django_db


def test_a_framework_is_read_from_the_database_once(django_assert_num_queries):
    framework = make_framework()
    with django_assert_num_queries(4):  # questions, their options, practice examples, themes
        first = framework_questions(framework, "england")
    with django_assert_num_queries(0):
        again = framework_questions(framework, "england")
    assert [q.code for q in again] == [q.code for q in first]
    assert {q.theme.code for q in again} == {"AA", "BB"}
    assert list(again[0].options.all())  # prefetched: no query above


def test_a_version_loaded_again_with_new_content_is_read_again():
    data = framework_data()
    framework, _ = frameworks.load(data)
    assert (
        framework_content(framework).questions[0].text == data["themes"][0]["questions"][0]["text"]
    )
    data["themes"][0]["questions"][0]["text"] = "Does the partnership map networks every year?"
    replaced, outcome = frameworks.load(data)  # unused, so it may change in place
    assert outcome == "replaced"
    first = framework_content(replaced).questions[0]
    assert first.text == "Does the partnership map networks every year?"


def test_citation_links_go_to_the_paragraph_on_the_framework_sources_page():
    framework = make_framework()
    link = citation({"section": "Annex 4", "paragraph": 62}, framework)
    sources = reverse("sources", args=[framework.slug, framework.version])
    assert link == f'<a class="govuk-link" href="{sources}#annex-4-para-62">Annex 4 para 62</a>'

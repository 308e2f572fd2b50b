"""The review report's register section: counts by status, overdue, not accepted, and the
recommendations related to each theme's gaps; a signed-off report reads the frozen register."""

from datetime import date

import pytest

from assessment import pdf
from assessment.models import Milestone, RecommendationResponse
from tests.factories import (
    make_assessment,
    make_recommendation_set,
    put_in_review,
    sign_off_by_board,
)
from tests.test_pdf import read
from tests.views.test_results import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def assessment(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    recommendations = make_recommendation_set().recommendations.order_by("order")
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    entry = RecommendationResponse.objects.create(
        partnership=partnership_a, recommendation=recommendations[0], status="in_progress"
    )
    Milestone.objects.create(response=entry, due=date(2020, 1, 1), text="Long overdue")
    RecommendationResponse.objects.create(
        partnership=partnership_a,
        local_title="Close the panel's minutes on time",
        local_source="inspection",
        status="not_accepted",
        not_accepted_reason="The panel no longer meets; the hub replaced it.",
    )
    return assessment


def test_the_report_summarises_the_register_and_relates_recommendations_to_gaps(assessment):
    context = pdf.report_context(assessment)
    section = context["register"]
    assert dict(section.summary.by_status) == {
        "Not started": 0,
        "In progress": 1,
        "Implemented": 0,
        "Not accepted": 1,
    }
    assert section.summary.overdue == 1
    aa = next(t for t in context["themes"] if t["theme"].code == "AA")
    assert [(r.number, r.questions, r.status) for r in aa["recommendations"]] == [
        ("1", ["AA-01"], "In progress")
    ]

    _, text = read(pdf.render_pdf(assessment))
    text = " ".join(text.split())  # lines wrap anywhere in the PDF
    assert "Recommendations register" in text
    assert "Recommendations related to the gaps" in text
    assert "Test recommendations, 1: Profile every year" in text
    assert "Not accepted" in text and "The panel no longer meets; the hub replaced it." in text


def test_a_signed_off_report_shows_the_register_as_it_was(assessment, alice):
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    RecommendationResponse.objects.filter(status="in_progress").update(status="implemented")
    section = pdf.report_context(assessment)["register"]
    assert dict(section.summary.by_status)["In progress"] == 1
    assert dict(section.summary.by_status)["Implemented"] == 0

"""Register entries link to the evidence items that show them (issue 18): on the entry, in the
register CSV and in the snapshot's register data, and such an item is then kept for good."""

import csv
import io
from datetime import date

import pytest

from assessment.models import EvidenceItem, RecommendationResponse
from tests.factories import (
    make_assessment,
    make_contributor,
    make_recommendation_set,
    put_in_review,
    sign_off_by_board,
)
from tests.views.test_register import entry_post, make_entry, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def recommendation(db):
    return make_recommendation_set().recommendations.get(number="1")


@pytest.fixture
def profile(partnership_a):
    return EvidenceItem.objects.create(
        partnership=partnership_a,
        title="Refreshed problem profile 2025",
        kind="problem_profile",
        agency="police",
        produced=date(2025, 5, 1),
        link="https://intranet.example.org/profile-2025",
    )


def test_a_lead_links_the_evidence_that_shows_a_response(
    client, alice, partnership_a, recommendation, profile
):
    client.force_login(alice)
    form = client.get(url(partnership_a, f"respond/{recommendation.pk}")).content.decode()
    assert "Evidence items that show it" in form and "Refreshed problem profile 2025" in form
    response = client.post(
        url(partnership_a, f"respond/{recommendation.pk}"),
        entry_post(evidence=[str(profile.code)]),
    )
    assert response.status_code == 302
    entry = RecommendationResponse.objects.get()
    assert list(entry.evidence.all()) == [profile]
    page = client.get(url(partnership_a, f"{entry.code}/")).content.decode()
    assert "Evidence that shows it" in page and "Refreshed problem profile 2025</a>" in page
    item_page = client.get(f"/partnerships/{partnership_a.code}/evidence/{profile.code}/")
    assert "Recommendations it shows progress on" in item_page.content.decode()


def test_another_partnerships_item_cannot_be_linked(
    client, alice, partnership_a, partnership_b, recommendation
):
    theirs = EvidenceItem.objects.create(
        partnership=partnership_b,
        title="Theirs",
        kind="minutes",
        agency="police",
        produced=date(2025, 1, 1),
        link="https://example.org/x",
    )
    client.force_login(alice)
    response = client.post(
        url(partnership_a, f"respond/{recommendation.pk}"),
        entry_post(evidence=[str(theirs.code)]),
    )
    assert response.status_code == 200
    assert "Select only evidence items of this partnership" in response.content.decode()
    assert not RecommendationResponse.objects.exists()


def test_a_contributor_of_the_lead_agency_links_evidence_with_a_status_update(
    client, partnership_a, recommendation, profile
):
    entry = make_entry(partnership_a, recommendation)
    client.force_login(make_contributor(partnership_a))
    response = client.post(
        url(partnership_a, f"{entry.code}/edit"),
        {"status": "in_progress", "response": "Started.", "evidence": [str(profile.code)]},
    )
    assert response.status_code == 302
    assert list(entry.evidence.all()) == [profile]


def test_the_register_csv_and_the_snapshot_name_the_linked_evidence(
    client, alice, partnership_a, recommendation, profile
):
    entry = make_entry(partnership_a, recommendation)
    entry.evidence.add(profile)
    client.force_login(alice)
    text = client.get(url(partnership_a, "register.csv")).content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    column = rows[0].index("Evidence items")
    assert rows[1][column] == "Refreshed problem profile 2025 (produced 2025-05-01)"

    assessment = make_assessment(partnership_a)
    put_in_review(assessment)
    snapshot = sign_off_by_board(assessment, alice)
    recorded = snapshot.data["register"]["entries"][0]["evidence"]
    assert recorded == [
        {
            "id": str(profile.code),
            "title": "Refreshed problem profile 2025",
            "kind": "problem_profile",
            "produced": "2025-05-01",
            "review_by": None,
            "sha256": None,
        }
    ]
    # The signed-off record relies on it now: it cannot be deleted.
    response = client.post(f"/partnerships/{partnership_a.code}/evidence/{profile.code}/delete")
    assert response.status_code == 409 and EvidenceItem.objects.filter(pk=profile.pk).exists()

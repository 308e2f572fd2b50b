"""The recommendations register: recording responses, who may change what, history, flags,
carrying across cycles, the snapshot, the CSV, and publishing versions with their PDF."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from assessment import snapshots
from assessment.models import (
    Action,
    Agency,
    Milestone,
    PublishedResponse,
    RecommendationResponse,
    Role,
)
from tests.factories import (
    make_assessment,
    make_contributor,
    make_framework,
    make_member,
    make_recommendation_set,
    make_user,
    put_in_review,
    sign_off_by_board,
    start_next_cycle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def recommendation(db):
    return make_recommendation_set().recommendations.get(number="1")


def url(partnership, tail: str = "") -> str:
    return f"/partnerships/{partnership.code}/recommendations/{tail}"


def entry_post(**fields) -> dict:
    data = {
        "applies": "yes",
        "applies_how": "Our profile is two years old.",
        "response": "We will refresh the profile every year with partner data.",
        "lead_agency": "police",
        "owner": "",
        "owner_role": "Head of the exploitation team",
        "status": "not_started",
        "not_accepted_reason": "",
    }
    return data | fields


def make_entry(partnership, recommendation, **fields) -> RecommendationResponse:
    return RecommendationResponse.objects.create(
        partnership=partnership,
        recommendation=recommendation,
        lead_agency=fields.pop("lead_agency", Agency.POLICE),
        applies=fields.pop("applies", "yes"),
        **fields,
    )


def test_a_lead_records_a_response_with_actions_and_it_is_in_the_history(
    client, alice, partnership_a, recommendation
):
    assessment = make_assessment(partnership_a)
    action = Action.objects.create(
        assessment=assessment, agency=Agency.POLICE, description="Refresh", due=date(2026, 3, 1)
    )
    client.force_login(alice)
    response = client.post(
        url(partnership_a, f"respond/{recommendation.pk}"),
        entry_post(owner=str(alice.pk), actions=[str(action.pk)]),
    )
    entry = RecommendationResponse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(partnership_a, f"{entry.code}/")
    assert entry.owner == alice and entry.lead_agency == "police"
    assert list(entry.actions.all()) == [action]
    record = entry.history.get()
    assert record.history_user == alice and record.history_type == "+"
    assert record.history_change_reason == "created"
    page = client.get(url(partnership_a, f"{entry.code}/")).content.decode()
    assert "We will refresh the profile every year" in page and "Refresh" in page
    # A second visit to "record a response" goes to the existing entry instead of a duplicate.
    again = client.get(url(partnership_a, f"respond/{recommendation.pk}"))
    assert again["Location"] == url(partnership_a, f"{entry.code}/edit")


def test_an_action_can_serve_several_recommendations(client, alice, partnership_a):
    items = list(make_recommendation_set().recommendations.all())
    action = Action.objects.create(
        assessment=make_assessment(partnership_a),
        agency=Agency.POLICE,
        description="Shared",
        due=date(2026, 3, 1),
    )
    client.force_login(alice)
    for item in items:
        client.post(url(partnership_a, f"respond/{item.pk}"), entry_post(actions=[str(action.pk)]))
    assert action.recommendation_responses.count() == 2
    page = client.get(f"/assessments/{action.assessment.code}/actions/{action.code}/")
    html = page.content.decode()
    assert "Recommendations it delivers" in html
    assert "1: Profile every year" in html and "2: A national law" in html


def test_not_accepted_needs_a_reason_and_keeps_what_was_typed(
    client, alice, partnership_a, recommendation
):
    client.force_login(alice)
    response = client.post(
        url(partnership_a, f"respond/{recommendation.pk}"),
        entry_post(status="not_accepted", response="Our own careful words"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter why the recommendation is not accepted" in html
    assert "Our own careful words" in html
    assert not RecommendationResponse.objects.exists()


def test_free_text_is_checked_for_personal_details(client, alice, partnership_a, recommendation):
    client.force_login(alice)
    target = url(partnership_a, f"respond/{recommendation.pk}")
    text = "Call the officer on 07700 900123 about it."
    response = client.post(target, entry_post(response=text))
    html = response.content.decode()
    assert "Our response may contain personal details (a phone number)" in html
    assert "must not hold information that identifies a child" in html
    assert not RecommendationResponse.objects.exists()
    response = client.post(target, entry_post(response=text, confirm_personal_data="on"))
    assert response.status_code == 302


def test_a_contributor_of_the_lead_agency_updates_the_status_only(
    client, partnership_a, recommendation
):
    entry = make_entry(partnership_a, recommendation, response="First words", owner_role="Head")
    dana = make_contributor(partnership_a, Agency.POLICE)
    client.force_login(dana)
    edit = url(partnership_a, f"{entry.code}/edit")
    page = client.get(edit).content.decode()
    assert "Save progress" in page and "Lead agency" not in page
    response = client.post(
        edit, {"status": "in_progress", "response": "Started", "owner_role": "Someone else"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.response, entry.owner_role) == ("in_progress", "Started", "Head")
    latest = entry.history.order_by("-history_date").first()
    assert latest.history_user == dana and latest.history_change_reason == "status in progress"


def test_a_contributor_of_another_agency_cannot_change_the_entry(
    client, partnership_a, recommendation
):
    entry = make_entry(partnership_a, recommendation)
    health = make_contributor(partnership_a, Agency.HEALTH)
    client.force_login(health)
    assert client.get(url(partnership_a, f"{entry.code}/edit")).status_code == 403
    assert client.post(url(partnership_a, f"{entry.code}/milestones"), {}).status_code == 403
    assert client.get(url(partnership_a, f"{entry.code}/")).status_code == 200


def test_an_entry_without_a_lead_agency_is_for_leads_only(client, partnership_a, recommendation):
    entry = make_entry(partnership_a, recommendation, lead_agency="")
    client.force_login(make_contributor(partnership_a, Agency.POLICE))
    assert client.get(url(partnership_a, f"{entry.code}/edit")).status_code == 403


def test_viewers_read_the_register_but_see_no_buttons(client, bob, partnership_a, recommendation):
    entry = make_entry(partnership_a, recommendation)
    client.force_login(bob)
    html = client.get(url(partnership_a)).content.decode()
    assert "Profile every year" in html
    assert "Add a local recommendation" not in html and "Record a response" not in html
    assert "Update the" not in client.get(url(partnership_a, f"{entry.code}/")).content.decode()


def test_a_lead_adds_a_local_recommendation(client, alice, partnership_a):
    client.force_login(alice)
    response = client.post(
        url(partnership_a, "local"),
        entry_post(
            local_source="practice_review",
            local_title="Share health intelligence with the exploitation panel",
            local_summary="The review found health information reached the panel late.",
            local_reference="Local review, recommendation 3",
        ),
    )
    assert response.status_code == 302
    entry = RecommendationResponse.objects.get()
    assert entry.is_local and entry.number == "Local"
    assert entry.source_title == "Local child safeguarding practice review"
    assert "Share health intelligence" in client.get(url(partnership_a)).content.decode()


def test_a_local_recommendation_needs_a_title(client, alice, partnership_a):
    client.force_login(alice)
    response = client.post(url(partnership_a, "local"), entry_post(local_source="inspection"))
    assert "Enter a title for the recommendation" in response.content.decode()


def test_milestones_are_added_completed_and_recorded(client, alice, partnership_a, recommendation):
    entry = make_entry(partnership_a, recommendation)
    client.force_login(alice)
    response = client.post(
        url(partnership_a, f"{entry.code}/milestones"),
        {"due_0": "30", "due_1": "6", "due_2": "2026", "text": "Profile refreshed"},
    )
    assert response.status_code == 302
    milestone = entry.milestones.get()
    assert (milestone.due, milestone.text) == (date(2026, 6, 30), "Profile refreshed")
    client.post(url(partnership_a, f"{entry.code}/milestones/{milestone.code}/done"))
    milestone.refresh_from_db()
    assert milestone.done
    assert [h.history_change_reason for h in milestone.history.order_by("history_date")] == [
        "added",
        "done",
    ]


def test_a_milestone_without_a_date_gets_a_message(client, alice, partnership_a, recommendation):
    entry = make_entry(partnership_a, recommendation)
    client.force_login(alice)
    response = client.post(url(partnership_a, f"{entry.code}/milestones"), {"text": "Something"})
    assert response.status_code == 400
    assert "Enter the milestone date" in response.content.decode()


def test_the_dashboard_flags_overdue_milestones_and_entries_with_no_owner(
    client, alice, partnership_a, recommendation
):
    entry = make_entry(partnership_a, recommendation, owner=alice)
    client.force_login(alice)
    home = f"/partnerships/{partnership_a.code}/"
    assert "Recommendations register:" not in client.get(home).content.decode()
    Milestone.objects.create(
        response=entry, due=timezone.localdate() - timedelta(days=1), text="Late"
    )
    html = client.get(home).content.decode()
    assert "1 overdue milestone" in html and "no named owner" not in html
    entry.owner = None
    entry.save()
    html = client.get(home).content.decode()
    assert "1 overdue milestone, 1 entry with no named owner" in html
    # Implemented entries are no longer flagged.
    entry.status = "implemented"
    entry.save()
    assert "Recommendations register:" not in client.get(home).content.decode()


def test_the_register_carries_across_cycles_and_the_snapshot_keeps_it_as_it_was(
    alice, partnership_a, recommendation
):
    framework = make_framework()
    first = make_assessment(partnership_a, framework)
    entry = make_entry(partnership_a, recommendation, response="As signed", status="in_progress")
    put_in_review(first)
    snapshot = sign_off_by_board(first, alice)
    second = start_next_cycle(first, alice)
    entry.response, entry.status = "Changed later", "implemented"
    entry.save()
    frozen = snapshots.read(snapshot.data).register
    assert frozen is not None
    assert [(e["response"], e["status"]) for e in frozen] == [("As signed", "in_progress")]
    assert snapshots.check(snapshot).ok
    # The register belongs to the partnership: the next cycle sees the same, current entry.
    assert second.partnership.register.get().response == "Changed later"


def test_the_csv_has_every_entry_and_guards_against_formulas(
    client, bob, partnership_a, recommendation
):
    make_entry(partnership_a, recommendation, response="=HYPERLINK(1)")
    client.force_login(bob)
    response = client.get(url(partnership_a, "register.csv"))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith("attachment;")
    assert text.splitlines()[0].startswith("Source,Number,Title")
    assert "'=HYPERLINK(1)" in text and "Profile every year" in text


def test_the_awaiting_list_shows_local_recommendations_without_an_entry(
    client, alice, partnership_a, recommendation
):
    client.force_login(alice)
    html = client.get(url(partnership_a)).content.decode()
    awaiting = html[html.index("Awaiting a response") :]
    assert "Profile every year" in awaiting and "A national law" not in awaiting
    make_entry(partnership_a, recommendation)
    html = client.get(url(partnership_a)).content.decode()
    assert "Every recommendation that asks for local action has an entry" in html


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_publishing_makes_versions_with_a_pdf_and_earlier_ones_stay_downloadable(
    client, alice, partnership_a, recommendation
):
    owner = make_user("olu@example.org", "Olu Owner")
    make_member(partnership_a, owner, Role.CONTRIBUTOR, Agency.POLICE)
    entry = make_entry(
        partnership_a,
        recommendation,
        response="We refresh the profile each spring.",
        owner=owner,
        owner_role="Detective inspector, exploitation team",
        status="in_progress",
    )
    Milestone.objects.create(response=entry, due=date(2026, 4, 30), text="Partner data added")
    make_entry(
        partnership_a,
        make_recommendation_set().recommendations.get(number="2"),
        applies="no",
    )
    client.force_login(alice)
    publish = url(partnership_a, "publish")
    page = client.get(publish).content.decode()
    assert "It will list 1 recommendation" in page and "1 entry is not listed" in page
    response = client.post(
        publish, {"approved_on_0": "15", "approved_on_1": "1", "approved_on_2": "2026"}
    )
    assert response["Location"] == url(partnership_a, "published/1/")

    html = client.get(url(partnership_a, "published/1/")).content.decode()
    assert "Our response to the recommendations" in html
    assert "approved on 15 January 2026" in html
    assert "Detective inspector, exploitation team" in html and "Olu Owner" not in html
    assert "A national law" not in html

    first_pdf = client.get(url(partnership_a, "published/1/response.pdf")).content
    text = pdf_text(first_pdf)
    assert "Our response to the recommendations" in text
    assert "Profile every year" in text and "We refresh the profile each spring." in text
    assert "Detective inspector, exploitation team" in text and "Olu Owner" not in text
    assert "In progress" in text and "30 April 2026: Partner data added" in text
    assert "approved on 15 January 2026" in text
    assert PdfReader(io.BytesIO(first_pdf)).root_object.get("/MarkInfo") is not None

    # Version 2, with names chosen; version 1 stays exactly as it was.
    entry.status = "implemented"
    entry.save()
    client.post(
        publish,
        {"approved_on_0": "1", "approved_on_1": "3", "approved_on_2": "2026", "show_names": "on"},
    )
    assert PublishedResponse.objects.filter(partnership=partnership_a).count() == 2
    second = pdf_text(client.get(url(partnership_a, "published/2/response.pdf")).content)
    assert "Olu Owner" in second and "Implemented" in second
    assert client.get(url(partnership_a, "published/1/response.pdf")).content == first_pdf
    listing = client.get(url(partnership_a, "published/2/")).content.decode()
    assert url(partnership_a, "published/1/") in listing


def test_an_approval_date_in_the_future_is_refused(client, alice, partnership_a):
    client.force_login(alice)
    future = timezone.localdate() + timedelta(days=3)
    response = client.post(
        url(partnership_a, "publish"),
        {"approved_on_0": future.day, "approved_on_1": future.month, "approved_on_2": future.year},
    )
    assert "The date approved must be today or in the past" in response.content.decode()
    assert not PublishedResponse.objects.exists()


# A published response stored with schema version 1, as it would be read years later.
STORED_V1 = {
    "partnership": {"name": "Northdale Safeguarding Partnership", "area": "Northdale"},
    "approved_on": "2026-01-15",
    "published_at": "2026-01-16T09:30:00+00:00",
    "show_names": False,
    "entries": [
        {
            "code": "3f1c2f8e-2b7a-4c1e-9d59-0d5b3c1f7a10",
            "source": "Test recommendations",
            "set": {"slug": "test-recommendations", "version": "1.0"},
            "number": "1",
            "title": "Profile every year",
            "summary": "Refresh the problem profile at least once a year.",
            "citation": "Test, recommendation 1",
            "local_source": "",
            "questions": ["AA-01"],
            "applies": "yes",
            "applies_how": "",
            "response": "Every spring.",
            "lead_agency": "police",
            "lead_agency_label": "Police",
            "owner": "olu@example.org",
            "owner_name": "Olu Owner",
            "owner_role": "",
            "status": "in_progress",
            "status_label": "In progress",
            "not_accepted_reason": "",
            "milestones": [{"due": "2026-04-30", "text": "Data", "done": False, "overdue": False}],
            "actions": [],
            "updated": "2026-01-10T12:00:00+00:00",
        }
    ],
}


def test_a_stored_version_1_response_is_read_back(partnership_a):
    from assessment.register import published_view

    stored = PublishedResponse(
        partnership=partnership_a,
        version=3,
        approved_on=date(2026, 1, 15),
        schema_version=1,
        data=STORED_V1,
    )
    view = published_view(stored)
    assert (view.version, view.approved_on) == (3, date(2026, 1, 15))
    [entry] = view.entries
    assert entry.owner == "Not yet named"  # no role given and names not chosen
    assert entry.milestones[0]["due"] == date(2026, 4, 30)
    stored.schema_version = 99
    with pytest.raises(ValueError):
        published_view(stored)


def test_a_snapshot_before_version_3_has_no_register_and_the_report_says_so(
    alice, partnership_a, recommendation
):
    from assessment.register import report_section

    make_entry(partnership_a, recommendation)
    record = snapshots.read({"schema_version": 2, "assessment": {}, "answers": []})
    assert record.register is None
    section = report_section(make_assessment(partnership_a), {"AA": {"AA-01"}}, record)
    assert not section.recorded and section.summary is None
    # The recommendations related to the gaps are content, so they are still listed.
    assert [r.number for r in section.by_theme["AA"]] == ["1"]

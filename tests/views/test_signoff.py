"""Sign-off as a governance step: representatives named, approvals, returns, the board's approval,
challenges left open with a reason, and what the sign-off page shows."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from assessment import snapshots
from assessment.models import (
    Action,
    Agency,
    Approval,
    Challenge,
    ChallengeNote,
    Representative,
    Role,
    Snapshot,
    Status,
)
from assessment.signoff import approve, return_for_changes
from assessment.workflow import confirm_answers, sign_off, submit
from tests.factories import (
    make_assessment,
    make_contributor,
    make_member,
    make_user,
    put_in_review,
    sign_off_by_board,
    start_next_cycle,
)
from tests.views.test_results import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(partnership_a, alice):
    pat = make_contributor(partnership_a, Agency.POLICE, "pat@example.org")
    hal = make_contributor(partnership_a, Agency.HEALTH, "hal@example.org")
    return {"local_authority": alice, "police": pat, "integrated_care_board": hal}


@pytest.fixture
def named(client, alice, partnership_a, people):
    """The three statutory partners' representatives, named through the settings page."""
    codes = {
        partner: str(person.memberships.get(partnership=partnership_a).code)
        for partner, person in people.items()
    }
    client.force_login(alice)
    response = client.post(
        f"/partnerships/{partnership_a.code}/settings", {"representatives": "1", **codes}
    )
    assert response.status_code == 302
    return people


@pytest.fixture
def in_review(partnership_a, alice):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor", "BB-01": "good"})
    submit(assessment=assessment, user=alice)
    return assessment


def post_approval(client, person, assessment, **data):
    client.force_login(person)
    return client.post(f"/assessments/{assessment.code}/approve", data)


# Naming the representatives --------------------------------------------------------------------


def test_the_settings_page_names_one_representative_per_partner_of_the_nation(
    client, alice, partnership_a, named
):
    assert set(
        Representative.objects.filter(partnership=partnership_a).values_list(
            "partner", "membership__user__email"
        )
    ) == {
        ("local_authority", "alice@example.org"),
        ("police", "pat@example.org"),
        ("integrated_care_board", "hal@example.org"),
    }
    page = client.get(f"/partnerships/{partnership_a.code}/settings").content.decode()
    assert "Integrated care board representative" in page
    assert "Local health board" not in page


def test_a_welsh_board_names_its_local_health_board(client, charlie, partnership_b):
    client.force_login(charlie)
    page = client.get(f"/partnerships/{partnership_b.code}/settings").content.decode()
    assert "Local health board representative" in page
    assert "Integrated care board" not in page


def test_scrutineers_and_outsiders_cannot_be_named(client, alice, partnership_a, charlie):
    sam = make_user("sam@example.org", "Sam Scrutineer")
    scrutiny = make_member(partnership_a, sam, Role.SCRUTINEER, Agency.OTHER)
    client.force_login(alice)
    page = client.get(f"/partnerships/{partnership_a.code}/settings").content.decode()
    assert "Alice Lead (Lead, Children&#x27;s social care)</option>" in page
    assert "Sam Scrutineer (Scrutineer" not in page  # not among the choices
    outsider = charlie.memberships.get()
    for code in (scrutiny.code, outsider.code):
        response = client.post(
            f"/partnerships/{partnership_a.code}/settings",
            {"representatives": "1", "police": str(code)},
        )
        assert response.status_code == 400
        assert "Select a member of the partnership to approve for the police" in (
            response.content.decode()
        )
    assert not Representative.objects.exists()


# Approving, returning ------------------------------------------------------------------------


def test_signed_off_when_all_three_approve_after_a_return(client, alice, named, in_review):
    pat, hal = named["police"], named["integrated_care_board"]
    post_approval(client, alice, in_review)
    post_approval(client, pat, in_review)
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW
    page = client.get(f"/assessments/{in_review.code}/sign-off").content.decode()
    assert "Waiting for approval from: integrated care board." in page

    client.force_login(hal)
    response = client.post(
        f"/assessments/{in_review.code}/return-for-changes", {"return-reason": ""}
    )
    assert response.status_code == 400
    assert "Enter what needs to change before you can approve it" in response.content.decode()
    client.post(
        f"/assessments/{in_review.code}/return-for-changes",
        {"return-reason": "The health figures for AA-02 are a year old"},
    )
    in_review.refresh_from_db()
    assert in_review.status == Status.DRAFT

    submit(assessment=in_review, user=alice)
    assert in_review.review_round == 2
    for person in (alice, pat):
        post_approval(client, person, in_review)
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW  # round 1's approvals do not count
    response = post_approval(client, hal, in_review)
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == Status.SIGNED_OFF and in_review.signed_off_by == hal

    record = snapshots.read(Snapshot.objects.get().data)
    assert record.approvals is not None
    assert [(a.round, a.partner, a.decision) for a in record.approvals] == [
        (1, "local_authority", "approved"),
        (1, "police", "approved"),
        (1, "integrated_care_board", "returned"),
        (2, "local_authority", "approved"),
        (2, "police", "approved"),
        (2, "integrated_care_board", "approved"),
    ]
    activity = client.get(f"/assessments/{in_review.code}/activity").content.decode()
    assert "approved it for police" in activity
    assert "returned it for changes for integrated care board: The health figures" in activity
    assert "signed off by Hal" in activity or "signed off by Dana Contributor" in activity


def test_only_representatives_approve_or_return(client, bob, named, partnership_a, in_review):
    education = make_contributor(partnership_a, Agency.EDUCATION, "ed@example.org")
    for person in (bob, education):
        assert post_approval(client, person, in_review).status_code == 403
        response = client.post(
            f"/assessments/{in_review.code}/return-for-changes", {"return-reason": "No"}
        )
        assert response.status_code == 403
    assert not Approval.objects.exists()


def test_the_submitter_cannot_be_the_only_approver(alice, partnership_a, in_review):
    for partner in ("local_authority", "police", "integrated_care_board"):
        Representative.objects.create(
            partnership=partnership_a,
            partner=partner,
            membership=alice.memberships.get(partnership=partnership_a),
        )
    assert approve(assessment=in_review, user=alice) is None
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW
    with pytest.raises(ValidationError, match="Someone other than the person who submitted"):
        sign_off(assessment=in_review, user=alice)


def test_sign_off_is_refused_until_every_partner_has_approved(alice, named, in_review):
    approve(assessment=in_review, user=alice)
    with pytest.raises(ValidationError, match="Waiting for approval from: police"):
        sign_off(assessment=in_review, user=alice)


def test_returning_needs_a_reason_and_a_review(alice, named, partnership_a):
    draft = make_assessment(partnership_a)
    with pytest.raises(ValidationError, match="in review"):
        return_for_changes(assessment=draft, user=alice, reason="Not yet")
    with pytest.raises(ValidationError, match="Enter what needs to change"):
        return_for_changes(assessment=draft, user=alice, reason=" ")


# Challenges left open ------------------------------------------------------------------------


def test_open_challenges_need_a_reason_each_and_the_reason_is_kept(client, alice, named, in_review):
    challenge = Challenge.objects.create(
        assessment=in_review, text="Is the profile really current?"
    )
    page = client.get(f"/assessments/{in_review.code}/sign-off").content.decode()
    assert "Is the profile really current?" in page
    response = post_approval(client, alice, in_review)
    assert response.status_code == 400
    assert (
        "Enter why the challenge on the whole self-assessment is being left open"
        in response.content.decode()
    )
    assert not Approval.objects.exists()
    post_approval(
        client,
        alice,
        in_review,
        **{f"approve-left_open_{challenge.code}": "The new profile is due in June"},
    )
    # A reason given in this round covers the later approvers.
    post_approval(client, named["police"], in_review)
    post_approval(client, named["integrated_care_board"], in_review)
    in_review.refresh_from_db()
    assert in_review.status == Status.SIGNED_OFF
    record = snapshots.read(Snapshot.objects.get().data)
    assert record.challenges is not None
    (kept,) = record.challenges
    assert kept.is_open
    assert [(n.kind, n.text) for n in kept.notes] == [
        (ChallengeNote.LEFT_OPEN, "The new profile is due in June")
    ]
    page = client.get(f"/assessments/{in_review.code}/sign-off").content.decode()
    assert "The new profile is due in June" in page


# The board's approval --------------------------------------------------------------------------


def test_a_lead_records_the_boards_approval_instead(client, alice, in_review):
    client.force_login(alice)
    response = client.post(f"/assessments/{in_review.code}/board-approval", {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the date of the board meeting" in html and "Enter your name" in html
    response = client.post(
        f"/assessments/{in_review.code}/board-approval",
        {
            "board-meeting_0": "12",
            "board-meeting_1": "6",
            "board-meeting_2": "2025",
            "board-name": "Alice Lead",
            "board-role": "Independent chair",
        },
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == Status.SIGNED_OFF
    board = Approval.objects.get()
    assert (board.board_meeting, board.recorded_name, board.recorded_role) == (
        date(2025, 6, 12),
        "Alice Lead",
        "Independent chair",
    )
    page = client.get(f"/assessments/{in_review.code}/sign-off").content.decode()
    assert "Self-assessment signed off" in page and "What happens next" in page
    assert "12 June 2025" in page and "Independent chair" in page
    assert "a tamper-evident copy is kept" in page.lower()
    assert "Show the fingerprint" in page and Snapshot.objects.get().sha256 in page
    activity = client.get(f"/assessments/{in_review.code}/activity").content.decode()
    assert "recorded the board&#x27;s approval at its meeting on 12 June 2025" in activity


# What the page shows ----------------------------------------------------------------------------


def test_the_sign_off_page_shows_what_the_signers_need(client, alice, named, partnership_a):
    in_review = make_assessment(partnership_a)
    answer_all(in_review, alice, {"AA-01": "good", "AA-02": "poor"})  # BB-01 (critical) left
    put_in_review(in_review)
    Action.objects.create(
        assessment=in_review,
        agency=Agency.POLICE,
        description="Refresh the problem profile",
        due=date.today() - timedelta(days=3),
    )
    client.force_login(named["police"])
    page = client.get(f"/assessments/{in_review.code}/sign-off").content.decode()
    assert "Overall rating" in page
    assert "Critical findings" in page
    assert "Critical questions not answered" in page and "BB-01" in page
    assert "Refresh the problem profile" in page  # overdue
    assert "Board meeting" in page and "Not recorded" in page
    assert "By approving, you confirm that" in page and "You approve for police" in page
    assert "Return for changes" in page
    assert "Record the board" not in page  # that is for leads
    assert "SHA-256" not in page


def test_answers_confirmed_without_change_are_counted(client, alice, partnership_a):
    first = make_assessment(partnership_a)
    answer_all(first, alice, {"AA-01": "good", "AA-02": "good", "BB-01": "good"})
    submit(assessment=first, user=alice)
    sign_off_by_board(first, alice)
    following = start_next_cycle(first, alice)
    questions = list(
        following.framework.themes.get(code="AA").questions.filter(code__in=["AA-01", "AA-02"])
    )
    confirm_answers(assessment=following, questions=questions, user=alice)
    answer_all(following, alice, {"AA-02": "poor"})
    client.force_login(alice)
    page = client.get(f"/assessments/{following.code}/sign-off").content.decode()
    assert "1 answer: AA-01" in page


def test_the_dashboard_of_a_partnership_whose_current_cycle_is_signed_off(
    client, alice, partnership_a, in_review
):
    sign_off_by_board(in_review, alice)
    client.force_login(alice)
    response = client.get(f"/partnerships/{partnership_a.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    # Each theme's answers are read from the snapshot, not the live rows.
    assert 'Theme AA</th><td class="govuk-table__cell govuk-table__cell--numeric">3 of 3' in html

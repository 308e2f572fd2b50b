"""Starting a cycle, the task list, assigning themes, checking, submitting, signing off, reopening."""

import re

import pytest

from assessment import snapshots
from assessment.models import (
    Agency,
    Answer,
    Assessment,
    Assignment,
    Reopening,
    Role,
    Snapshot,
    Status,
)
from assessment.workflow import save_answers
from tests.factories import (
    found,
    make_assessment,
    make_framework,
    make_member,
    make_user,
    put_in_review,
    sign_off_as_is,
    sign_off_by_board,
)
from tests.test_workflow import change

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(partnership_a, alice):
    return make_assessment(partnership_a)


BOARD = {
    "board-meeting_0": "12",
    "board-meeting_1": "6",
    "board-meeting_2": "2025",
    "board-name": "Alice Lead",
    "board-role": "Business manager",
}


def start_data(framework_obj, **extra) -> dict:
    return {
        "title": "Self-assessment 2025 to 2026",
        "period_start_0": "1",
        "period_start_1": "4",
        "period_start_2": "2025",
        "period_end_0": "31",
        "period_end_1": "3",
        "period_end_2": "2026",
        "framework": str(framework_obj.pk),
        "carried_from": "",
        **extra,
    }


def complete_everything(assessment, user):
    codes = ["AA-01", "AA-02", "BB-01", "BB-02"]
    save_answers(
        assessment=assessment,
        changes=[change(assessment, c) for c in codes],
        user=user,
        agency="police",
    )
    from assessment.models import Question
    from assessment.workflow import Change, values_of

    indicator = Question.objects.get(theme__framework=assessment.framework, code="AA-03")
    values = values_of(None) | {"numerator": 3, "denominator": 10, "evidence": "System report"}
    save_answers(
        assessment=assessment, changes=[Change(indicator, values, 0)], user=user, agency="police"
    )


# Starting ------------------------------------------------------------------------------------


def test_a_lead_starts_a_self_assessment(client, alice, partnership_a):
    framework = make_framework()
    client.force_login(alice)
    page = client.get(f"/partnerships/{partnership_a.code}/assessments/new")
    assert "Newest" in page.content.decode()
    response = client.post(
        f"/partnerships/{partnership_a.code}/assessments/new", start_data(framework)
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/assessments/{assessment.code}/"
    assert (assessment.title, assessment.framework, assessment.created_by) == (
        "Self-assessment 2025 to 2026",
        framework,
        alice,
    )
    assert str(assessment.period_end) == "2026-03-31"


def test_the_start_page_offers_the_newest_framework_version_first(client, alice, partnership_a):

    newest = make_framework(version="2022.2")
    make_framework(version="2022.1")  # loaded later, but older
    client.force_login(alice)
    html = client.get(f"/partnerships/{partnership_a.code}/assessments/new").content.decode()
    checked = found(r'<input[^>]*name="framework"[^>]*checked[^>]*>', html)[0]
    assert f'value="{newest.pk}"' in checked
    assert html.index("version 2022.2") < html.index("version 2022.1")


def test_starting_from_a_previous_cycle_carries_its_answers(
    client, alice, partnership_a, assessment
):
    save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    client.force_login(alice)
    page = client.get(f"/partnerships/{partnership_a.code}/assessments/new").content.decode()
    assert "Carry over from" not in page  # a draft is no baseline
    sign_off_as_is(assessment, alice)
    client.post(
        f"/partnerships/{partnership_a.code}/assessments/new",
        start_data(assessment.framework, carried_from=str(assessment.pk), title="Next year"),
    )
    new = Assessment.objects.get(title="Next year")
    assert new.carried_from == assessment
    assert new.answers.get().needs_reconfirmation
    assert "Needs confirming" in client.get(f"/assessments/{new.code}/").content.decode()


def test_the_start_form_suggests_the_next_period_and_title(client, alice, partnership_a):
    # 1 April 2024 to 31 March 2025, signed off: the cycle a new one follows.
    sign_off_as_is(make_assessment(partnership_a), alice)
    client.force_login(alice)
    html = client.get(f"/partnerships/{partnership_a.code}/assessments/new").content.decode()
    assert 'value="Self-assessment 2025 to 2026"' in html
    for name, value in (
        ("period_start_0", "1"),
        ("period_start_1", "4"),
        ("period_start_2", "2025"),
        ("period_end_0", "31"),
        ("period_end_1", "3"),
        ("period_end_2", "2026"),
    ):
        assert re.search(rf'name="{name}"[^>]*value="{value}"', html), name
    assert "For example, 1 4 2025" in html and "For example, 31 3 2026" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter a title"),
        (
            {"period_end_0": "", "period_end_1": "", "period_end_2": ""},
            "Enter the end of the period assessed",
        ),
        ({"period_end_2": "2024"}, "The end of the period must be after the start"),
        ({"period_start_1": "13"}, "Start of the period assessed must be a real date"),
        ({"framework": "99999"}, "Select a framework version"),
        ({"carried_from": "99999"}, "Select where to start from"),
    ],
)
def test_starting_with_bad_input_names_the_field(client, alice, partnership_a, changes, message):
    framework = make_framework()
    client.force_login(alice)
    response = client.post(
        f"/partnerships/{partnership_a.code}/assessments/new", start_data(framework, **changes)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert not Assessment.objects.exists()


def test_a_previous_cycle_of_another_partnership_cannot_be_carried(
    client, alice, charlie, partnership_a, partnership_b
):
    theirs = make_assessment(partnership_b)
    client.force_login(alice)
    response = client.post(
        f"/partnerships/{partnership_a.code}/assessments/new",
        start_data(theirs.framework, carried_from=str(theirs.pk)),
    )
    assert "Select where to start from" in response.content.decode()
    assert Assessment.objects.count() == 1


def test_only_leads_start_self_assessments(client, bob, charlie, partnership_a):
    make_framework()
    client.force_login(bob)
    assert client.get(f"/partnerships/{partnership_a.code}/assessments/new").status_code == 403
    client.force_login(charlie)
    assert client.get(f"/partnerships/{partnership_a.code}/assessments/new").status_code == 404


# The task list and other pages ---------------------------------------------------------------

PAGES = ["", "check", "activity", "sign-off", "challenges/"]
LEAD_PAGES = ["assign", "reopen"]


@pytest.mark.parametrize("page", PAGES + LEAD_PAGES)
def test_an_outsider_gets_404(client, charlie, assessment, page):
    client.force_login(charlie)
    assert client.get(f"/assessments/{assessment.code}/{page}").status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_viewer_can_read(client, bob, assessment, page):
    client.force_login(bob)
    assert client.get(f"/assessments/{assessment.code}/{page}").status_code == 200


@pytest.mark.parametrize("page", [*LEAD_PAGES, "submit", "return", "board-approval"])
def test_a_viewer_cannot_manage(client, bob, assessment, page):
    client.force_login(bob)
    assert client.post(f"/assessments/{assessment.code}/{page}", {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.SCRUTINEER])
def test_contributors_and_scrutineers_cannot_sign_off(client, partnership_a, assessment, role):
    user = make_user("x@example.org")
    make_member(partnership_a, user, role)
    assessment.status = Status.IN_REVIEW
    assessment.save()
    client.force_login(user)
    assert client.post(f"/assessments/{assessment.code}/board-approval").status_code == 403
    assert client.post(f"/assessments/{assessment.code}/approve").status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW


def test_the_task_list_shows_each_theme_with_status_and_progress(client, alice, assessment):
    save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/").content.decode()
    assert "govuk-task-list" in html
    assert "1 of 3 answered" in html and "In progress" in html
    assert "0 of 2 answered" in html and "Not started" in html


def test_leads_assign_themes_and_contributors_see_theirs_first(
    client, alice, partnership_a, assessment
):
    client.force_login(alice)
    response = client.post(
        f"/assessments/{assessment.code}/assign", {"theme_BB": ["police", "health"]}
    )
    assert response.status_code == 302
    assert set(Assignment.objects.values_list("theme__code", "agency")) == {
        ("BB", "police"),
        ("BB", "health"),
    }
    dana = make_user("dana@example.org")
    make_member(partnership_a, dana, Role.CONTRIBUTOR, Agency.POLICE)
    client.force_login(dana)
    html = client.get(f"/assessments/{assessment.code}/").content.decode()
    assert html.index("2. Theme BB") < html.index("1. Theme AA")
    assert "<strong>your agency</strong>" in html


def test_an_unknown_agency_cannot_be_assigned(client, alice, assessment):
    client.force_login(alice)
    response = client.post(f"/assessments/{assessment.code}/assign", {"theme_BB": ["aliens"]})
    assert "There is a problem" in response.content.decode()
    assert not Assignment.objects.exists()


def test_check_your_answers_lists_the_gaps(client, alice, assessment):
    save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/check").content.decode()
    assert "4 required questions still to answer or confirm" in html
    assert "Good answer (good)" in html
    assert "<strong>How do you know?</strong>" in html and "?:" not in html


def test_every_gap_on_check_your_answers_links_to_its_questions_first_input(client):
    """On the real question bank: each link lands on a box of the theme page that exists."""
    import re

    from assessment.frameworks import load, read
    from tests.factories import make_partnership
    from tests.test_question_bank import BANK

    framework, _ = load(read(BANK))
    partnership = make_partnership("Check partnership")
    lead = make_user("lead@check.example")
    make_member(partnership, lead, Role.LEAD, Agency.POLICE)
    assessment = make_assessment(partnership, framework)
    client.force_login(lead)
    html = client.get(f"/assessments/{assessment.code}/check").content.decode()
    start = html.index("still to answer or confirm")
    gaps = html[start : html.index("</ul>", start)]
    links = re.findall(r'href="/assessments/[^/]+/themes/([^/]+)/#([^"]+)"', gaps)
    assert len(links) > 30
    pages = {}
    for theme, anchor in links:
        if theme not in pages:
            pages[theme] = client.get(f"/assessments/{assessment.code}/themes/{theme}/")
            pages[theme] = set(
                re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', pages[theme].content.decode())
            )
        assert anchor in pages[theme], anchor


def test_submitting_with_gaps_is_refused(client, alice, assessment):
    client.force_login(alice)
    response = client.post(f"/assessments/{assessment.code}/submit", follow=True)
    assert "5 required questions still to answer or confirm" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_the_full_cycle_submit_sign_off_reopen(client, alice, assessment):
    complete_everything(assessment, alice)
    client.force_login(alice)
    client.post(f"/assessments/{assessment.code}/submit")
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW

    response = client.post(f"/assessments/{assessment.code}/board-approval", BOARD)
    assert response.status_code == 302
    assessment.refresh_from_db()
    snapshot = Snapshot.objects.get()
    assert assessment.status == Status.SIGNED_OFF and snapshots.check(snapshot).ok
    html = client.get(f"/assessments/{assessment.code}/").content.decode()
    assert "tamper-evident copy is kept" in html and "locked" in html
    assert snapshot.sha256 not in html  # the fingerprint is there on request, on the sign-off page
    assert (
        snapshot.sha256 in client.get(f"/assessments/{assessment.code}/sign-off").content.decode()
    )

    response = client.post(f"/assessments/{assessment.code}/reopen", {"reason": ""})
    assert "Enter why the self-assessment is being reopened" in response.content.decode()
    client.post(f"/assessments/{assessment.code}/reopen", {"reason": "Health figures were wrong"})
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT
    assert Reopening.objects.get().reason == "Health figures were wrong"
    activity = client.get(f"/assessments/{assessment.code}/activity").content.decode()
    assert "reopened by Alice Lead: Health figures were wrong" in activity
    assert "signed off by Alice Lead" in activity


def test_signing_off_twice_or_from_draft_is_refused(client, alice, assessment):
    client.force_login(alice)
    response = client.post(f"/assessments/{assessment.code}/board-approval", BOARD)
    assert response.status_code == 400
    assert "Only a self-assessment in review can be approved" in response.content.decode()


def test_a_lead_can_return_a_submitted_assessment_to_draft(client, alice, assessment):
    complete_everything(assessment, alice)
    put_in_review(assessment)
    client.force_login(alice)
    client.post(f"/assessments/{assessment.code}/return")
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_the_partnership_page_lists_its_assessments_only(client, alice, partnership_b, assessment):
    make_assessment(partnership_b, title="Their secret cycle")
    client.force_login(alice)
    html = client.get(f"/partnerships/{assessment.partnership.code}/").content.decode()
    assert "Self-assessment 2025" in html and "Their secret cycle" not in html
    assert "Start a self-assessment" in html


def _not_answered_row(html: str) -> str:
    """The sign-off summary's "Critical questions not answered" value."""
    row = html[html.index("Critical questions not answered</dt>") :]
    return row[: row.index("</dd>")]


def test_the_sign_off_page_lists_critical_questions_not_answered(client, alice, assessment):
    from tests.views.test_results import answer_all

    answer_all(assessment, alice, {"AA-02": "good", "BB-01": "established"})  # AA-01 left empty
    client.force_login(alice)
    row = _not_answered_row(client.get(f"/assessments/{assessment.code}/sign-off").content.decode())
    assert "AA-01" in row and "BB-01" not in row and "None" not in row


def test_the_sign_off_page_says_when_every_critical_question_is_answered(client, alice, assessment):
    from tests.views.test_results import answer_all

    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "good", "BB-01": "good"})
    client.force_login(alice)
    row = _not_answered_row(client.get(f"/assessments/{assessment.code}/sign-off").content.decode())
    assert "None" in row and "AA-01" not in row


def test_a_locked_assessment_keeps_its_answers_after_sign_off(alice, assessment):
    complete_everything(assessment, alice)
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    assert Answer.objects.filter(assessment=assessment).count() == 5


def test_a_date_error_links_to_the_day_box(client, alice, partnership_a):
    framework = make_framework()
    client.force_login(alice)
    data = start_data(framework, period_end_0="", period_end_1="", period_end_2="")
    html = client.post(f"/partnerships/{partnership_a.code}/assessments/new", data).content.decode()
    assert 'href="#id_period_end_0"' in html and 'id="id_period_end_0"' in html


def test_a_second_open_cycle_cannot_be_started(client, alice, partnership_a, assessment):
    client.force_login(alice)
    response = client.post(
        f"/partnerships/{partnership_a.code}/assessments/new", start_data(assessment.framework)
    )
    assert response.status_code == 200
    assert "Self-assessment 2025 is still open (draft)" in response.content.decode()
    assert Assessment.objects.count() == 1


def test_a_cycle_in_review_cannot_be_carried_over(alice, partnership_a, assessment):
    from datetime import date

    from django.core.exceptions import ValidationError

    from assessment.workflow import start_assessment

    assessment.status = Status.IN_REVIEW
    assessment.save()
    with pytest.raises(ValidationError, match="is not signed off"):
        start_assessment(
            partnership=partnership_a,
            framework=assessment.framework,
            title="Next",
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
            created_by=alice,
            carried_from=assessment,
        )


def test_reopening_is_refused_while_another_cycle_is_open(client, alice, partnership_a):
    older = make_assessment(partnership_a, title="Older")
    sign_off_as_is(older, alice)
    make_assessment(partnership_a, title="Current draft")
    client.force_login(alice)
    response = client.post(
        f"/assessments/{older.code}/reopen", {"reason": "A correction from the board"}
    )
    assert "Current draft is still open (draft)" in response.content.decode()
    older.refresh_from_db()
    assert older.status == Status.SIGNED_OFF

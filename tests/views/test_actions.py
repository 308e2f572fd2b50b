"""The action plan: suggestions, creating and updating actions, notes, history, CSV, carrying over."""

import csv
import io
import re
from datetime import date, timedelta

import pytest

from assessment import snapshots
from assessment.models import Action, ActionNote, ActionStatus, Agency, Role
from tests.factories import (
    found,
    make_assessment,
    make_member,
    make_partnership,
    make_user,
    put_in_review,
    sign_off_by_board,
    start_next_cycle,
)
from tests.factories import (
    make_contributor as contributor,
)
from tests.views.test_results import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "developing", "BB-01": "poor"})
    return assessment


def make_action(assessment, user, agency=Agency.POLICE, **fields) -> Action:
    defaults = {
        "description": "Refresh the problem profile",
        "due": date(2025, 12, 31),
        "question_codes": ["AA-01"],
    }
    return Action.objects.create(
        assessment=assessment,
        raised_in=assessment,
        agency=agency,
        created_by=user,
        **(defaults | fields),
    )


def action_data(**changes) -> dict:
    return {
        "description": "Train all police staff on victim-blaming language",
        "agency": "police",
        "owner": "",
        "due_0": "31",
        "due_1": "12",
        "due_2": "2025",
        "priority": "high",
        "status": "not_started",
        "dropped_reason": "",
        "question_codes": ["AA-01"],
        **changes,
    }


def test_every_critical_finding_and_poor_answer_gets_a_suggestion_never_an_action(
    client, alice, assessment
):
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/actions/").content.decode()
    assert "Suggested actions (2)" in html  # AA-01 and BB-01, both critical and poor
    # An outcome with its owner and a verb, drawn from the "good" option; below the plan.
    assert "Police to make sure good answer." in html
    assert html.index("</table>") < html.index('<details class="govuk-details" id="suggested">')
    assert "Add an action for AA-01" in html
    assert not Action.objects.exists()


def test_suggestions_are_outcomes_drawn_from_the_good_option():
    from types import SimpleNamespace

    from assessment.views.actions import suggestion_text

    def question(label):
        option = SimpleNamespace(level="good", label=label)
        return SimpleNamespace(code="PP-04", options=SimpleNamespace(all=lambda: [option]))

    assert (
        suggestion_text(question("As above, and classification is audited regularly."), "Police")
        == "Police to make sure classification is audited regularly"
    )
    assert (
        suggestion_text(question("Yes"), "Health")
        == "Health to make sure the answer to PP-04 becomes “Yes”"
    )


def test_a_suggestion_prefills_the_form_and_disappears_once_acted_on(client, alice, assessment):
    client.force_login(alice)
    page = client.get(
        f"/assessments/{assessment.code}/actions/new?question=AA-01&text=Do+the+thing"
    ).content.decode()
    assert "Do the thing" in page
    assert re.search(r'value="AA-01"\s+checked', page)
    response = client.post(f"/assessments/{assessment.code}/actions/new", action_data())
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.agency, action.priority, action.question_codes, action.created_by) == (
        "police",
        "high",
        ["AA-01"],
        alice,
    )
    html = client.get(f"/assessments/{assessment.code}/actions/").content.decode()
    assert "Suggested actions (1)" in html


def test_a_new_action_starts_not_started_whatever_is_posted(client, alice, assessment):
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/actions/new").content.decode()
    assert 'name="status"' not in page
    client.post(f"/assessments/{assessment.code}/actions/new", action_data(status="done"))
    assert Action.objects.get().status == ActionStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": ""}, "Enter what will be done"),
        (
            {"due_0": "1", "due_1": "1", "due_2": "2024"},
            "The due date must be on or after 1 April 2024",
        ),
        ({"due_0": "", "due_1": "", "due_2": ""}, "Enter the due date"),
        ({"owner": "999999"}, "Select a member of this partnership as the owner"),
        ({"question_codes": ["ZZ-99"]}, "Select only questions of this framework"),
    ],
)
def test_bad_input_is_named_and_nothing_typed_is_lost(client, alice, assessment, changes, message):
    client.force_login(alice)
    response = client.post(f"/assessments/{assessment.code}/actions/new", action_data(**changes))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html and message in html
    if changes.get("description") != "":
        assert "Train all police staff on victim-blaming language" in html
    assert not Action.objects.exists()


def test_an_owner_from_another_partnership_is_refused(client, alice, charlie, assessment):
    client.force_login(alice)
    response = client.post(
        f"/assessments/{assessment.code}/actions/new", action_data(owner=str(charlie.pk))
    )
    assert "Select a member of this partnership as the owner" in response.content.decode()


def test_contributors_update_their_agencys_actions_with_dated_notes(
    client, alice, partnership_a, assessment
):
    police = contributor(partnership_a, Agency.POLICE)
    action = make_action(assessment, alice, Agency.POLICE)
    client.force_login(police)
    response = client.post(
        f"/assessments/{assessment.code}/actions/{action.code}/edit",
        {"status": "in_progress", "note": "Training booked for March"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    note = ActionNote.objects.get()
    assert (note.kind, note.author, note.text) == ("progress", police, "Training booked for March")
    history = client.get(f"/assessments/{assessment.code}/actions/{action.code}/").content.decode()
    assert "status in progress" in history and "Dana Contributor" in history


def test_contributors_cannot_touch_other_agencies_actions(client, alice, partnership_a, assessment):
    health = contributor(partnership_a, Agency.HEALTH, "hana@example.org")
    action = make_action(assessment, alice, Agency.POLICE)
    client.force_login(health)
    assert (
        client.post(
            f"/assessments/{assessment.code}/actions/{action.code}/edit", {"status": "done"}
        ).status_code
        == 403
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED


def test_a_contributor_dropping_an_action_must_say_why(client, alice, partnership_a, assessment):
    police = contributor(partnership_a)
    action = make_action(assessment, alice)
    client.force_login(police)
    response = client.post(
        f"/assessments/{assessment.code}/actions/{action.code}/edit",
        {"status": "dropped", "note": "Kept note"},
    )
    assert "Enter why the action was dropped" in response.content.decode()
    assert "Kept note" in response.content.decode()


def test_scrutineers_comment_and_viewers_read(client, alice, bob, partnership_a, assessment):
    scrutineer = make_user("sam@example.org", "Sam Scrutineer")
    make_member(partnership_a, scrutineer, Role.SCRUTINEER, Agency.OTHER)
    action = make_action(assessment, alice)
    client.force_login(scrutineer)
    assert (
        client.post(
            f"/assessments/{assessment.code}/actions/{action.code}/edit", {"status": "done"}
        ).status_code
        == 403
    )
    client.post(
        f"/assessments/{assessment.code}/actions/{action.code}/comment",
        {"text": "Is the date realistic?"},
    )
    assert ActionNote.objects.get().kind == "comment"
    client.force_login(bob)
    assert (
        "Is the date realistic?"
        in client.get(f"/assessments/{assessment.code}/actions/{action.code}/").content.decode()
    )
    assert (
        client.post(
            f"/assessments/{assessment.code}/actions/{action.code}/comment", {"text": "x"}
        ).status_code
        == 403
    )
    assert client.get(f"/assessments/{assessment.code}/actions/new").status_code == 403


def test_an_outsider_gets_404_everywhere(client, alice, charlie, assessment):
    action = make_action(assessment, alice)
    client.force_login(charlie)
    for path in ["", "new", "export.csv", f"{action.code}/", f"{action.code}/edit"]:
        assert client.get(f"/assessments/{assessment.code}/actions/{path}").status_code == 404
    other = make_assessment(make_partnership("Elsewhere"))
    client.force_login(alice)
    assert client.get(f"/assessments/{other.code}/actions/{action.code}/").status_code == 404


def test_filters_and_overdue_flags(client, alice, partnership_a, assessment):
    police = contributor(partnership_a)
    yesterday = date.today() - timedelta(days=1)
    make_action(
        assessment,
        alice,
        Agency.POLICE,
        description="Late police action",
        due=yesterday,
        owner=police,
    )
    make_action(
        assessment,
        alice,
        Agency.HEALTH,
        description="Health action soon",
        due=date.today() + timedelta(days=10),
        question_codes=["BB-01"],
    )
    make_action(
        assessment,
        alice,
        Agency.HEALTH,
        description="Finished action",
        due=yesterday,
        status=ActionStatus.DONE,
    )
    client.force_login(police)
    html = client.get(f"/assessments/{assessment.code}/actions/").content.decode()
    assert html.count('govuk-tag--red">Overdue<') == 1  # done actions are never overdue
    assert html.count('govuk-tag--yellow">Due soon<') == 1
    mine = client.get(f"/assessments/{assessment.code}/actions/?show=mine").content.decode()
    assert "Late police action" in mine and "Health action soon" not in mine
    theirs = client.get(
        f"/assessments/{assessment.code}/actions/?agency=health&theme=BB"
    ).content.decode()
    assert "Health action soon" in theirs and "Finished action" not in theirs
    overdue = client.get(f"/assessments/{assessment.code}/actions/?show=overdue").content.decode()
    assert "Late police action" in overdue and "Finished action" not in overdue


def test_the_csv_has_every_action_with_a_link_and_neutralised_formulas(client, alice, assessment):
    make_action(assessment, alice, description='=HYPERLINK("http://evil")')
    client.force_login(alice)
    response = client.get(f"/assessments/{assessment.code}/actions/export.csv")
    text = response.content.decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Description", "Owning agency", "Owner"]
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert rows[1][-1].startswith("http://testserver/assessments/")


def test_open_actions_carry_into_the_next_cycle_with_their_history(
    client, alice, partnership_a, assessment
):
    open_action = make_action(assessment, alice, description="Still open")
    make_action(assessment, alice, description="Finished", status=ActionStatus.DONE)
    open_action.status = ActionStatus.IN_PROGRESS
    open_action.save()
    put_in_review(assessment)
    snapshot = sign_off_by_board(assessment, alice)
    assert {a["description"] for a in snapshot.data["actions"]} == {"Still open", "Finished"}
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/actions/").content.decode()
    assert "keeps the plan as it stood at sign-off (2 actions)" in html

    following = start_next_cycle(assessment, alice)
    open_action.refresh_from_db()
    assert open_action.assessment == following and open_action.raised_in == assessment
    assert open_action.history.count() == 3  # created, in progress, carried
    assert list(following.actions.values_list("description", flat=True)) == ["Still open"]
    # The signed-off cycle points to where the plan carries on; its record keeps it as it stood.
    html = client.get(f"/assessments/{assessment.code}/actions/").content.decode()
    assert "Open actions have moved into" in html
    assert {a.description for a in snapshots.read(snapshot.data).actions} == {
        "Still open",
        "Finished",
    }
    # Progress continues in the new cycle.
    client.post(
        f"/assessments/{following.code}/actions/{open_action.code}/edit",
        {**action_data(), "status": "done"},
    )
    open_action.refresh_from_db()
    assert open_action.status == ActionStatus.DONE


def test_the_comparison_shows_whether_gaps_with_actions_improved(
    client, alice, partnership_a, assessment
):
    make_action(assessment, alice, question_codes=["AA-01", "BB-01"])
    following = start_next_cycle(assessment, alice)
    answer_all(following, alice, {"AA-01": "good", "AA-02": "developing", "BB-01": "poor"})
    client.force_login(alice)
    html = client.get(f"/assessments/{following.code}/compare").content.decode()
    assert "Of the 2 questions with an action in the plan, 1 improved." in html


# The plan after sign-off, owners from any agency ------------------------------------------------


def test_the_plan_lives_after_sign_off_and_the_snapshot_keeps_it_as_it_stood(
    client, alice, partnership_a, assessment
):
    kept = make_action(assessment, alice, description="Before sign-off")
    put_in_review(assessment)
    snapshot = sign_off_by_board(assessment, alice)
    client.force_login(alice)
    results = client.get(f"/assessments/{assessment.code}/results").content.decode()
    assert "Add an action for AA-01" in results
    page = client.get(f"/assessments/{assessment.code}/actions/new?question=AA-01")
    assert "Add an action for AA-01" in page.content.decode()
    response = client.post(
        f"/assessments/{assessment.code}/actions/new",
        action_data(description="After sign-off"),
    )
    assert response.status_code == 302
    client.post(
        f"/assessments/{assessment.code}/actions/{kept.code}/edit",
        {**action_data(description="Before sign-off"), "status": "in_progress"},
    )
    kept.refresh_from_db()
    assert kept.status == ActionStatus.IN_PROGRESS
    assert set(assessment.actions.values_list("description", flat=True)) == {
        "Before sign-off",
        "After sign-off",
    }
    frozen = snapshots.read(snapshot.data).actions
    assert [(a.description, a.status) for a in frozen] == [("Before sign-off", "not_started")]


def test_a_later_cycle_holds_the_plan_once_started(client, alice, assessment):
    start_next_cycle(assessment, alice)
    client.force_login(alice)
    assert client.get(f"/assessments/{assessment.code}/actions/new").status_code == 403


def test_the_named_owner_from_any_agency_updates_status_and_progress(
    client, alice, partnership_a, assessment
):
    health = contributor(partnership_a, Agency.HEALTH, email="harriet@example.org")
    police = contributor(partnership_a, Agency.POLICE, email="pat@example.org")
    education = contributor(partnership_a, Agency.EDUCATION, email="ed@example.org")
    action = make_action(assessment, alice, agency=Agency.POLICE, owner=health)
    for person, allowed in ((health, True), (police, True), (education, False)):
        client.force_login(person)
        response = client.get(f"/assessments/{assessment.code}/actions/{action.code}/edit")
        assert response.status_code == (200 if allowed else 403)
    client.force_login(health)
    client.post(
        f"/assessments/{assessment.code}/actions/{action.code}/edit",
        {"status": "in_progress", "note": "Audit booked with the CCG"},
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert ActionNote.objects.get().author == health


def test_progress_notes_are_checked_for_personal_data(client, alice, assessment):
    action = make_action(assessment, alice)
    client.force_login(alice)
    data = {**action_data(), "note": "Spoke to Jane Smith, born 3 March 2011"}
    # Leads get the full form; the progress form is the owner's, so use a contributor.
    dana = contributor(assessment.partnership)
    client.force_login(dana)
    response = client.post(
        f"/assessments/{assessment.code}/actions/{action.code}/edit",
        {"status": "in_progress", "note": data["note"]},
    )
    html = response.content.decode()
    assert "may contain personal details" in html and "Jane Smith" in html
    assert not ActionNote.objects.exists()
    client.post(
        f"/assessments/{assessment.code}/actions/{action.code}/edit",
        {"status": "in_progress", "note": data["note"], "confirm_personal_data": "on"},
    )
    assert ActionNote.objects.count() == 1


def test_scrutineers_and_viewers_are_not_offered_as_owners(client, alice, bob, partnership_a):
    assessment = make_assessment(partnership_a)
    scrutineer = make_user("sam@example.org", "Sam Scrutineer")
    make_member(partnership_a, scrutineer, Role.SCRUTINEER, Agency.OTHER)
    dana = contributor(partnership_a)
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/actions/new").content.decode()
    assert "Dana Contributor" in page and "Alice Lead" in page
    assert "Sam Scrutineer" not in page and "Bob Viewer" not in page
    response = client.post(
        f"/assessments/{assessment.code}/actions/new", action_data(owner=str(scrutineer.pk))
    )
    assert "Select a member of this partnership as the owner" in response.content.decode()
    assert dana


def test_why_it_was_dropped_is_revealed_by_the_dropped_status(
    client, alice, partnership_a, assessment
):
    action = make_action(assessment, alice)
    for user, page in (
        (alice, f"/assessments/{assessment.code}/actions/{action.code}/edit"),
        (contributor(partnership_a), f"/assessments/{assessment.code}/actions/{action.code}/edit"),
    ):
        client.force_login(user)
        html = client.get(page).content.decode()
        dropped = found(r'<input[^>]*value="dropped"[^>]*>', html).group(0)
        assert 'data-app-reveal="conditional-id_dropped_reason"' in dropped
        reveal = html[html.index('id="conditional-id_dropped_reason"') - 80 :]
        assert "govuk-radios__conditional--hidden" in reveal[:200]
        assert reveal.index('for="id_dropped_reason"') < reveal.index("</fieldset>")

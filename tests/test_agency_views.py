"""One partnership answer from many agencies (issue 19): agency views, moderation, dissent.

The world: partnership A's theme AA is given to police, health and education. Each has a
contributor; the lead is from children's social care; partnership B is an outsider's.
"""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment import agency_views, snapshots
from assessment.agency_views import disagreement
from assessment.models import (
    Agency,
    AgencyThemeSubmission,
    AgencyView,
    Answer,
    AssessmentLocked,
    Dissent,
    Moderation,
    Question,
    Role,
    Status,
)
from assessment.moderation import moderate, name_moderator, record_dissent, submit_view
from assessment.results import scored
from assessment.workflow import Change, save_answers, values_of
from tests.factories import (
    give_view,
    make_assessment,
    make_framework,
    make_member,
    make_user,
    option_id,
    share_theme,
    sign_off_as_is,
    start_next_cycle,
    theme_post,
    view_values,
)

pytestmark = pytest.mark.django_db

FULL = {"AA-01": "good", "AA-02": "established", "AA-03": (10, 100)}


@pytest.fixture
def shared(partnership_a, alice, charlie):
    """Alice (lead, children's social care) and a contributor in each of three agencies."""
    framework = make_framework()
    assessment = make_assessment(partnership_a, framework)
    people = {"lead": alice}
    for agency in ("police", "health", "education"):
        user = make_user(f"{agency}@a.example", f"{agency.title()} Contributor")
        make_member(partnership_a, user, Role.CONTRIBUTOR, agency)
        people[agency] = user
    share_theme(assessment, "AA", ["police", "health", "education"])
    # Charlie's own partnership, with its own shared theme.
    other = make_assessment(charlie.memberships.get().partnership, framework, title="B cycle")
    share_theme(other, "AA", ["police", "health"])
    return assessment, people, other


def question(assessment, code):
    return Question.objects.get(theme__framework=assessment.framework, code=code)


def settle(assessment, user, code="AA-01", level="developing", note="After the 2025 audit."):
    answer = Answer.objects.filter(assessment=assessment, question__code=code).first()
    return moderate(
        assessment=assessment,
        change=Change(
            question(assessment, code),
            view_values(assessment, code, level),
            answer.version if answer else 0,
        ),
        note=note,
        started_from="health",
        user=user,
    )


# The workflow and the model ----------------------------------------------------------------


def test_an_agency_view_is_saved_apart_from_the_partnership_answer(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", {"AA-01": "good"}, submit=False)
    view = AgencyView.objects.get()
    assert (view.agency, view.version, view.answered_by) == ("police", 1, people["police"])
    assert not Answer.objects.exists()
    assert view.history.count() == 1


def test_a_contributor_can_never_change_another_agencys_view_in_the_workflow(shared):
    assessment, people, _ = shared
    give_view(assessment, people["health"], "health", {"AA-01": "poor"}, submit=False)
    with pytest.raises(PermissionDenied):
        save_answers(
            assessment=assessment,
            changes=[
                Change(question(assessment, "AA-01"), view_values(assessment, "AA-01", "good"), 1)
            ],
            user=people["police"],
            agency="health",
            agency_view=True,
        )
    assert AgencyView.objects.get(agency="health").selected == [
        option_id("AA-01", "poor", assessment)
    ]


def test_an_agency_view_cannot_be_moved_to_another_agency(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", {"AA-01": "good"}, submit=False)
    view = AgencyView.objects.get()
    view.agency = "health"
    with pytest.raises(ValueError):
        view.save()


def test_a_view_of_a_theme_given_to_one_agency_is_refused(shared, partnership_a):
    assessment, people, _ = shared
    with pytest.raises(PermissionDenied):
        save_answers(
            assessment=assessment,
            changes=[
                Change(question(assessment, "BB-01"), view_values(assessment, "BB-01", "good"), 0)
            ],
            user=people["police"],
            agency="police",
            agency_view=True,
        )


def test_submitting_needs_every_required_question_answered(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", {"AA-01": "good"}, submit=False)
    with pytest.raises(ValidationError, match="AA-02, AA-03"):
        submit_view(
            assessment=assessment,
            theme=question(assessment, "AA-01").theme,
            agency="police",
            user=people["police"],
        )
    assert not AgencyThemeSubmission.objects.exists()


def test_a_submitted_view_can_no_longer_be_changed(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    with pytest.raises(PermissionDenied, match="submitted"):
        give_view(assessment, people["police"], "police", {"AA-01": "poor"}, submit=False)


def test_levels_two_steps_apart_disagree_and_one_step_does_not():
    assert disagreement(["good", "developing"], [], 10).levels
    assert disagreement(["poor", "established", None], [], 10)
    assert not disagreement(["good", "established"], [], 10)
    assert not disagreement(["good"], [], 10)


def test_figures_disagree_beyond_the_frameworks_tolerance():
    assert not disagreement([], [10.0, 10.9], 10)
    assert disagreement([], [10.0, 11.2], 10).figures
    assert disagreement([], [10.0, 10.9], 5).figures
    assert not disagreement([], [None, 10.0], 0)


def test_moderating_saves_the_partnership_answer_with_its_note(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor"})
    result = settle(assessment, people["lead"])
    assert result.ok
    answer = Answer.objects.get(question__code="AA-01")
    assert answer.selected == [option_id("AA-01", "developing", assessment)]
    moderation = Moderation.objects.get()
    assert (moderation.note, moderation.started_from, moderation.moderated_by) == (
        "After the 2025 audit.",
        "health",
        people["lead"],
    )
    assert moderation.answer_version == answer.version


def test_scoring_uses_the_partnership_answer_not_the_agency_views(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor"})
    settle(assessment, people["lead"], level="developing")
    result = scored(assessment).result
    assert result.question("AA-01").level == "developing"
    by_agency = agency_views.agency_scores(assessment)
    assert by_agency["police"].question("AA-01").level == "good"
    assert by_agency["health"].question("AA-01").level == "poor"
    assert "education" not in by_agency  # nothing submitted: not scored


def test_a_contributor_cannot_moderate_unless_named_moderator(shared):
    assessment, people, _ = shared
    with pytest.raises(PermissionDenied):
        settle(assessment, people["police"])
    membership = people["police"].memberships.get()
    name_moderator(
        assessment=assessment,
        theme=question(assessment, "AA-01").theme,
        user=people["lead"],
        moderator=membership,
    )
    assert settle(assessment, people["police"]).ok
    with pytest.raises(PermissionDenied):
        settle(assessment, people["health"])


def test_a_conflict_in_moderation_writes_neither_answer_nor_note(shared):
    assessment, people, _ = shared
    settle(assessment, people["lead"], level="good", note="First.")
    result = moderate(
        assessment=assessment,
        change=Change(question(assessment, "AA-01"), view_values(assessment, "AA-01", "poor"), 0),
        note="Second, drawn before the first.",
        started_from="",
        user=people["lead"],
    )
    assert not result.ok
    assert Moderation.objects.get().note == "First."


def test_only_an_agency_given_the_theme_records_its_own_dissent_after_moderation(shared):
    assessment, people, _ = shared
    q = question(assessment, "AA-01")
    with pytest.raises(ValidationError, match="not settled"):
        record_dissent(
            assessment=assessment, question=q, agency="health", text="No.", user=people["health"]
        )
    settle(assessment, people["lead"])
    with pytest.raises(PermissionDenied):
        record_dissent(
            assessment=assessment, question=q, agency="health", text="No.", user=people["police"]
        )
    dissent = record_dissent(
        assessment=assessment,
        question=q,
        agency="health",
        text="Our audit says poor.",
        user=people["health"],
    )
    assert (dissent.agency, dissent.recorded_by) == ("health", people["health"])


def test_everything_is_locked_at_sign_off(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    settle(assessment, people["lead"])
    record_dissent(
        assessment=assessment,
        question=question(assessment, "AA-01"),
        agency="police",
        text="Too low.",
        user=people["police"],
    )
    sign_off_as_is(assessment, people["lead"])
    for model in (AgencyView, AgencyThemeSubmission, Moderation, Dissent):
        row = model.objects.first()
        assert row is not None, f"no {model.__name__} to try to change"
        with pytest.raises(AssessmentLocked):
            row.save()
        with pytest.raises(AssessmentLocked):
            model.objects.filter(pk=row.pk).delete()
    with pytest.raises(AssessmentLocked):
        settle(assessment, people["lead"], level="good")


def test_agency_views_carry_over_to_be_confirmed(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    settle(assessment, people["lead"])
    following = start_next_cycle(assessment, people["lead"])
    carried = AgencyView.objects.filter(assessment=following)
    assert carried.count() == 3
    assert all(v.needs_reconfirmation and v.agency == "police" for v in carried)
    assert not Moderation.objects.filter(assessment=following).exists()


def test_the_snapshot_keeps_views_moderation_dissent_and_per_agency_scores(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor"})
    settle(assessment, people["lead"])
    record_dissent(
        assessment=assessment,
        question=question(assessment, "AA-01"),
        agency="health",
        text="Poor.",
        user=people["health"],
    )
    snapshot = sign_off_as_is(assessment, people["lead"])
    assert snapshot.data["schema_version"] == snapshots.SCHEMA_VERSION == 7
    record = snapshots.read(snapshot.data)
    assert len(record.agency_views) == 6
    assert {s.agency for s in record.agency_submissions} == {"police", "health"}
    assert record.moderations[0].note == "After the 2025 audit."
    assert record.dissents[0].text == "Poor."
    (settlement,) = record.settlements
    assert settlement.line == (
        "Health: poor; Police: good; partnership: developing. Why: After the 2025 audit."
    )
    assert settlement.dissents == (("health", "Poor."),)
    assert record.agency_scores["health"].question("AA-01").level == "poor"
    assert snapshots.check(snapshot).ok


def test_a_snapshot_without_the_new_keys_reads_as_having_none(shared):
    assessment, people, _ = shared
    data = snapshots.build(
        assessment, result=scored(assessment).result, user=people["lead"], at=assessment.created
    )
    for key in ("agency_views", "agency_submissions", "moderations", "dissents", "settlements"):
        del data[key]
    del data["agency_scores"]
    for version in (4, 5):
        record = snapshots.read(data | {"schema_version": version})
        assert record.agency_views == () and record.settlements == () and record.agency_scores == {}


def test_the_export_round_trips_views_moderation_and_dissent(shared, alice):
    from assessment.exports.json_export import export_assessment
    from assessment.exports.json_import import import_assessment

    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor"})
    settle(assessment, people["lead"])
    record_dissent(
        assessment=assessment,
        question=question(assessment, "AA-01"),
        agency="health",
        text="Poor.",
        user=people["health"],
    )
    data = export_assessment(assessment)
    sign_off_as_is(assessment, alice)
    copy = import_assessment(data, partnership=assessment.partnership, user=alice)
    assert sorted(copy.assignments.values_list("agency", flat=True)) == [
        "education",
        "health",
        "police",
    ]
    views = {(v.agency, v.question.code): v for v in AgencyView.objects.filter(assessment=copy)}
    assert len(views) == 6
    assert views[("health", "AA-01")].selected == [option_id("AA-01", "poor", copy)]
    assert views[("health", "AA-01")].original["by"] == "health@a.example"
    assert set(copy.agency_submissions.values_list("agency", flat=True)) == {"police", "health"}
    assert copy.moderations.get().note == "After the 2025 audit."
    assert copy.dissents.get().text == "Poor."
    assert export_assessment(copy)["dissents"][0]["text"] == "Poor."


def test_an_import_refuses_a_view_of_a_theme_not_given_to_that_agency(shared, alice):
    from assessment.exports.json_export import export_assessment
    from assessment.exports.json_import import ImportProblem, plan

    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL, submit=False)
    data = export_assessment(assessment)
    data["agency_views"][0]["agency"] = "voluntary_sector"
    with pytest.raises(ImportProblem) as error:
        plan(data, assessment.partnership)
    assert "agency_views[0] (AA-01).agency: theme AA is not given to 'voluntary_sector'" in (
        error.value.problems
    )


def test_the_task_list_counts_submissions_disagreements_and_moderation(shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor", "AA-03": (30, 100)})
    from assessment.progress import themes_of

    progress = agency_views.shared_progress(assessment, themes_of(assessment))
    (row,) = progress.values()
    assert row.submitted == ("health", "police")
    assert row.to_moderate == 2  # AA-01 good/poor, AA-03 10% against 30%
    settle(assessment, people["lead"])
    (row,) = agency_views.shared_progress(assessment, themes_of(assessment)).values()
    assert (row.to_moderate, row.moderated) == (1, 1)


# Through the pages -------------------------------------------------------------------------


def agency_url(assessment, agency, name="agency_view", theme="AA"):
    return reverse(name, args=[assessment.code, theme, agency])


def view_post(assessment, agency, answers: dict, action="draft") -> dict:
    data = theme_post(assessment, "AA", answers, action)
    versions = dict(
        AgencyView.objects.filter(assessment=assessment, agency=agency).values_list(
            "question__code", "version"
        )
    )
    for code, version in versions.items():
        data[f"{code}-version"] = str(version)
    return data


def test_a_contributor_gives_their_agencys_view_on_the_theme_page_form(client, shared):
    assessment, people, _ = shared
    client.force_login(people["police"])
    page = client.get(agency_url(assessment, "police"))
    assert page.status_code == 200
    assert b"Police&#x27;s view" in page.content or b"Police's view" in page.content
    answer = {"option": str(option_id("AA-01", "good", assessment)), "evidence": "Our audit."}
    response = client.post(
        agency_url(assessment, "police"), view_post(assessment, "police", {"AA-01": answer})
    )
    assert response.status_code == 302
    assert AgencyView.objects.get().agency == "police"
    assert not Answer.objects.exists()


def test_a_contributor_can_never_change_another_agencys_view_through_the_page(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["health"], "health", {"AA-01": "poor"}, submit=False)
    client.force_login(people["police"])
    answer = {"option": str(option_id("AA-01", "good", assessment)), "evidence": "Ours."}
    url = agency_url(assessment, "health")
    assert client.post(url, view_post(assessment, "health", {"AA-01": answer})).status_code == 403
    assert (
        client.post(
            agency_url(assessment, "health", "agency_autosave"),
            view_post(assessment, "health", {"AA-01": answer}),
        ).content.count(b"not")
        >= 1
    )
    assert client.post(agency_url(assessment, "health", "submit_agency_view")).status_code == 403
    assert AgencyView.objects.get().selected == [option_id("AA-01", "poor", assessment)]


def test_an_agency_sees_the_others_views_only_after_submitting_its_own(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["health"], "health", FULL)
    client.force_login(people["police"])
    assert client.get(agency_url(assessment, "health")).status_code == 403
    give_view(assessment, people["police"], "police", FULL)
    assert client.get(agency_url(assessment, "health")).status_code == 200
    # Education has not submitted: nobody else reads its draft, however far along.
    give_view(assessment, people["education"], "education", {"AA-01": "poor"}, submit=False)
    assert client.get(agency_url(assessment, "education")).status_code == 403
    client.force_login(people["lead"])
    assert client.get(agency_url(assessment, "education")).status_code == 403
    assert client.get(agency_url(assessment, "health")).status_code == 200


def test_submitting_an_unfinished_view_says_what_is_missing(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", {"AA-01": "good"}, submit=False)
    client.force_login(people["police"])
    response = client.post(agency_url(assessment, "police", "submit_agency_view"))
    assert response.status_code == 400
    assert b"Answer AA-02, AA-03 in full before submitting Police" in response.content


def test_the_partnership_theme_page_of_a_shared_theme_is_settled_by_moderation(client, shared):
    assessment, people, _ = shared
    client.force_login(people["lead"])
    page = client.get(reverse("theme", args=[assessment.code, "AA"]))
    assert b"settle the partnership answers" in page.content
    assert b'id="theme-form"' not in page.content
    answer = {"option": str(option_id("AA-01", "good", assessment)), "evidence": "Ours."}
    response = client.post(
        reverse("theme", args=[assessment.code, "AA"]),
        theme_post(assessment, "AA", {"AA-01": answer}),
    )
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_a_theme_given_to_one_agency_works_as_before(client, shared):
    assessment, people, _ = shared
    client.force_login(people["police"])
    page = client.get(reverse("theme", args=[assessment.code, "BB"]))
    assert b'id="theme-form"' in page.content
    assert client.get(agency_url(assessment, "police", theme="BB")).status_code == 404
    answer = {"option": str(option_id("BB-01", "good", assessment)), "evidence": "Ours."}
    client.post(
        reverse("theme", args=[assessment.code, "BB"]),
        theme_post(assessment, "BB", {"BB-01": answer}),
    )
    assert Answer.objects.get().question.code == "BB-01"


@pytest.mark.parametrize(
    "who, status",
    [
        ("lead", 200),
        ("police", 403),
        ("health", 403),
        ("viewer", 403),
        ("scrutineer", 403),
        ("outsider", 404),
    ],
)
def test_who_sees_the_moderation_page(client, shared, partnership_a, charlie, who, status):
    assessment, people, _ = shared
    people["viewer"] = make_user("viewer@a.example")
    make_member(partnership_a, people["viewer"], Role.VIEWER, Agency.POLICE)
    people["scrutineer"] = make_user("scrutineer@a.example")
    make_member(partnership_a, people["scrutineer"], Role.SCRUTINEER, Agency.HEALTH)
    people["outsider"] = charlie
    client.force_login(people[who])
    url = reverse("moderate_theme", args=[assessment.code, "AA"])
    assert client.get(url).status_code == status
    settle_url = reverse("moderate_question", args=[assessment.code, "AA", "AA-01"])
    assert client.get(settle_url).status_code == status


def test_another_partnerships_shared_theme_is_404_for_every_page(client, shared, alice):
    _, _, other = shared
    client.force_login(alice)
    for name, args in (
        ("agency_view", ["AA", "police"]),
        ("moderate_theme", ["AA"]),
        ("moderate_question", ["AA", "AA-01"]),
        ("record_dissent", ["AA", "AA-01"]),
        ("agency_results", []),
    ):
        assert client.get(reverse(name, args=[other.code, *args])).status_code == 404
    assert client.post(reverse("name_moderator", args=[other.code, "AA"])).status_code == 404


def test_the_moderation_page_highlights_disagreement_side_by_side(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor"})
    give_view(assessment, people["education"], "education", FULL | {"AA-01": "developing"})
    client.force_login(people["lead"])
    page = client.get(reverse("moderate_theme", args=[assessment.code, "AA"])).content.decode()
    assert "app-table--cards" in page
    row = page.split('id="AA-01"')[1].split("</tr>")[0]
    assert "Disagree" in row and "Levels two or more steps apart" in row
    row2 = page.split('id="AA-02"')[1].split("</tr>")[0]
    assert "Disagree" not in row2


def test_the_lead_settles_a_question_starting_from_an_agencys_view(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor"})
    client.force_login(people["lead"])
    url = reverse("moderate_question", args=[assessment.code, "AA", "AA-01"])
    page = client.get(url + "?from=health").content.decode()
    poor = option_id("AA-01", "poor", assessment)
    (radio,) = re.findall(rf'<input[^>]*value="{poor}"[^>]*>', page)
    assert " checked" in radio
    data = {
        "started_from": "health",
        "AA-01-question_code": "AA-01",
        "AA-01-version": "0",
        "AA-01-option": str(option_id("AA-01", "developing", assessment)),
        "AA-01-evidence": "Both audits read together.",
        "note": "",
    }
    missing = client.post(url, data)
    assert missing.status_code == 200
    assert b"AA-01: enter a moderation note" in missing.content
    assert b"Both audits read together." in missing.content  # nothing typed is lost
    data["note"] = "After review of the 2025 audit."
    assert client.post(url, data).status_code == 302
    assert Moderation.objects.get().started_from == "health"
    assert Answer.objects.get().evidence == "Both audits read together."


def settle_form(assessment, version: int, level: str = "developing") -> dict[str, str]:
    return {
        "started_from": "health",
        "AA-01-question_code": "AA-01",
        "AA-01-version": str(version),
        "AA-01-option": str(option_id("AA-01", level, assessment)),
        "AA-01-evidence": "Both audits read together.",
        "note": "After review of the 2025 audit.",
    }


def test_settling_over_an_answer_changed_meanwhile_shows_theirs_and_keeps_mine(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["health"], "health", FULL)
    settle(assessment, people["lead"], level="poor", note="First settled.")
    client.force_login(people["lead"])
    url = reverse("moderate_question", args=[assessment.code, "AA", "AA-01"])
    settle(assessment, people["lead"], level="good", note="Settled again meanwhile.")
    page = client.post(url, settle_form(assessment, version=1)).content.decode()
    assert "AA-01: someone else changed the partnership answer while you were working" in page
    assert 'id="conflict-AA-01"' in page and "Both audits read together." in page
    assert re.search(r'name="AA-01-version"[^>]*value="2"|value="2"[^>]*name="AA-01-version"', page)
    assert Moderation.objects.get().note == "Settled again meanwhile."


def test_settling_from_an_answer_no_longer_stored_asks_to_save_again(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["health"], "health", FULL)
    client.force_login(people["lead"])
    url = reverse("moderate_question", args=[assessment.code, "AA", "AA-01"])
    # The page said version 3, but no partnership answer is stored (a stale or altered form).
    response = client.post(url, settle_form(assessment, version=3))
    page = response.content.decode()
    assert response.status_code == 200
    assert "AA-01: the partnership answer you started from is no longer saved" in page
    assert "Both audits read together." in page  # nothing typed is lost
    assert re.search(r'name="AA-01-version"[^>]*value="0"|value="0"[^>]*name="AA-01-version"', page)
    assert not Answer.objects.exists() and not Moderation.objects.exists()
    assert client.post(url, settle_form(assessment, version=0)).status_code == 302


def test_health_records_dissent_through_the_page(client, shared):
    assessment, people, _ = shared
    settle(assessment, people["lead"])
    url = reverse("record_dissent", args=[assessment.code, "AA", "AA-01"])
    client.force_login(people["health"])
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "Our audit found poor practice."}).status_code == 302
    assert Dissent.objects.get().agency == "health"
    client.force_login(people["lead"])  # children's social care: not given the theme
    assert client.get(url).status_code == 403


def test_results_by_agency_score_each_agencys_submitted_views(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(
        assessment,
        people["health"],
        "health",
        {"AA-01": "poor", "AA-02": "poor", "AA-03": (90, 100)},
    )
    client.force_login(people["education"])
    page = client.get(reverse("agency_results", args=[assessment.code])).content.decode()
    assert "Police:" in page and "Health:" in page and "Education: view not submitted" in page


def test_the_task_list_shows_views_submitted_and_disagreements(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor"})
    client.force_login(people["lead"])
    page = client.get(reverse("assessment_home", args=[assessment.code])).content.decode()
    assert "Police (submitted)" in page and "Education (not yet)" in page
    assert "1 disagreement to moderate" in page and "0 of 3 moderated" in page


def test_a_signed_off_assessment_refuses_views_through_the_page(client, shared):
    assessment, people, _ = shared
    sign_off_as_is(assessment, people["lead"])
    assert assessment.status == Status.SIGNED_OFF
    client.force_login(people["police"])
    answer = {"option": str(option_id("AA-01", "good", assessment)), "evidence": "Ours."}
    response = client.post(
        agency_url(assessment, "police"), view_post(assessment, "police", {"AA-01": answer})
    )
    assert response.status_code == 403
    assert not AgencyView.objects.exists()
    assert values_of(None)["selected"] == []


def test_results_and_the_pdf_show_where_agencies_disagreed_and_how_it_was_settled(client, shared):
    from pypdf import PdfReader

    from assessment import pdf

    assessment, people, _ = shared
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", FULL | {"AA-01": "poor"})
    settle(assessment, people["lead"], note="after review of the 2025 audit")
    record_dissent(
        assessment=assessment,
        question=question(assessment, "AA-01"),
        agency="health",
        text="Our audit found poor practice.",
        user=people["health"],
    )
    expected = (
        "Health: poor; Police: good; partnership: developing. Why: after review of the 2025 audit"
    )
    client.force_login(people["lead"])
    page = client.get(reverse("results", args=[assessment.code])).content.decode()
    assert expected in page and "Our audit found poor practice." in page
    sign_off_as_is(assessment, people["lead"])
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(pdf.render_pdf(assessment))).pages
    )
    assert expected in text
    assert "Health dissents: Our audit found poor practice." in text


def test_two_members_of_one_agency_editing_its_view_at_once_meet_a_conflict(shared, partnership_a):
    assessment, people, _ = shared
    colleague = make_user("police2@a.example", "Second Police")
    make_member(partnership_a, colleague, Role.CONTRIBUTOR, "police")
    give_view(assessment, people["police"], "police", {"AA-01": "good"}, submit=False)
    q = question(assessment, "AA-01")
    # Both drew the page at version 1; the colleague saves first.
    first = save_answers(
        assessment=assessment,
        changes=[Change(q, view_values(assessment, "AA-01", "poor"), 1)],
        user=colleague,
        agency="police",
        agency_view=True,
    )
    assert first.ok
    second = save_answers(
        assessment=assessment,
        changes=[Change(q, view_values(assessment, "AA-01", "developing"), 1)],
        user=people["police"],
        agency="police",
        agency_view=True,
    )
    theirs = second.conflicts[0].theirs if not second.ok else None
    assert theirs is not None and theirs.answered_by == colleague
    view = AgencyView.objects.get()
    assert (view.version, view.selected) == (2, [option_id("AA-01", "poor", assessment)])


def test_the_lead_names_a_moderator_through_the_page(client, shared):
    assessment, people, _ = shared
    membership = people["health"].memberships.get()
    client.force_login(people["lead"])
    url = reverse("name_moderator", args=[assessment.code, "AA"])
    assert client.post(url, {"moderator": "not a member"}).status_code == 400
    assert client.post(url, {"moderator": str(membership.code)}).status_code == 302
    client.force_login(people["health"])
    assert client.get(reverse("moderate_theme", args=[assessment.code, "AA"])).status_code == 200
    client.force_login(people["police"])
    assert client.post(url, {"moderator": ""}).status_code == 403


@pytest.mark.parametrize("role", [Role.SCRUTINEER, Role.VIEWER])
def test_readers_outside_the_agencies_read_submitted_views_only_and_change_none(
    client, shared, partnership_a, role
):
    assessment, people, _ = shared
    reader = make_user(f"{role}@a.example")
    make_member(partnership_a, reader, role, Agency.OTHER)
    give_view(assessment, people["police"], "police", FULL)
    give_view(assessment, people["health"], "health", {"AA-01": "poor"}, submit=False)
    client.force_login(reader)
    assert client.get(agency_url(assessment, "police")).status_code == 200
    assert client.get(agency_url(assessment, "health")).status_code == 403
    answer = {"option": str(option_id("AA-01", "good", assessment)), "evidence": "Ours."}
    post = view_post(assessment, "police", {"AA-01": answer})
    assert client.post(agency_url(assessment, "police"), post).status_code == 403
    assert client.get(reverse("moderate_theme", args=[assessment.code, "AA"])).status_code == 403
    url = reverse("record_dissent", args=[assessment.code, "AA", "AA-01"])
    assert client.get(url).status_code == 403


# A stored version 6 snapshot: written by sign-off in this branch's code (h19), three agencies'
# views of AA, AA-01 settled from health's view, health's dissent. Never edit it.
V6 = json.loads((Path(__file__).parent / "fixtures" / "snapshot-v6.json").read_text())
SETTLED = (
    "Education: developing; Health: poor; Police: good; partnership: developing. "
    "Why: after review of the 2025 audit"
)


def test_the_version_6_fixture_matches_its_fingerprint_and_reads_back():
    assert snapshots.digest(V6["data"]) == V6["sha256"]
    record = snapshots.read(V6["data"])
    assert record.schema_version == 6
    (settlement,) = record.settlements
    assert settlement.line == SETTLED
    assert settlement.dissents == (("health", "Our audit found poor practice."),)
    assert len(record.agency_views) == 9
    assert record.agency_scores["police"].question("AA-01").level == "good"


def test_pages_and_the_pdf_render_a_version_6_snapshot_alone(client, alice, partnership_a):
    from assessment import pdf
    from tests.test_pdf import read as read_pdf
    from tests.test_snapshots import signed_from_fixture

    assessment = signed_from_fixture(partnership_a, alice, V6)
    client.force_login(alice)
    page = client.get(reverse("results", args=[assessment.code])).content.decode()
    assert SETTLED in page and "Our audit found poor practice." in page
    by_agency = client.get(reverse("agency_results", args=[assessment.code])).content.decode()
    assert "Police:" in by_agency and "Education:" in by_agency
    words = " ".join(read_pdf(pdf.render_pdf(assessment))[1].split())
    assert SETTLED in words and "Health dissents: Our audit found poor practice." in words


def test_an_agency_views_history_is_read_by_those_who_may_read_the_view(client, shared):
    assessment, people, _ = shared
    give_view(assessment, people["health"], "health", {"AA-01": "poor"}, submit=False)
    give_view(assessment, people["health"], "health", {"AA-01": "developing"}, submit=False)
    url = reverse("answer_history", args=[assessment.code, "AA-01"]) + "?agency=health"
    client.force_login(people["health"])
    page = client.get(url).content.decode()
    assert "Health&#x27;s view" in page or "Health's view" in page
    assert "Poor answer" in page and "Developing answer" in page
    client.force_login(people["police"])  # police has not submitted: not yet
    assert client.get(url).status_code == 403
    partnership = client.get(reverse("answer_history", args=[assessment.code, "AA-01"]))
    assert partnership.status_code == 200 and "Poor answer" not in partnership.content.decode()


def test_an_agency_view_page_never_attaches_or_removes_the_partnership_answers_evidence(
    client, shared
):
    """Evidence items belong to the partnership answer: an agency's view page shows them but
    cannot change them, however the form is made up."""
    from assessment.models import AnswerEvidence, EvidenceItem

    assessment, people, _ = shared
    item = EvidenceItem.objects.create(
        partnership=assessment.partnership,
        title="Case audit 2024",
        kind="audit_report",
        agency="police",
        produced="2024-10-01",
        link="https://intranet.example.org/audit",
        no_child_data_confirmed=True,
    )
    AnswerEvidence.objects.create(
        assessment=assessment, question=question(assessment, "AA-01"), item=item
    )
    client.force_login(people["police"])
    url = agency_url(assessment, "police")
    data = view_post(assessment, "police", {})
    removed = client.post(url, data | {"evidence_remove": f"AA-01:{item.code}"})
    attached = client.post(
        url, data | {"evidence_for": "AA-02", "AA-02-evidence_item": str(item.code)}
    )
    assert (removed.status_code, attached.status_code) == (403, 403)
    assert list(AnswerEvidence.objects.values_list("question__code", flat=True)) == ["AA-01"]

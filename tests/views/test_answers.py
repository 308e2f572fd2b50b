"""The theme page: answering, validation, personal data warnings, conflicts, autosave, comments."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessment.models import Agency, Answer, Assignment, CarryOutcome, Comment, Role, Status
from assessment.pii import text_digest
from assessment.workflow import save_answers
from tests.factories import (
    PASSWORD,
    found,
    good_answer,
    make_assessment,
    make_framework,
    make_member,
    make_user,
    option_id,
    put_in_review,
    sign_off_by_board,
    theme_post,
)
from tests.factories import (
    make_contributor as contributor,
)
from tests.test_workflow import change

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(partnership_a, alice):
    return make_assessment(partnership_a)


def url(assessment, theme: str = "AA", action: str = "") -> str:
    return f"/assessments/{assessment.code}/themes/{theme}/{action}"


def hidden_fields(html: str) -> dict:
    """The hidden inputs of a page, as the browser would send them back."""
    return {
        k: unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    }


def post(client, assessment, answers, action="draft", theme="AA"):
    return client.post(url(assessment, theme), theme_post(assessment, theme, answers, action))


# Access -------------------------------------------------------------------------------------


def test_an_outsider_gets_404(client, charlie, assessment):
    client.force_login(charlie)
    assert client.get(url(assessment)).status_code == 404
    assert (
        client.post(
            url(assessment), theme_post(assessment, "AA", {"AA-01": good_answer("AA-01")})
        ).status_code
        == 404
    )
    assert not Answer.objects.exists()


def test_a_viewer_reads_but_cannot_save(client, bob, assessment):
    client.force_login(bob)
    page = client.get(url(assessment))
    assert page.status_code == 200
    assert 'id="theme-form"' not in page.content.decode()
    assert post(client, assessment, {"AA-01": good_answer("AA-01")}).status_code == 403
    autosave = client.post(
        url(assessment, action="autosave"),
        theme_post(assessment, "AA", {"AA-01": good_answer("AA-01", evidence="Late")}),
    )
    assert "Not saved: you cannot change the answers in this theme" in autosave.content.decode()
    assert not Answer.objects.exists()


def test_a_scrutineer_comments_but_cannot_answer(client, partnership_a, assessment):
    scrutineer = make_user("sam@example.org", "Sam Scrutineer")
    make_member(partnership_a, scrutineer, Role.SCRUTINEER, Agency.OTHER)
    client.force_login(scrutineer)
    assert post(client, assessment, {"AA-01": good_answer("AA-01")}).status_code == 403
    response = client.post(
        url(assessment, action="comments"), {"question": "AA-01", "text": "Which audit is this?"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.question is not None
    assert (comment.question.code, comment.author) == ("AA-01", scrutineer)
    assert "Which audit is this?" in client.get(url(assessment)).content.decode()


def test_contributors_and_viewers_cannot_comment(client, bob, partnership_a, assessment):
    for user in (bob, contributor(partnership_a)):
        client.force_login(user)
        assert client.post(url(assessment, action="comments"), {"text": "Hello"}).status_code == 403
    assert not Comment.objects.exists()


def test_a_contributor_answers_themes_of_their_agency_only(client, partnership_a, assessment):
    dana = contributor(partnership_a, Agency.POLICE)
    client.force_login(dana)
    assert (
        post(client, assessment, {"AA-01": good_answer("AA-01")}).status_code == 302
    )  # unassigned: anyone
    theme = assessment.framework.themes.get(code="BB")
    Assignment.objects.create(assessment=assessment, theme=theme, agency=Agency.HEALTH)
    assert post(client, assessment, {"BB-01": good_answer("BB-01")}, theme="BB").status_code == 403
    # Given to health and police, each agency gives its own view (issue 19), and the
    # partnership answer is settled by moderation, not typed on the theme page.
    Assignment.objects.create(assessment=assessment, theme=theme, agency=Agency.POLICE)
    assert post(client, assessment, {"BB-01": good_answer("BB-01")}, theme="BB").status_code == 403
    Assignment.objects.filter(agency=Agency.HEALTH).delete()
    assert post(client, assessment, {"BB-01": good_answer("BB-01")}, theme="BB").status_code == 302


def test_an_unknown_theme_is_404(client, alice, assessment):
    client.force_login(alice)
    assert client.get(url(assessment, "ZZ")).status_code == 404


# Answering ----------------------------------------------------------------------------------


def test_the_page_shows_guidance_descriptors_and_citation_links(client, alice, assessment):
    client.force_login(alice)
    html = client.get(url(assessment)).content.decode()
    assert "AA-01 Question 1 of theme AA?" in html
    assert "Like good." in html  # option descriptors as radio hints
    assert "What good looks like" in html and "Good looks like this." in html
    assert 'href="/frameworks/test-framework/1.0/sources#annex-4-para-3"' in html
    assert "How do you know?" in html and "govuk-character-count" in html
    assert "This question does not apply to our partnership" in html
    assert 'hx-post="' in html  # autosave where JavaScript is on


def test_autosave_waits_for_a_pause_as_the_settings_say(client, alice, assessment, settings):
    client.force_login(alice)
    trigger = 'hx-trigger="change delay:800ms, input delay:3000ms"'
    assert trigger in client.get(url(assessment)).content.decode()  # the defaults
    settings.AUTOSAVE_AFTER_CHOICE_MS, settings.AUTOSAVE_AFTER_TYPING_MS = 200, 1000
    html = client.get(url(assessment)).content.decode()
    assert 'hx-trigger="change delay:200ms, input delay:1000ms"' in html


def test_questions_for_the_other_nation_are_not_shown(client, charlie, partnership_b):
    welsh = make_assessment(partnership_b)
    client.force_login(charlie)
    html = client.get(url(welsh)).content.decode()
    assert "AA-02" in html and "AA-03" not in html  # AA-03 applies in England only


def test_save_as_draft_keeps_an_incomplete_answer(client, alice, assessment):
    client.force_login(alice)
    response = post(
        client, assessment, {"AA-01": {"option": str(option_id("AA-01", "developing"))}}
    )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert answer.selected == [option_id("AA-01", "developing")] and answer.evidence == ""
    assert not answer.is_complete


def test_save_and_continue_asks_for_the_evidence_of_a_begun_answer(client, alice, assessment):
    client.force_login(alice)
    response = post(
        client,
        assessment,
        {"AA-01": {"option": str(option_id("AA-01", "good"))}},
        action="continue",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "AA-01: enter how you know your answer" in html
    assert 'href="#id_AA-01-evidence"' in html
    assert re.search(rf'value="{option_id("AA-01", "good")}"\s+checked', html)  # nothing lost
    assert not Answer.objects.exists()


def test_save_and_continue_goes_to_the_next_theme(client, alice, assessment):
    client.force_login(alice)
    response = post(client, assessment, {"AA-01": good_answer("AA-01")}, action="continue")
    assert response["Location"] == url(assessment, "BB")
    response = post(
        client, assessment, {"BB-01": good_answer("BB-01")}, action="continue", theme="BB"
    )
    assert response["Location"] == f"/assessments/{assessment.code}/"


def test_an_indicator_shows_its_percentage_after_saving(client, alice, assessment):
    client.force_login(alice)
    answers = {
        "AA-03": {
            "numerator": "28",
            "denominator": "100",
            "period_start_0": "1",
            "period_start_1": "4",
            "period_start_2": "2023",
            "period_end_0": "31",
            "period_end_1": "3",
            "period_end_2": "2024",
            "evidence": "Crime records system report, April 2024",
        }
    }
    assert post(client, assessment, answers, action="continue").status_code == 302
    answer = Answer.objects.get()
    assert (answer.numerator, answer.denominator, answer.rate) == (28, 100, 28.0)
    assert answer.period_start == date(2023, 4, 1)
    assert (
        "28 of 100 (28.0%)" in client.get(f"/assessments/{assessment.code}/check").content.decode()
    )


def indicator(
    numerator="5",
    denominator="10",
    start=("1", "4", "2023"),
    end=("31", "3", "2024"),
    evidence="System report",
):
    return {
        "numerator": numerator,
        "denominator": denominator,
        "period_start_0": start[0],
        "period_start_1": start[1],
        "period_start_2": start[2],
        "period_end_0": end[0],
        "period_end_1": end[1],
        "period_end_2": end[2],
        "evidence": evidence,
    }


FUTURE = date.today() + timedelta(days=40)


@pytest.mark.parametrize(
    ("answers", "message", "kept"),
    [
        (
            {"AA-03": indicator("12", "10")},
            "AA-03: Suspects without ethnicity cannot be more than all suspects",
            'value="12"',
        ),
        (
            {"AA-03": indicator("-3", "10")},
            "AA-03: Suspects without ethnicity must be 0 or more",
            'value="-3"',
        ),
        (
            {"AA-03": indicator("lots", "10")},
            "AA-03: Suspects without ethnicity must be a whole number, like 12",
            'value="lots"',
        ),
        ({"AA-03": indicator("0", "0")}, "AA-03: All suspects must be more than 0", 'value="0"'),
        (
            {"AA-03": indicator(end=("31", "3", "2022"))},
            "AA-03: the end of the period must be the same as or after the start",
            'value="2022"',
        ),
        (
            {"AA-03": indicator(end=(str(FUTURE.day), str(FUTURE.month), str(FUTURE.year)))},
            "AA-03: End of the period must be today or in the past",
            f'value="{FUTURE.year}"',
        ),
        (
            {"AA-03": indicator(start=("31", "2", "2023"))},
            "AA-03: Start of the period must be a real date, like 1 4 2024",
            'value="31"',
        ),
        (
            {"AA-01": {"option": "1", "evidence": "x" * 5001}},
            "AA-01: How do you know? must be 5,000 characters or fewer",
            "xxxxxxxxxx",
        ),
        (
            {"AA-01": {"option": "999999", "evidence": "Audit"}},
            "AA-01: select one of the answers shown",
            "Audit",
        ),
        (
            {"AA-03": {"not_applicable": "on", "evidence": "Kept"}},
            "AA-03: enter why it does not apply",
            "Kept",
        ),
        (
            {
                "AA-01": {
                    "not_applicable": "on",
                    "not_applicable_reason": "Not for us",
                    "evidence": "Kept",
                }
            },
            "AA-01: this question must be answered in England, so it cannot be marked as not applicable",
            "Kept",
        ),
    ],
)
def test_bad_input_gets_a_gov_uk_error_naming_the_field_and_keeps_what_was_typed(
    client, alice, assessment, answers, message, kept
):
    client.force_login(alice)
    answers = {**answers, "AA-02": {"evidence": "Typed elsewhere on the page"}}
    response = post(client, assessment, answers)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "<title>Error:" in html
    assert html.count(message) >= 2  # in the error summary and beside the field
    assert kept in html
    assert "Typed elsewhere on the page" in html
    assert not Answer.objects.exists()


def test_an_option_of_another_question_is_refused(client, alice, assessment):
    client.force_login(alice)
    response = post(
        client, assessment, {"AA-01": {"option": str(option_id("AA-02", "good")), "evidence": "x"}}
    )
    assert "AA-01: select one of the answers shown" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_tampered_question_code_is_refused(client, alice, assessment):
    client.force_login(alice)
    data = theme_post(assessment, "AA", {"AA-01": good_answer("AA-01")})
    data["AA-01-question_code"] = "BB-01"
    response = client.post(url(assessment), data)
    assert "AA-01: the page was changed before it was sent" in response.content.decode()
    assert not Answer.objects.exists()


def test_not_applicable_with_a_reason_is_complete_and_keeps_the_answer_under_it(
    client, alice, assessment
):
    client.force_login(alice)
    answers = {
        "AA-02": {
            "option": str(option_id("AA-02", "good")),
            "not_applicable": "on",
            "not_applicable_reason": "We have no police force of our own",
        }
    }
    post(client, assessment, answers, action="continue")
    answer = Answer.objects.get()
    assert answer.not_applicable and answer.is_complete
    assert answer.selected == [option_id("AA-02", "good")]


def test_unticking_not_applicable_brings_the_previous_answer_back(client, alice, assessment):
    client.force_login(alice)
    good = str(option_id("AA-02", "good"))
    post(client, assessment, {"AA-02": {"option": good, "evidence": "Audit"}})
    # The page still shows the chosen radio when N/A is ticked, and the browser sends it.
    post(
        client,
        assessment,
        {"AA-02": {"option": good, "evidence": "Audit", "not_applicable": "on",
                   "not_applicable_reason": "No such service"}},
    )  # fmt: skip
    assert Answer.objects.get().not_applicable
    html = client.get(url(assessment)).content.decode()
    radio = found(rf'<input[^>]*value="{good}"[^>]*>', html).group(0)
    assert "checked" in radio  # still on the page under the ticked box
    post(client, assessment, {"AA-02": {"option": good, "evidence": "Audit"}})
    answer = Answer.objects.get()
    assert not answer.not_applicable and answer.selected == [int(good)]
    assert answer.evidence == "Audit"


def test_ticking_not_applicable_with_the_answer_fields_left_out_keeps_the_stored_answer(
    client, alice, assessment
):
    """A script that disables the fields under a ticked box must not erase the answer."""
    client.force_login(alice)
    good = str(option_id("AA-02", "good"))
    post(client, assessment, {"AA-02": {"option": good, "evidence": "Audit"}})
    post(
        client,
        assessment,
        {"AA-02": {"evidence": "Audit", "not_applicable": "on", "not_applicable_reason": "None"}},
    )
    answer = Answer.objects.get()
    assert answer.not_applicable and answer.selected == [int(good)]


def test_a_critical_question_is_not_offered_not_applicable(client, alice, assessment):
    client.force_login(alice)
    html = client.get(url(assessment)).content.decode()
    assert 'name="AA-01-not_applicable"' not in html
    assert 'name="AA-02-not_applicable"' in html
    assert "AA-01 is a critical question: it must be answered, and cannot be marked" in html


def test_a_question_critical_only_in_england_is_an_ordinary_question_in_wales(
    client, charlie, partnership_b
):
    from assessment.models import Question

    assessment = make_assessment(partnership_b)
    Question.objects.filter(code="AA-01").update(critical_nations=["england"])
    client.force_login(charlie)
    html = client.get(url(assessment)).content.decode()
    assert 'name="AA-01-not_applicable"' in html
    section = html[html.index('id="AA-01"') : html.index('id="AA-02"')]
    assert ">Critical<" not in section


def test_a_critical_question_may_be_not_applicable_where_the_framework_allows(
    client, alice, assessment
):
    from assessment.models import Question

    Question.objects.filter(code="AA-01").update(not_applicable_nations=["england"])
    client.force_login(alice)
    assert 'name="AA-01-not_applicable"' in client.get(url(assessment)).content.decode()
    post(
        client,
        assessment,
        {"AA-01": {"not_applicable": "on", "not_applicable_reason": "Allowed in England"}},
    )
    assert Answer.objects.get().not_applicable


def test_a_critical_question_cannot_be_marked_as_not_applicable(client, alice, assessment):
    client.force_login(alice)
    answers = {"AA-01": {"not_applicable": "on", "not_applicable_reason": "No police force"}}
    response = post(client, assessment, answers)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert (
        "AA-01: this question must be answered in England, so it cannot be marked as not applicable"
        in response.content.decode()
    )
    assert not Answer.objects.exists()


def test_a_25_digit_year_is_a_message_not_a_500(client, alice, assessment):
    client.force_login(alice)
    answers = {
        "AA-03": {
            "numerator": "1",
            "denominator": "2",
            "period_start_0": "1",
            "period_start_1": "1",
            "period_start_2": "2" * 25,
        }
    }
    response = post(client, assessment, answers)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert "Start of the period must be a real date" in response.content.decode()


# Personal data ------------------------------------------------------------------------------


def test_personal_details_are_flagged_before_saving_and_can_be_confirmed(client, alice, assessment):
    client.force_login(alice)
    evidence = "Discussed with Jane Smith (14/02/2009), call 07700 900123"
    response = post(client, assessment, {"AA-01": good_answer("AA-01", evidence=evidence)})
    html = response.content.decode()
    assert "This service must not hold information that identifies a child" in html
    assert (
        "AA-01: How do you know? may contain personal details (a name next to a date, a phone number)"
        in html
    )
    assert "I have checked: this text does not identify a child" in html
    assert "07700 900123" in html  # kept so it can be edited
    assert not Answer.objects.exists()

    edited = post(
        client, assessment, {"AA-01": good_answer("AA-01", evidence="Discussed at the MACE panel")}
    )
    assert edited.status_code == 302
    assert Answer.objects.get().evidence == "Discussed at the MACE panel"


def test_a_person_may_confirm_a_false_alarm(client, alice, assessment):
    client.force_login(alice)
    evidence = "Swan Lake project began 01/02/2024"
    answers = {"AA-01": {**good_answer("AA-01", evidence=evidence), "confirm_personal_data": "on"}}
    assert post(client, assessment, answers).status_code == 302
    assert Answer.objects.get().evidence == evidence


def test_a_personal_data_confirmation_is_kept_with_the_text_it_confirmed(client, alice, assessment):
    client.force_login(alice)
    evidence = "Swan Lake project began 01/02/2024"
    confirmed = {**good_answer("AA-01", evidence=evidence), "confirm_personal_data": "on"}
    assert post(client, assessment, {"AA-01": confirmed}).status_code == 302
    answer = Answer.objects.get()
    assert answer.personal_data_confirmed == text_digest([evidence, "", ""])
    assert answer.personal_data_confirmed_version == answer.version == 1

    # The same text is not questioned again, with another answer or by autosave.
    again = {"option": str(option_id("AA-01", "poor")), "evidence": evidence}
    assert post(client, assessment, {"AA-01": again}).status_code == 302
    autosaved = client.post(
        url(assessment, action="autosave"),
        theme_post(assessment, "AA", {"AA-01": {**again, "option": confirmed["option"]}}),
    ).content.decode()
    assert "attention" not in autosaved and "Saved automatically" in autosaved
    # A changed text is checked again.
    changed = {**again, "evidence": f"{evidence}, and Jane Smith 14/02/2009"}
    html = post(client, assessment, {"AA-01": changed}).content.decode()
    assert "AA-01: How do you know? may contain personal details" in html
    assert Answer.objects.get().evidence == evidence


def test_an_untouched_question_never_blocks_anyone_else(client, alice, partnership_a, assessment):
    """Alice confirmed text that looks personal on AA-01, and left AA-02 half done; Pat, from
    the police, answers AA-03 and is asked about nothing else."""
    client.force_login(alice)
    evidence = "Swan Lake project began 01/02/2024"
    answers = {
        "AA-01": {**good_answer("AA-01", evidence=evidence), "confirm_personal_data": "on"},
        "AA-02": {"option": str(option_id("AA-02", "good"))},
    }
    assert post(client, assessment, answers).status_code == 302
    pat = contributor(partnership_a, Agency.POLICE)
    client.force_login(pat)
    seen = {
        "AA-01": good_answer("AA-01", evidence=evidence),
        "AA-02": {"option": str(option_id("AA-02", "good"))},
        "AA-03": indicator(),
    }
    response = post(client, assessment, seen, action="continue")
    assert response.status_code == 302, re.findall(
        r'<a href="#[^"]+">([^<]+)', response.content.decode()
    )
    assert Answer.objects.get(question__code="AA-03").answered_by == pat
    assert Answer.objects.get(question__code="AA-01").answered_by == alice
    autosaved = client.post(url(assessment, action="autosave"), theme_post(assessment, "AA", seen))
    assert "attention" not in autosaved.content.decode()


def test_comments_are_checked_for_personal_details_too(client, alice, assessment):
    client.force_login(alice)
    response = client.post(
        url(assessment, action="comments"), {"question": "AA-01", "text": "Ask jo@example.org"}
    )
    assert response.status_code == 400
    assert "may contain personal details (an email address)" in response.content.decode()
    assert not Comment.objects.exists()


# Two people at once -------------------------------------------------------------------------


def test_a_save_from_an_older_page_shows_both_answers_and_overwrites_nothing(
    alice, partnership_a, assessment
):
    dana = contributor(partnership_a)
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(dana)
    stale = theme_post(
        assessment, "AA", {"AA-01": good_answer("AA-01", evidence="Dana's evidence")}
    )  # drawn at version 0

    assert (
        post(
            first, assessment, {"AA-01": {**good_answer("AA-01", evidence="Alice's evidence")}}
        ).status_code
        == 302
    )
    response = second.post(url(assessment), stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed 1 answer while you were working" in html
    assert "Alice&#x27;s evidence" in html and "Dana&#x27;s evidence" in html
    assert Answer.objects.get().evidence == "Alice's evidence"

    # Dana chooses without picking an option first: asked again, nothing lost.
    hidden = hidden_fields(html)
    again = second.post(url(assessment), hidden)
    assert (
        again.status_code == 200
        and "Select which answer to keep for AA-01" in again.content.decode()
    )

    chosen = second.post(url(assessment), {**hidden, "resolve-AA-01": "mine"})
    assert chosen.status_code == 302
    answer = Answer.objects.get()
    assert (answer.evidence, answer.answered_by, answer.version) == ("Dana's evidence", dana, 2)


def test_keeping_their_answer_discards_mine_for_that_question_only(
    alice, partnership_a, assessment
):
    dana = contributor(partnership_a)
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(dana)
    stale = theme_post(
        assessment,
        "AA",
        {"AA-01": good_answer("AA-01", evidence="Mine"), "AA-02": good_answer("AA-02")},
    )
    post(first, assessment, {"AA-01": good_answer("AA-01", evidence="Theirs")})
    html = second.post(url(assessment), stale).content.decode()
    hidden = hidden_fields(html)
    assert second.post(url(assessment), {**hidden, "resolve-AA-01": "theirs"}).status_code == 302
    assert Answer.objects.get(question__code="AA-01").evidence == "Theirs"
    assert Answer.objects.get(question__code="AA-02").answered_by == dana


def test_a_conflict_is_shown_at_the_top_even_while_other_answers_have_errors(
    client, alice, partnership_a, assessment
):
    stale = theme_post(
        assessment,
        "AA",
        {"AA-02": good_answer("AA-02", evidence="Mine"), "AA-03": indicator("12", "10")},
    )
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-02", evidence="Theirs")],
        user=alice,
        agency="police",
    )
    client.force_login(contributor(partnership_a))
    html = client.post(url(assessment), stale).content.decode()
    assert "There is a problem" in html
    banner = html[html.index('id="conflict-banner"') : html.index("</main>")]
    assert (
        'Someone else has changed <a class="govuk-notification-banner__link" href="#AA-02">'
        in banner
    )
    assert Answer.objects.get().evidence == "Theirs"


def test_autosave_saves_valid_answers_and_returns_new_versions(client, alice, assessment):
    client.force_login(alice)
    data = theme_post(
        assessment, "AA", {"AA-01": good_answer("AA-01"), "AA-02": {"option": "999999"}}
    )
    response = client.post(url(assessment, action="autosave"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saved automatically" in html and "AA-02" in html  # AA-02 waits for a proper save
    assert 'name="AA-01-version" id="id_AA-01-version" value="1" data-hx-swap-oob="true"' in html
    assert Answer.objects.get().question.code == "AA-01"


def test_autosave_reports_a_conflict_without_saving(client, alice, bob, partnership_a, assessment):
    dana = contributor(partnership_a)
    stale = theme_post(assessment, "AA", {"AA-01": good_answer("AA-01", evidence="Dana")})
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", evidence="Alice")],
        user=alice,
        agency="police",
    )
    client.force_login(dana)
    html = client.post(url(assessment, action="autosave"), stale).content.decode()
    assert "someone else has changed AA-01" in html
    assert Answer.objects.get().evidence == "Alice"


# Carried answers, locking, history -----------------------------------------------------------


def carried(assessment, alice, codes=("AA-01", "AA-02")):
    save_answers(
        assessment=assessment,
        changes=[change(assessment, code) for code in codes],
        user=alice,
        agency="police",
    )
    Answer.objects.update(needs_reconfirmation=True)


def test_carried_answers_are_confirmed_with_the_answers_one_by_one_or_all_at_once(
    client, alice, partnership_a, assessment
):
    carried(assessment, alice)
    client.force_login(alice)
    html = client.get(url(assessment)).content.decode()
    assert "Carried over \N{EN DASH} confirm or change" in html
    assert "I have checked AA-01 is still true" in html
    assert "I have checked these 2 carried-over answers are still true" in html
    # No button of its own: the page's first button, the one Enter presses, saves the answers.
    form = html[html.index('id="theme-form"') :]
    buttons = re.findall(r"<button(?![^>]* form=)[^>]*>([^<]*)", form)  # its own buttons
    assert buttons[0] == "Save and continue"

    as_saved = {code: good_answer(code, evidence="Audit 2024") for code in ("AA-01", "AA-02")}
    response = post(
        client, assessment, {**as_saved, "AA-01": {**as_saved["AA-01"], "still_true": "on"}}
    )
    assert response.status_code == 302
    first = Answer.objects.get(question__code="AA-01")
    assert (first.needs_reconfirmation, first.carry_outcome) == (False, CarryOutcome.CONFIRMED)
    assert (first.confirmed_by, first.answered_by) == (alice, alice)
    assert Answer.objects.get(question__code="AA-02").needs_reconfirmation
    follow = client.get(url(assessment)).content.decode()
    assert "1 carried-over answer confirmed" in follow
    assert "Confirmed as still true by Alice Lead" in follow
    assert "I have checked the carried-over answer is still true" in follow

    dana = contributor(partnership_a, Agency.POLICE)
    client.force_login(dana)
    data = theme_post(assessment, "AA", as_saved)
    assert client.post(url(assessment), {**data, "confirm_all": "1"}).status_code == 302
    second = Answer.objects.get(question__code="AA-02")
    assert (second.carry_outcome, second.confirmed_by) == (CarryOutcome.CONFIRMED, dana)


def test_changing_a_carried_answer_records_it_as_changed(client, alice, assessment):
    carried(assessment, alice, codes=["AA-01"])
    client.force_login(alice)
    data = theme_post(
        assessment, "AA", {"AA-01": good_answer("AA-01", evidence="Updated for this year")}
    )
    client.post(url(assessment), {**data, "confirm_all": "1"})
    answer = Answer.objects.get()
    assert (answer.needs_reconfirmation, answer.carry_outcome) == (False, CarryOutcome.CHANGED)
    assert answer.confirmed_by is None


def test_a_carried_answer_changed_by_someone_else_is_not_confirmed_unseen(
    client, alice, partnership_a, assessment
):
    carried(assessment, alice, codes=["AA-01"])
    stale = theme_post(
        assessment,
        "AA",
        {"AA-01": {**good_answer("AA-01", evidence="Audit 2024"), "still_true": "on"}},
    )
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", "poor", version=1)],
        user=alice,
        agency="police",
    )
    client.force_login(contributor(partnership_a))
    assert client.post(url(assessment), stale).status_code == 302
    answer = Answer.objects.get()
    assert (answer.carry_outcome, answer.confirmed_by) == (CarryOutcome.CHANGED, None)


def test_a_locked_assessment_refuses_saves_through_the_page(client, alice, assessment):
    save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    client.force_login(alice)
    assert 'id="theme-form"' not in client.get(url(assessment)).content.decode()
    assert (
        post(
            client, assessment, {"AA-01": good_answer("AA-01", evidence="Late change")}
        ).status_code
        == 403
    )
    autosave = client.post(
        url(assessment, action="autosave"),
        theme_post(assessment, "AA", {"AA-01": good_answer("AA-01", evidence="Late")}),
    )
    assert "Not saved: this self-assessment can no longer be changed" in autosave.content.decode()
    assert Answer.objects.get().evidence == "Audit 2024"


def test_in_review_only_leads_change_answers(client, alice, partnership_a, assessment):
    dana = contributor(partnership_a)
    assessment.status = Status.IN_REVIEW
    assessment.save()
    client.force_login(dana)
    assert post(client, assessment, {"AA-01": good_answer("AA-01")}).status_code == 403
    client.force_login(alice)
    assert post(client, assessment, {"AA-01": good_answer("AA-01")}).status_code == 302


def test_the_history_shows_who_changed_what_and_when(client, alice, bob, assessment):
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", "poor", evidence="First")],
        user=alice,
        agency="police",
    )
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", "good", version=1, evidence="Second")],
        user=alice,
        agency="police",
    )
    client.force_login(bob)
    html = client.get(f"/assessments/{assessment.code}/answers/AA-01/history").content.decode()
    assert html.index("Second") < html.index("First")  # newest first
    assert "Poor answer (poor)" in html and "Good answer (good)" in html
    client.logout()
    make_user("eve@example.org")
    client.login(email="eve@example.org", password=PASSWORD)
    assert client.get(f"/assessments/{assessment.code}/answers/AA-01/history").status_code == 404


# Budgets ------------------------------------------------------------------------------------


def test_the_theme_page_issues_a_constant_number_of_queries(client, alice, partnership_a):
    small = make_assessment(
        partnership_a, make_framework(themes=2, questions_per_theme=2, version="1")
    )
    large = make_assessment(
        partnership_a, make_framework(themes=2, questions_per_theme=14, version="2")
    )
    client.force_login(alice)
    counts = []
    for assessment in (small, large):
        save_answers(
            assessment=assessment,
            changes=[change(assessment, "AA-01"), change(assessment, "AA-02")],
            user=alice,
            agency="police",
        )
        client.get(url(assessment))  # the first visit also remembers the current partnership
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(assessment)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_saving_a_theme_is_one_transaction(client, alice, assessment):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        post(client, assessment, {"AA-01": good_answer("AA-01"), "AA-02": good_answer("AA-02")})
    sql = [q["sql"] for q in queries.captured_queries]
    writes = [i for i, s in enumerate(sql) if s.startswith(("INSERT", "UPDATE")) and "answer" in s]
    assert len(writes) >= 2
    # Both answers are written between one savepoint/transaction start and its release.
    begins = [i for i, s in enumerate(sql) if s.startswith(("SAVEPOINT", "BEGIN"))]
    assert begins and min(begins) < min(writes)


@pytest.mark.parametrize("version", ["2022.1", "2022.2"])
@pytest.mark.parametrize("nation", ["england", "wales"])
def test_every_theme_of_the_real_question_bank_renders_and_saves(client, nation, version):
    """Every kind of question in each version of the real bank, on its theme page, in both
    nations."""
    from assessment.frameworks import load, read
    from tests.factories import make_partnership
    from tests.test_question_bank import BANK, BANK_2022_2

    framework, _ = load(read(BANK if version == "2022.1" else BANK_2022_2))
    partnership = make_partnership(f"{nation} partnership", nation)
    lead = make_user(f"lead@{nation}.example")
    make_member(partnership, lead, Role.LEAD, Agency.POLICE)
    assessment = make_assessment(partnership, framework)
    client.force_login(lead)
    for theme in framework.themes.all():
        page = client.get(url(assessment, theme.code))
        assert page.status_code == 200, theme.code
        saved = client.post(url(assessment, theme.code), theme_post(assessment, theme.code, {}))
        assert saved.status_code == 302, theme.code


def test_a_date_error_on_a_theme_page_links_to_the_day_box(client, alice, assessment):
    client.force_login(alice)
    answers = {
        "AA-03": {
            "numerator": "1",
            "denominator": "2",
            "period_start_0": "31",
            "period_start_1": "2",
            "period_start_2": "2023",
        }
    }
    html = post(client, assessment, answers).content.decode()
    assert 'href="#id_AA-03-period_start_0"' in html and 'id="id_AA-03-period_start_0"' in html


def test_every_error_summary_link_on_the_real_question_bank_reaches_its_field(client):
    """Hostile values in every field of every kind of question: each error in the summary links
    to an element that exists, and each field with an error says so beside it."""
    from assessment.frameworks import load, read
    from assessment.models import Kind
    from tests.factories import make_partnership
    from tests.test_question_bank import BANK

    framework, _ = load(read(BANK))
    partnership = make_partnership("Error partnership")
    lead = make_user("lead@errors.example")
    make_member(partnership, lead, Role.LEAD, Agency.POLICE)
    assessment = make_assessment(partnership, framework)
    client.force_login(lead)
    bad: dict[str, dict[str, str | list[str]]] = {
        Kind.SINGLE: {"option": "0"},
        Kind.YES_NO: {"option": "0"},
        Kind.MULTIPLE: {"options": ["0"]},
        Kind.INDICATOR: {"numerator": "many", "denominator": "-1", "period_end_0": "32"},
        Kind.COUNT: {"number": "1.5"},
        Kind.DATE: {"date_value_0": "31", "date_value_1": "2", "date_value_2": "2024"},
        Kind.TEXT: {"not_applicable": "on"},
    }
    for theme in framework.themes.all():
        questions = [q for q in theme.questions.all() if q.applies_to(partnership.nation)]
        answers = {q.code: {**bad[q.kind], "evidence": "x" * 5001} for q in questions}
        html = post(client, assessment, answers, theme=theme.code).content.decode()
        summary = html[html.index("govuk-error-summary__list") : html.index("</main>")]
        links = re.findall(r'<a href="#([^"]+)"', summary)
        messages = re.findall(r'<a href="#[^"]+">([^<]+)</a>', summary)
        codes = {q.code for q in questions}
        assert [m for m in messages if m.split(":")[0] not in codes] == [], theme.code
        # a link must reach a box that takes the focus, not a group or a missing id
        ids = set(re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', html))
        assert len(links) >= len(questions), theme.code
        assert [link for link in links if link not in ids] == [], theme.code
    assert not Answer.objects.exists()


def test_date_hints_and_errors_give_the_same_example(client, alice, assessment):
    client.force_login(alice)
    answers = {"AA-03": indicator(start=("31", "2", "2023"), end=("30", "2", "2024"))}
    html = post(client, assessment, answers).content.decode()
    for label, example in (("Start of the period", "1 4 2024"), ("End of the period", "31 3 2025")):
        assert f"For example, {example}" in html
        assert f"AA-03: {label} must be a real date, like {example}" in html


def test_repeated_labels_name_their_question_for_screen_readers(client, alice, assessment):
    client.force_login(alice)
    html = client.get(url(assessment)).content.decode()
    for code in ("AA-01", "AA-02", "AA-03"):
        # AA-01 is critical: it must be answered, so it has no "does not apply" box.
        labels = ("How do you know?",) if code == "AA-01" else (
            "How do you know?",
            "This question does not apply to our partnership",
            "Why does it not apply?",
        )  # fmt: skip
        for label in labels:
            assert f'<span class="govuk-visually-hidden">{code} </span>{label}' in html
    assert '<span class="govuk-visually-hidden">AA-03 </span>All suspects' in html
    # A question is not a landmark: a dozen regions would drown the page's own.
    assert not re.search(r"<section[^>]*aria-label", html[html.index("<main") :])


def test_why_it_does_not_apply_is_revealed_by_its_checkbox(client, alice, assessment):
    client.force_login(alice)
    html = client.get(url(assessment)).content.decode()
    assert 'data-aria-controls="conditional-id_AA-02-not_applicable"' in html
    reveal = html[html.index('id="conditional-id_AA-02-not_applicable"') - 80 :]
    assert "govuk-checkboxes__conditional--hidden" in reveal[:200]  # hidden only by the script
    assert reveal.index('for="id_AA-02-not_applicable_reason"') < reveal.index("</section>")
    ticked = post(client, assessment, {"AA-02": {"not_applicable": "on"}}).content.decode()
    shown = ticked[ticked.index('id="conditional-id_AA-02-not_applicable"') - 80 :][:200]
    assert "govuk-checkboxes__conditional--hidden" not in shown  # with its error, in view


@pytest.fixture
def bank_assessment(db):
    from assessment.frameworks import load, read
    from tests.factories import make_partnership
    from tests.test_question_bank import BANK

    framework, _ = load(read(BANK))
    partnership = make_partnership("Bank partnership")
    lead = make_user("lead@bank.example")
    make_member(partnership, lead, Role.LEAD, Agency.POLICE)
    return make_assessment(partnership, framework), lead


def test_none_of_these_is_exclusive_and_refused_with_other_answers(client, bank_assessment):
    assessment, lead = bank_assessment
    client.force_login(lead)
    html = client.get(url(assessment, "RA")).content.decode()
    question = html[html.index('id="RA-09"') :]
    question = question[: question.index("</section>")]
    divider = question.index('<div class="govuk-checkboxes__divider">or</div>')
    none = question.index('data-behaviour="exclusive"')
    assert divider < none and question.count('data-behaviour="exclusive"') == 1
    assert "None of these" in question[none : none + 300]

    from assessment.models import Option

    options = Option.objects.filter(
        question__code="RA-09", question__theme__framework=assessment.framework
    )
    none_of_these = options.get(label__startswith="None of these").pk
    other = options.exclude(pk=none_of_these).first()
    assert other is not None
    service = other.pk
    answers = {"RA-09": {"options": [str(service), str(none_of_these)], "evidence": "Directory"}}
    response = post(client, assessment, answers, theme="RA")
    assert (
        "RA-09: select &quot;None of these&quot; on its own, or untick it"
        in response.content.decode()
    )
    assert not Answer.objects.exists()


def test_the_theme_page_has_a_gov_uk_back_link_to_the_task_list(client, alice, assessment):
    client.force_login(alice)
    html = client.get(url(assessment)).content.decode()
    link = f'<a class="govuk-back-link" href="/assessments/{assessment.code}/">Back to the task list</a>'
    assert link in html and html.index(link) < html.index("<main")


def test_a_theme_not_in_the_assessments_framework_is_404(client, alice, assessment):
    """The theme page reads its theme from the framework's content kept in the process: a code
    that framework lacks (or that only another framework has) is a 404, never a 500."""
    from tests.factories import make_framework

    other = make_framework(themes=4, version="9.9")
    assert other.themes.filter(code="DD").exists()
    assert not assessment.framework.themes.filter(code="DD").exists()
    client.force_login(alice)
    for theme in ("DD", "ZZ", "aa", "AA-01"):
        page = f"/assessments/{assessment.code}/themes/{theme}/"
        assert client.get(page).status_code == 404, theme
        assert client.post(page + "autosave", {}).status_code == 404, theme

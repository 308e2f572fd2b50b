"""The theme page in Chromium: nothing typed is lost, and nothing is confirmed by accident.

Each story runs with JavaScript on and off: with scripts, autosave and the GOV.UK components
are at work; without them the same form must behave the same way."""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Agency, Answer, Role
from assessment.workflow import save_answers
from tests.browser.axe import assert_accessible
from tests.browser.test_partnerships import sign_in
from tests.factories import (
    make_assessment,
    make_member,
    make_partnership,
    make_user,
    start_next_cycle,
)
from tests.test_workflow import change

pytestmark = pytest.mark.django_db(transaction=True)

BOTH = pytest.mark.parametrize(
    "javascript",
    [
        pytest.param(True, id="with-javascript"),
        pytest.param(
            False,
            id="without-javascript",
            marks=pytest.mark.browser_context_args(java_script_enabled=False),
        ),
    ],
)
JS_ENABLED = re.compile(r"\bjs-enabled\b")


def carried_cycle():
    """A lead, and a cycle whose AA-01 and AA-02 were carried over from the one before."""
    partnership = make_partnership("Northdale Safeguarding Partnership")
    alice = make_user("alice@example.org", "Alice Lead")
    make_member(partnership, alice, Role.LEAD, Agency.CHILDRENS_SOCIAL_CARE)
    first = make_assessment(partnership)
    save_answers(
        assessment=first,
        changes=[change(first, "AA-01"), change(first, "AA-02")],
        user=alice,
        agency=Agency.CHILDRENS_SOCIAL_CARE,
    )
    return start_next_cycle(first, alice)


@BOTH
def test_enter_in_a_number_box_saves_and_confirms_nothing(javascript, page, live_server):
    assessment = carried_cycle()
    sign_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/assessments/{assessment.code}/themes/AA/")
    if javascript:
        expect(page.locator("body")).to_have_class(JS_ENABLED)
    else:
        expect(page.locator("body")).not_to_have_class(JS_ENABLED)
    question = page.locator("#AA-03")
    question.get_by_label("How do you know?").fill("Crime system report")
    question.get_by_label("Suspects without ethnicity").fill("3")
    question.get_by_label("All suspects").fill("10")
    question.get_by_label("All suspects").press("Enter")

    # "Save and continue" is what Enter does: on to the next theme, with the numbers kept.
    expect(page.get_by_role("heading", name="2. Theme BB")).to_be_visible()
    saved = Answer.objects.get(assessment=assessment, question__code="AA-03")
    assert (saved.numerator, saved.denominator) == (3, 10)
    carried = Answer.objects.filter(assessment=assessment, question__code__in=["AA-01", "AA-02"])
    assert [a.needs_reconfirmation for a in carried] == [True, True]
    if javascript:
        assert_accessible(page)


def open_theme(page, base: str, assessment, theme: str = "AA") -> None:
    page.goto(f"{base}/assessments/{assessment.code}/themes/{theme}/")


def save_as_draft(page) -> None:
    page.get_by_role("button", name="Save as draft").click()


@BOTH
def test_one_persons_personal_data_confirmation_never_blocks_another(
    javascript, page, other_person, live_server
):
    partnership = make_partnership("Northdale Safeguarding Partnership")
    make_member(partnership, make_user("alice@example.org", "Alice Lead"), Role.LEAD)
    make_member(
        partnership, make_user("pat@example.org", "Pat Police"), Role.CONTRIBUTOR, Agency.POLICE
    )
    assessment = make_assessment(partnership)
    sign_in(page, live_server.url, "alice@example.org")
    open_theme(page, live_server.url, assessment)

    # Alice's evidence looks like a name next to a date: she is asked, and gives her word.
    mine = page.locator("#AA-01")
    mine.get_by_label("Good answer", exact=True).check()
    mine.get_by_label("How do you know?").fill("Swan Lake project began 01/02/2024")
    save_as_draft(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "AA-01: How do you know? may contain personal details"
    )
    page.get_by_label("I have checked: this text does not identify").check()
    save_as_draft(page)
    expect(page.get_by_text("1 answer saved")).to_be_visible()

    # Pat, from the police, answers AA-02 on a page that shows Alice's AA-01: nothing is asked
    # about AA-01, which Pat did not touch.
    police = other_person("pat@example.org")
    open_theme(police, live_server.url, assessment)
    theirs = police.locator("#AA-02")
    theirs.get_by_label("Good answer", exact=True).check()
    theirs.get_by_label("How do you know?").fill("Police audit of 12 cases")
    if javascript:
        expect(police.locator("#status-AA-02")).to_contain_text("Saved at")
        expect(police.locator("#autosave-status")).not_to_contain_text("attention")
    save_as_draft(police)
    expect(police.locator(".govuk-error-summary")).to_have_count(0)
    expect(police.get_by_text("may contain personal details")).to_have_count(0)
    saved = Answer.objects.get(question__code="AA-02")
    assert saved.answered_by is not None and saved.answered_by.email == "pat@example.org"
    earlier = Answer.objects.get(question__code="AA-01").answered_by
    assert earlier is not None and earlier.email == "alice@example.org"

    # Alice's page is now out of date for AA-02: her change there is a conflict, always shown.
    mine = page.locator("#AA-02")
    mine.get_by_label("Poor answer", exact=True).check()
    mine.get_by_label("How do you know?").fill("Lead view")
    if javascript:
        banner = page.locator("#conflict-banner")
        expect(banner).to_contain_text("Someone else has changed AA-02")
        expect(page.locator("#status-AA-02")).to_contain_text("Not saved")
        assert_accessible(page)
        banner.get_by_role("link", name="AA-02").click()
        expect(page.locator("#AA-02")).to_be_in_viewport()
    save_as_draft(page)
    expect(
        page.get_by_role("heading", name="Someone else changed 1 answer while you were working")
    ).to_be_visible()
    assert Answer.objects.get(question__code="AA-02").evidence == "Police audit of 12 cases"


@BOTH
def test_why_it_does_not_apply_is_asked_when_it_is_ticked(javascript, page, live_server):
    assessment = carried_cycle()
    sign_in(page, live_server.url, "alice@example.org")
    open_theme(page, live_server.url, assessment)
    question = page.locator("#AA-02")
    reason = question.get_by_label("Why does it not apply?")
    if javascript:
        expect(reason).to_be_hidden()
    else:  # without the script, the reveal is simply always there
        expect(reason).to_be_visible()
    question.get_by_label("This question does not apply to our partnership").check()
    expect(reason).to_be_visible()
    reason.fill("No such service in our area")
    save_as_draft(page)
    saved = Answer.objects.get(assessment=assessment, question__code="AA-02")
    assert (saved.not_applicable, saved.not_applicable_reason) == (
        True,
        "No such service in our area",
    )


def test_none_of_these_unticks_the_other_answers(page, live_server):
    from assessment.frameworks import load, read
    from tests.test_question_bank import BANK

    framework, _ = load(read(BANK))
    partnership = make_partnership("Northdale Safeguarding Partnership")
    make_member(partnership, make_user("alice@example.org", "Alice Lead"), Role.LEAD)
    assessment = make_assessment(partnership, framework)
    sign_in(page, live_server.url, "alice@example.org")
    open_theme(page, live_server.url, assessment, "RA")
    question = page.locator("#RA-09")
    boxes = question.locator("input[type=checkbox][name='RA-09-options']")
    boxes.first.check()
    question.get_by_label("None of these", exact=True).check()
    expect(boxes.first).not_to_be_checked()
    expect(question.get_by_text("or", exact=True)).to_be_visible()
    assert_accessible(page)


def test_the_theme_confirmation_comes_after_the_answers_and_is_counted(page, live_server):
    assessment = carried_cycle()
    sign_in(page, live_server.url, "alice@example.org")
    open_theme(page, live_server.url, assessment)
    confirm = page.get_by_label("I have checked these 2 carried-over answers are still true")
    last_question = page.locator("#AA-03").bounding_box()
    assert confirm.bounding_box()["y"] > last_question["y"] + last_question["height"]
    assert_accessible(page)
    confirm.check()
    expect(page.locator("#autosave-status")).to_contain_text("2 carried-over answers confirmed")
    expect(page.locator("#status-AA-01")).to_contain_text("Confirmed at")
    page.goto(f"{live_server.url}/assessments/{assessment.code}/")
    expect(page.get_by_text("2 confirmed without change")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/assessments/{assessment.code}/results")
    expect(page.get_by_role("heading", name="Answers carried over from")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/assessments/{assessment.code}/check")
    assert_accessible(page)

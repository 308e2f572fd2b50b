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

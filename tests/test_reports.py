"""Which rendered report answers for an assessment: the fingerprint of a draft's state."""

from datetime import date

import pytest
from django.core.cache import cache

from assessment import reports
from assessment.models import Action, Comment
from tests.factories import make_assessment
from tests.views.test_results import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good"})
    return assessment


def fresh(assessment):
    return type(assessment).objects.select_related("partnership", "framework").get(pk=assessment.pk)


def test_the_same_state_has_the_same_fingerprint(draft):
    assert reports.fingerprint(draft) == reports.fingerprint(fresh(draft))


def test_a_changed_answer_changes_the_fingerprint(alice, draft):
    before = reports.fingerprint(draft)
    answer_all(draft, alice, {"AA-01": "good"})
    assert reports.fingerprint(fresh(draft)) != before


def test_a_comment_changes_the_fingerprint(alice, draft):
    before = reports.fingerprint(draft)
    question = draft.framework.themes.get(code="AA").questions.first()
    Comment.objects.create(
        assessment=draft, theme=question.theme, question=question, author=alice, text="Which?"
    )
    assert reports.fingerprint(draft) != before


def test_a_changed_action_changes_the_fingerprint(draft):
    action = Action.objects.create(
        assessment=draft, raised_in=draft, agency="police", description="Audit", due="2025-12-31"
    )
    before = reports.fingerprint(draft)
    action.status = "in_progress"
    action.save()
    assert reports.fingerprint(draft) != before


def test_a_renamed_author_or_partnership_changes_the_fingerprint(alice, draft):
    before = reports.fingerprint(draft)
    alice.name = "Alice Renamed"
    alice.save()
    assert reports.fingerprint(draft) != before
    renamed = reports.fingerprint(draft)
    draft.partnership.name = "Northdale Children's Partnership"
    draft.partnership.save()
    assert reports.fingerprint(fresh(draft)) != renamed


def test_an_answer_in_an_earlier_cycle_changes_the_fingerprint(alice, draft, partnership_a):
    earlier = make_assessment(
        partnership_a,
        draft.framework,
        title="Self-assessment 2024",
        period_start=date(2023, 4, 1),
        period_end=date(2024, 3, 31),
    )
    before = reports.fingerprint(draft)
    answer_all(earlier, alice, {"AA-02": "poor"})  # the trend and the comparison show it
    assert reports.fingerprint(fresh(draft)) != before


def test_an_answer_in_another_partnership_does_not(alice, charlie, draft, partnership_b):
    before = reports.fingerprint(draft)
    answer_all(make_assessment(partnership_b), charlie, {"AA-01": "good"})
    assert reports.fingerprint(draft) == before


def test_a_failed_rendering_is_recorded_for_the_person_waiting(draft):
    with pytest.raises(RuntimeError), reports.recording_failure(draft):
        raise RuntimeError("WeasyPrint ran out of memory")
    assert reports.request_report(draft).failed
    cache.clear()
    assert reports.request_report(draft).pending

"""The sign-off lock (assessment/models/lock.py): every write path to a signed-off record is
refused, whatever the in-memory object says, and reopening lifts it."""

from datetime import date

import pytest

from assessment.models import (
    Action,
    ActionNote,
    Agency,
    Answer,
    Approval,
    Assessment,
    AssessmentLocked,
    Assignment,
    Challenge,
    ChallengeNote,
    Comment,
    Question,
    Status,
    Theme,
)
from assessment.workflow import reopen, save_answers
from tests.factories import make_assessment, put_in_review, sign_off_by_board
from tests.test_workflow import change

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    theme = Theme.objects.get(framework=assessment.framework, code="AA")
    Assignment.objects.create(assessment=assessment, theme=theme, agency=Agency.POLICE)
    Comment.objects.create(assessment=assessment, theme=theme, author=alice, text="Well evidenced")
    action = Action.objects.create(
        assessment=assessment, agency=Agency.POLICE, description="Audit", due=date(2026, 1, 1)
    )
    ActionNote.objects.create(action=action, kind=ActionNote.PROGRESS, author=alice, text="Begun")
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    return assessment


def test_bulk_create_of_answers_is_refused(signed):
    question = Question.objects.get(theme__framework=signed.framework, code="AA-02")
    with pytest.raises(AssessmentLocked):
        Answer.objects.bulk_create([Answer(assessment=signed, question=question)])
    assert Answer.objects.count() == 1


def test_queryset_updates_of_assessments_are_refused(signed):
    with pytest.raises(AssessmentLocked):
        Assessment.objects.filter(pk=signed.pk).update(title="Rewritten")
    with pytest.raises(AssessmentLocked):
        Assessment.objects.filter(pk=signed.pk).delete()
    assert Assessment.objects.get().title == "Self-assessment 2025"


def test_the_action_plan_and_challenges_stay_live_after_sign_off(signed, alice):
    """The plan is the partnership's working plan, and scrutiny goes on: both are outside the
    lock (the snapshot keeps them as they stood at sign-off)."""
    action = Action.objects.get()
    action.status = "in_progress"
    action.save()
    ActionNote.objects.create(action=action, kind=ActionNote.PROGRESS, author=alice, text="More")
    Action.objects.filter(pk=action.pk).update(description="Audit every case")
    challenge = Challenge.objects.create(assessment=signed, raised_by=alice, text="Why?")
    ChallengeNote.objects.create(challenge=challenge, kind="response", author=alice, text="Because")
    assert Action.objects.get().description == "Audit every case"
    with pytest.raises(AssessmentLocked):
        Approval.objects.create(assessment=signed, round=1, decision="approved", user=alice)


@pytest.mark.parametrize("model", [Assignment, Comment])
def test_every_record_of_the_assessment_is_locked(signed, model):
    row = model.objects.get()
    with pytest.raises(AssessmentLocked):
        row.save()
    with pytest.raises(AssessmentLocked):
        row.delete()
    with pytest.raises(AssessmentLocked):
        model.objects.filter(pk=row.pk).delete()
    with pytest.raises(AssessmentLocked):
        model.objects.bulk_create(
            [
                model(
                    **{
                        f.attname: getattr(row, f.attname)
                        for f in model._meta.concrete_fields
                        if not f.primary_key and not f.unique
                    }
                )
            ]
        )
    assert model.objects.count() == 1


def test_new_comments_and_assignments_are_refused(signed, alice):
    theme = Theme.objects.get(framework=signed.framework, code="BB")
    with pytest.raises(AssessmentLocked):
        Comment.objects.create(assessment=signed, theme=theme, author=alice, text="Late")
    with pytest.raises(AssessmentLocked):
        Assignment.objects.create(assessment=signed, theme=theme, agency=Agency.HEALTH)


def test_the_lock_reads_the_status_from_the_database(signed):
    answer = Answer.objects.select_related("assessment").get()
    answer.assessment.status = Status.DRAFT  # a stale or tampered copy in memory
    with pytest.raises(AssessmentLocked):
        answer.delete()
    stale = Assessment.objects.get(pk=signed.pk)
    stale.status = Status.DRAFT
    with pytest.raises(AssessmentLocked):
        stale.delete()
    assert Answer.objects.exists() and Assessment.objects.exists()


def test_nothing_moves_out_of_a_signed_off_assessment(signed, partnership_a):
    other = make_assessment(partnership_a, title="Another")
    answer = Answer.objects.get()
    answer.assessment = other
    with pytest.raises(AssessmentLocked):
        answer.save()
    with pytest.raises(AssessmentLocked):
        Answer.objects.filter(assessment=other).update(assessment=signed)


def test_history_is_kept_and_reopening_lifts_the_lock(signed, alice):
    reopen(assessment=signed, user=alice, reason="The board asked for a correction")
    comment = Comment.objects.get()
    comment.text = "Corrected"
    comment.save()
    Action.objects.filter(assessment=signed).update(description="Rewritten")
    assert Answer.history.count() == 1


def test_assigning_themes_of_a_signed_off_assessment_is_refused(client, alice, signed):
    client.force_login(alice)
    response = client.post(f"/assessments/{signed.code}/assign", {"theme_BB": ["health"]})
    assert response.status_code == 403
    assert "signed off" in response.content.decode()
    assert list(Assignment.objects.values_list("theme__code", "agency")) == [("AA", "police")]


def test_comments_on_a_signed_off_assessment_are_refused_with_a_page(client, alice, signed):
    client.force_login(alice)
    response = client.post(f"/assessments/{signed.code}/themes/AA/comments", {"text": "Late"})
    assert response.status_code == 403
    assert "Comment in the next cycle" in response.content.decode()
    # The action plan is live after sign-off: comments on its actions are still welcome.
    action = Action.objects.get()
    response = client.post(
        f"/assessments/{signed.code}/actions/{action.code}/comment", {"text": "Late"}
    )
    assert response.status_code == 302
    assert Comment.objects.count() == 1 and ActionNote.objects.count() == 2
